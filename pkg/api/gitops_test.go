package api

import (
	"fmt"
	"strings"
	"testing"
)

// TestValidateGitOps: spec.gitops, each bad value at its field path; and the good forms pass
// (the negative controls of the URL, revision and path checks).
func TestValidateGitOps(t *testing.T) {
	argo := func(c *MeshConfig) {
		c.Spec.GitOps = GitOps{Tool: GitOpsArgoCD, RepoURL: "https://git.example.com/ops/mesh.git"}
	}
	tests := []struct {
		name   string
		mutate func(*MeshConfig)
		path   string
		msg    string
	}{
		{"tool unknown", func(c *MeshConfig) { c.Spec.GitOps.Tool = "argo" }, "spec.gitops.tool", "one of none, argocd, flux, fleet"},
		{"repo settings without a tool", func(c *MeshConfig) { c.Spec.GitOps.RepoURL = "https://git.example.com/x.git" }, "spec.gitops.tool", "repository settings"},
		{"repoURL required", func(c *MeshConfig) { c.Spec.GitOps.Tool = GitOpsFleet }, "spec.gitops.repoURL", "required with spec.gitops.tool fleet"},
		{"repoURL no scheme", func(c *MeshConfig) { argo(c); c.Spec.GitOps.RepoURL = "git.example.com/ops/mesh" }, "spec.gitops.repoURL", "must be a Git URL"},
		{"repoURL ftp", func(c *MeshConfig) { argo(c); c.Spec.GitOps.RepoURL = "ftp://git.example.com/mesh" }, "spec.gitops.repoURL", "must be a Git URL"},
		{"repoURL password", func(c *MeshConfig) { argo(c); c.Spec.GitOps.RepoURL = "https://me:secret@git.example.com/mesh.git" }, "spec.gitops.repoURL", "carries a password"},
		{"repoURL scp with flux", func(c *MeshConfig) {
			c.Spec.GitOps = GitOps{Tool: GitOpsFlux, RepoURL: "git@github.com:ops/mesh.git"}
		}, "spec.gitops.repoURL", "Flux takes no git@host:path"},
		{"revision range", func(c *MeshConfig) { argo(c); c.Spec.GitOps.Revision = "main..dev" }, "spec.gitops.revision", "branch name"},
		{"revision option", func(c *MeshConfig) { argo(c); c.Spec.GitOps.Revision = "-f" }, "spec.gitops.revision", "branch name"},
		{"path absolute", func(c *MeshConfig) { argo(c); c.Spec.GitOps.Path = "/clusters" }, "spec.gitops.path", "clean relative path"},
		{"path up", func(c *MeshConfig) { argo(c); c.Spec.GitOps.Path = "../clusters" }, "spec.gitops.path", "clean relative path"},
		{"path unclean", func(c *MeshConfig) { argo(c); c.Spec.GitOps.Path = "clusters/" }, "spec.gitops.path", "clean relative path"},
		{"fluxSource not flux", func(c *MeshConfig) { argo(c); c.Spec.GitOps.FluxSource = "mesh" }, "spec.gitops.fluxSource", "only with spec.gitops.tool flux"},
		{"fluxSource name", func(c *MeshConfig) {
			c.Spec.GitOps = GitOps{Tool: GitOpsFlux, RepoURL: "https://git.example.com/mesh.git", FluxSource: "Mesh_Repo"}
		}, "spec.gitops.fluxSource", "DNS subdomain"},
		{"hub folder as a cluster", func(c *MeshConfig) { argo(c); c.Spec.Clusters[1].Name = ArgoCDFolder }, "spec.clusters[1].name", `"argocd" is reserved`},
		{"fleet folder as a cluster", func(c *MeshConfig) {
			argo(c)
			c.Spec.GitOps.Tool = GitOpsFleet
			c.Spec.Clusters[0].Name = FleetFolder
		}, "spec.clusters[0].name", `"fleet" is reserved`},
		{"gitopsCluster without a tool", func(c *MeshConfig) { c.Spec.Clusters[0].GitOpsCluster = "x" }, "spec.clusters[0].gitopsCluster", "only argocd and fleet"},
		{"gitopsCluster with flux", func(c *MeshConfig) {
			c.Spec.GitOps = GitOps{Tool: GitOpsFlux, RepoURL: "https://git.example.com/mesh.git"}
			c.Spec.Clusters[0].GitOpsCluster = "x"
		}, "spec.clusters[0].gitopsCluster", "Flux runs in each cluster"},
		{"gitopsCluster fleet name", func(c *MeshConfig) {
			argo(c)
			c.Spec.GitOps.Tool = GitOpsFleet
			c.Spec.Clusters[1].GitOpsCluster = "Prod West"
		}, "spec.clusters[1].gitopsCluster", "DNS subdomain"},
		{"gitopsCluster argocd name", func(c *MeshConfig) { argo(c); c.Spec.Clusters[1].GitOpsCluster = "prod west" }, "spec.clusters[1].gitopsCluster", "cluster's name in Argo CD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, cs := baseConfig(t)
			tt.mutate(c)
			Default(c)
			wantError(t, Validate(c, cs), tt.path, tt.msg)
		})
	}
	for _, g := range []GitOps{
		{Tool: GitOpsArgoCD, RepoURL: "git@github.com:ops/mesh.git", Path: "clusters/prod", Revision: "release/1.24"},
		{Tool: GitOpsFlux, RepoURL: "ssh://git@github.com/ops/mesh.git", FluxSource: "mesh"},
		{Tool: GitOpsFleet, RepoURL: "https://github.com/ops/mesh"},
		{Tool: GitOpsFleet, RepoURL: "https://token@github.com/ops/mesh"},
	} {
		c, cs := baseConfig(t)
		c.Spec.GitOps = g
		c.Spec.Clusters[0].GitOpsCluster = "prod-a"
		if g.Tool == GitOpsFlux {
			c.Spec.Clusters[0].GitOpsCluster = ""
		}
		Default(c)
		if es := Validate(c, cs); es != nil {
			t.Errorf("%+v: %v", g, es)
		}
	}
}

