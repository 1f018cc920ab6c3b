package api

import (
	"strings"
	"testing"
)

// primaryConfig is the base config with a third cluster r, a remote of a, on its own network.
func primaryConfig(t *testing.T) (*MeshConfig, Credentials) {
	t.Helper()
	c, cs := baseConfig(t)
	c.Spec.Istio.Version, c.Spec.Istio.Installer = "1.24.0", InstallerHelm
	c.Spec.Clusters[0].EastWestAddress = "192.0.2.10"
	c.Spec.Clusters = append(c.Spec.Clusters, Cluster{Name: "r", Network: "nr", RancherClusterID: "c-r",
		APIServer: "https://r.example.com:6443", APIServerCA: APIServerCASystem, Primary: "a"})
	cs["r"] = Credential{Cluster: "r", Token: "z"}
	return c, cs
}

// TestValidatePrimaries: the rules of a remote and its primary, each with the field path the
// user must fix.
func TestValidatePrimaries(t *testing.T) {
	if c, cs := primaryConfig(t); Validate(c, cs) != nil {
		t.Fatalf("the primary-remote config must be valid: %v", Validate(c, cs))
	}
	tests := []rejection{
		{"address neither IP nor name", func(c *MeshConfig) { c.Spec.Clusters[0].EastWestAddress = "no address!" }, "spec.clusters[0].eastWestAddress", "must be an IP address"},
		{"itself", func(c *MeshConfig) { c.Spec.Clusters[2].Primary = "r" }, "spec.clusters[2].primary", "is the cluster itself"},
		{"unknown", func(c *MeshConfig) { c.Spec.Clusters[2].Primary = "x" }, "spec.clusters[2].primary", `unknown cluster "x"`},
		{"chain", func(c *MeshConfig) { c.Spec.Clusters[1].Primary = "r" }, "spec.clusters[1].primary", "is itself a remote"},
		{"primary without address, other network", func(c *MeshConfig) { c.Spec.Clusters[0].EastWestAddress = "" }, "spec.clusters[0].eastWestAddress", `from network "nr"`},
		{"primary without address, same network", func(c *MeshConfig) {
			c.Spec.Clusters[0].EastWestAddress, c.Spec.Clusters[2].Network = "", "na"
		}, "spec.clusters[0].eastWestAddress", `on the same network "na"`},
		{"remote secrets none", func(c *MeshConfig) { c.Spec.RemoteSecrets.Mode = RemoteSecretsNone }, "spec.clusters[2].primary", "spec.remoteSecrets.mode none"},
		{"helm too old", func(c *MeshConfig) { c.Spec.Istio.Version = "1.23.0" }, "spec.clusters[2].primary", "installs a remote from Istio 1.24 on"},
		{"sail", func(c *MeshConfig) {
			c.Spec.Istio.Version, c.Spec.Istio.Installer = "1.30.3", InstallerSail
		}, "spec.clusters[2].primary", "meshgen writes no Sail remote control plane"},
		{"ambient", func(c *MeshConfig) { c.Spec.Dataplane = DataplaneAmbient }, "spec.clusters[2].primary", "ambient multicluster is multi-primary only"},
	}
	wantRejections(t, primaryConfig, tests)
}

// TestSailRevisions: sail takes a canary upgrade's three steps (two Istios, tags); what it
// refuses is a canary that no one Sail release installs beside spec.istio.version.
func TestSailRevisions(t *testing.T) {
	c, cs := baseConfig(t)
	c.Spec.Istio.Version, c.Spec.Istio.Installer = "1.30.3", InstallerSail
	if es := Validate(c, cs); es != nil {
		t.Fatalf("a sail mesh without canary and tags must be valid: %v", es)
	}
	for name, mutate := range map[string]func(*Istio){
		"step 1": func(*Istio) {},
		"step 2": func(ist *Istio) { ist.Tags[DefaultTag] = "r2" },
		"step 3": func(ist *Istio) {
			ist.Version, ist.Revision, ist.Canary, ist.Tags = "1.30.3", "r2", nil, map[string]string{DefaultTag: "r2"}
		},
		"a canary Sail 1.29.2 installs with 1.27.9": func(ist *Istio) { ist.Version, ist.Canary.Version = "1.27.9", "1.29.2" },
	} {
		c, cs := baseConfig(t)
		ist := &c.Spec.Istio
		ist.Version, ist.Revision, ist.Installer = "1.29.6", "r1", InstallerSail
		ist.Canary = &Canary{Version: "1.30.3", Revision: "r2"}
		ist.Tags = map[string]string{DefaultTag: "r1"}
		mutate(ist)
		if es := Validate(c, cs); es != nil {
			t.Errorf("%s: %v", name, es)
		}
	}
	for _, tc := range []struct{ version, canary, msg string }{
		// 1.29.3 is Sail 1.30.0's and later, which install no 1.27.
		{"1.27.9", "1.29.3", `installer sail: no Sail operator release installs both "1.29.3" and spec.istio.version "1.27.9", and one Sail operator installs both control planes of a cluster; Sail 1.29.2, the newest that installs "1.27.9", installs 1.27.0 to 1.27.9, 1.28.0 to 1.28.6, 1.29.0 to 1.29.2`},
		// No Sail release installs 1.31 at all.
		{"1.30.3", "1.31.0", `no Sail operator release installs both "1.31.0"`},
	} {
		c, cs := baseConfig(t)
		ist := &c.Spec.Istio
		ist.Version, ist.Revision, ist.Installer = tc.version, "r1", InstallerSail
		ist.Canary = &Canary{Version: tc.canary, Revision: "r2"}
		ist.Tags = map[string]string{DefaultTag: "r1"}
		wantError(t, Validate(c, cs), "spec.istio.canary.version", tc.msg)
	}
	// An older canary (1.27.0, which Sail 1.30.3 does not install beside 1.29.6) is
	// validateCanaryVersion's one error, not Sail's too.
	c, cs = baseConfig(t)
	ist := &c.Spec.Istio
	ist.Version, ist.Revision, ist.Installer = "1.29.6", "r1", InstallerSail
	ist.Canary, ist.Tags = &Canary{Version: "1.27.0", Revision: "r2"}, map[string]string{DefaultTag: "r1"}
	if es := Validate(c, cs); len(es) != 1 || !strings.Contains(es[0].Msg, "older than spec.istio.version") {
		t.Errorf("an older sail canary: want the one error that it is older, got %v", es)
	}
}