// TestDefaultGitOps: none by default, with nothing else set; a tool gets the branch main, the
// repository's root and Flux the GitRepository flux bootstrap makes.
func TestDefaultGitOps(t *testing.T) {
	c := &MeshConfig{}
	Default(c)
	if c.Spec.GitOps != (GitOps{Tool: GitOpsNone}) {
		t.Errorf("defaults without a tool: %+v", c.Spec.GitOps)
	}
	c = &MeshConfig{Spec: Spec{GitOps: GitOps{Tool: GitOpsFlux}}}
	Default(c)
	if want := (GitOps{Tool: GitOpsFlux, Revision: DefaultRevision, Path: DefaultGitOpsPath, FluxSource: DefaultFluxSource}); c.Spec.GitOps != want {
		t.Errorf("flux defaults: %+v, want %+v", c.Spec.GitOps, want)
	}
}

// TestValidateArgoCDNames: the longest Application name of a cluster at exactly 63 characters
// passes and at 64 is refused, at the field that makes it long: each cluster's name, the mesh's
// name, the revision in istiod-<revision>; per installer's longest part (3-gateways,
// istio-eastwestgateway). Flux, which names no Application, takes the same long name.
func TestValidateArgoCDNames(t *testing.T) {
	// rename gives cluster i a name of n letters, everywhere the base config names it.
	rename := func(c *MeshConfig, cs Credentials, i int, n string) {
		old := c.Spec.Clusters[i].Name
		c.Spec.Clusters[i].Name = n
		for s := range c.Spec.Services {
			for v := range c.Spec.Services[s].Versions {
				for k, x := range c.Spec.Services[s].Versions[v].Clusters {
					if x == old {
						c.Spec.Services[s].Versions[v].Clusters[k] = n
					}
				}
			}
		}
		cr := cs[old]
		delete(cs, old)
		cr.Cluster = n
		cs[n] = cr
	}
	helm := func(c *MeshConfig) { c.Spec.Istio.Version, c.Spec.Istio.Installer = "1.24.0", InstallerHelm }
	oneNetwork := func(c *MeshConfig) {
		c.Spec.Clusters[1].Network = c.Spec.Clusters[0].Network
		off := false
		c.Spec.NetworkPolicies.Enabled = &off // shared pod ranges are not this test's
	}
	letters := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name   string
		mutate func(*MeshConfig, Credentials)
		path   string // "" when valid
		app    string // the name the error gives
	}{
		// m-<cluster>-istio-eastwestgateway: 2 + 39 + 22 = 63.
		{"helm cluster 63", func(c *MeshConfig, cs Credentials) { helm(c); rename(c, cs, 1, letters(39)) }, "", ""},
		{"helm cluster 64", func(c *MeshConfig, cs Credentials) { helm(c); rename(c, cs, 1, letters(40)) },
			"spec.clusters[1].name", "m-" + letters(40) + "-istio-eastwestgateway"},
		// m-<cluster>-3-gateways: 2 + 50 + 11 = 63.
		{"operator cluster 63", func(c *MeshConfig, cs Credentials) { rename(c, cs, 1, letters(50)) }, "", ""},
		{"operator cluster 64", func(c *MeshConfig, cs Credentials) { rename(c, cs, 1, letters(51)) },
			"spec.clusters[1].name", "m-" + letters(51) + "-3-gateways"},
		// <mesh>-a-istio-eastwestgateway: 39 + 24 = 63.
		{"helm mesh 63", func(c *MeshConfig, _ Credentials) { helm(c); c.Metadata.Name = letters(39) }, "", ""},
		{"helm mesh 64", func(c *MeshConfig, _ Credentials) { helm(c); c.Metadata.Name = letters(40) },
			"metadata.name", letters(40) + "-a-istio-eastwestgateway"},
		// m-a-istiod-<revision>: 11 + 52 = 63.
		{"helm revision 63", func(c *MeshConfig, _ Credentials) { helm(c); c.Spec.Istio.Revision = letters(52) }, "", ""},
		{"helm revision 64", func(c *MeshConfig, _ Credentials) { helm(c); c.Spec.Istio.Revision = letters(53) },
			"spec.istio.revision", "m-a-istiod-" + letters(53)},
		// Without helm the revision names no Application (the operator's is in 2-istiod).
		{"operator revision", func(c *MeshConfig, _ Credentials) { c.Spec.Istio.Revision = letters(53) }, "", ""},
		{"canary revision 64", func(c *MeshConfig, _ Credentials) {
			helm(c)
			c.Spec.Istio.Revision = "stable"
			c.Spec.Istio.Canary = &Canary{Version: "1.24.1", Revision: letters(53)}
			c.Spec.Istio.Tags = map[string]string{"default": "stable"}
		}, "spec.istio.canary.revision", "m-a-istiod-" + letters(53)},
		// The revision's release is the longest part only where it is longer than the gateway's.
		{"helm revision and cluster 64", func(c *MeshConfig, cs Credentials) {
			helm(c)
			c.Spec.Istio.Revision = letters(20) // istiod-<20>: 27 > 21
			rename(c, cs, 1, letters(35))       // 2 + 35 + 1 + 27 = 65
		}, "spec.clusters[1].name", "m-" + letters(35) + "-istiod-" + letters(20)},
		// istiod-<14 letters> is as long as istio-eastwestgateway: shortening the revision would
		// not help, so the mesh's name is what to shorten.
		{"helm mesh 64, revision as long as the gateway", func(c *MeshConfig, _ Credentials) {
			helm(c)
			c.Metadata.Name, c.Spec.Istio.Revision = letters(40), letters(14)
		}, "metadata.name", letters(40) + "-a-istio-eastwestgateway"},
		// <mesh>-a-istio-eastwestgateway is 63: a two-letter cluster name is what is too long.
		{"helm mesh 63, cluster of two", func(c *MeshConfig, cs Credentials) {
			helm(c)
			c.Metadata.Name = letters(39)
			rename(c, cs, 1, "bb")
		}, "spec.clusters[1].name", letters(39) + "-bb-istio-eastwestgateway"},
		// One network, no remotes: no east-west gateway; m-<cluster>-istio-ingressgateway.
		{"helm one network 63", func(c *MeshConfig, cs Credentials) { helm(c); oneNetwork(c); rename(c, cs, 1, letters(40)) }, "", ""},
		{"helm one network 64", func(c *MeshConfig, cs Credentials) { helm(c); oneNetwork(c); rename(c, cs, 1, letters(41)) },
			"spec.clusters[1].name", "m-" + letters(41) + "-istio-ingressgateway"},
		{"sail 64", func(c *MeshConfig, cs Credentials) {
			c.Spec.Istio.Version, c.Spec.Istio.Installer = "1.30.3", InstallerSail
			rename(c, cs, 1, letters(40))
		}, "spec.clusters[1].name", "m-" + letters(40) + "-istio-eastwestgateway"},
		// Ambient: the east-west gateway is a Gateway of 3-gateways, not a release.
		{"ambient 64", func(c *MeshConfig, cs Credentials) {
			c.Spec.Istio.Version, c.Spec.Istio.Installer, c.Spec.Istio.Profile = "1.29.0", InstallerHelm, ProfileAmbient
			c.Spec.Dataplane, c.Spec.Services[0].Ingress = DataplaneAmbient, nil
			rename(c, cs, 1, letters(51))
		}, "spec.clusters[1].name", "m-" + letters(51) + "-3-gateways"},
		{"flux", func(c *MeshConfig, cs Credentials) {
			helm(c)
			c.Spec.GitOps.Tool = GitOpsFlux
			rename(c, cs, 1, letters(40))
		}, "", ""},
	}
	// What the error says to shorten, where a case checks it.
	shorten := map[string]string{
		"helm mesh 64": "metadata.name by 1",
		"helm mesh 64, revision as long as the gateway": "metadata.name by 1",
		"helm revision 64":             "metadata.name or spec.istio.revision by 1",
		"helm revision and cluster 64": "metadata.name or spec.clusters[1].name or spec.istio.revision by 2",
		"helm cluster 64":              "metadata.name or spec.clusters[1].name by 1",
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, cs := baseConfig(t)
			c.Spec.GitOps = GitOps{Tool: GitOpsArgoCD, RepoURL: "https://git.example.com/ops/mesh.git"}
			tt.mutate(c, cs)
			Default(c)
			es := Validate(c, cs)
			if tt.path == "" {
				if es != nil {
					t.Fatalf("refused: %v", es)
				}
				return
			}
			wantError(t, es, tt.path, fmt.Sprintf("%q %d characters", tt.app, len(tt.app)))
			if sh := shorten[tt.name]; sh != "" {
				wantError(t, es, tt.path, "shorten "+sh+" in all")
			}
			if len(es) != 1 {
				t.Errorf("want one error, got %v", es)
			}
		})
	}
}
