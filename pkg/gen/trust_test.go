package gen_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/meshgen/meshgen/internal/invariant"
	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/gen"
	"github.com/meshgen/meshgen/pkg/synth"
)

func trustInput(t *testing.T, mode, version string) *api.Input {
	t.Helper()
	m, err := synth.Read("../../examples/cert-manager")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(m.Config), "mode: certManager", "mode: "+mode, 1)
	m.Config = []byte(strings.Replace(s, "version: 1.31.0", "version: "+version, 1))
	in, err := m.Input()
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// trustObjects lists one cluster's trust objects as kind/namespace/name.
func trustObjects(t *testing.T, in *api.Input) []string {
	t.Helper()
	objs, _ := objects(t, in, "par")
	var got []string
	for _, o := range objs {
		if o.Kind == "ClusterIssuer" || o.Kind == "Certificate" {
			got = append(got, o.Kind+"/"+o.Namespace+"/"+o.Name)
		}
	}
	return got
}

func TestTrustCertManagerObjects(t *testing.T) {
	got := trustObjects(t, trustInput(t, api.TrustCertManager, "1.31.0"))
	want := []string{"ClusterIssuer//shop-eu-root-ca", "Certificate/istio-system/cacerts"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v", got, want)
	}
	// Negative control: external trust writes neither.
	if got := trustObjects(t, trustInput(t, api.TrustExternal, "1.31.0")); len(got) != 0 {
		t.Errorf("external: %v", got)
	}
}

func TestTrustInfo(t *testing.T) {
	for _, tc := range []struct {
		mode, version string
		want, not     []string
	}{
		{api.TrustExternal, "1.12.0", []string{"Secret cacerts in namespace istio-system", "ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem", "before istiod starts"}, []string{"AUTO_RELOAD"}},
		{api.TrustCertManager, "1.17.3", []string{"Secret shop-eu-root-ca", "namespace cert-manager", "AUTO_RELOAD_PLUGIN_CERTS=true"}, nil},
		// Negative control: from 1.18 istiod reloads cacerts by default.
		{api.TrustCertManager, "1.18.0", []string{"Secret shop-eu-root-ca", "Ready before istiod starts"}, []string{"AUTO_RELOAD"}},
	} {
		info := strings.Join(gen.Info(trustInput(t, tc.mode, tc.version).Config), "\n")
		for _, w := range tc.want {
			if !strings.Contains(info, w) {
				t.Errorf("%s %s: lacks %q:\n%s", tc.mode, tc.version, w, info)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(info, n) {
				t.Errorf("%s %s: has %q:\n%s", tc.mode, tc.version, n, info)
			}
		}
	}
}

// TestTrustRule checks the trust rule with certManager on every case the rules run on
// (TestInvariants covers them as they are, most with external trust): each primary gets the
// Certificate cacerts and its CA ClusterIssuer, a remote neither. Negative controls: the
// remote given its primary's Certificate and ClusterIssuer back, a primary without its
// Certificate, and a remote whose README asks for cacerts each break the rule.
func TestTrustRule(t *testing.T) {
	cases, err := invariant.Cases("../..")
	if err != nil {
		t.Fatal(err)
	}
	rule := invariant.RuleNamed("trust")
	remotes := 0
	var pr *invariant.Mesh
	for _, c := range cases {
		in, err := c.Mesh.Input()
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := api.ParseSemver(in.Config.Spec.Istio.Version); !ok || v.Less(api.MinCertManagerIstio) {
			continue // certManager needs a newer istiod (api.validateTrust)
		}
		in.Config.Spec.Trust.Mode = api.TrustCertManager
		b, err := yaml.Marshal(in.Config)
		if err != nil {
			t.Fatal(err)
		}
		in, err = synth.Mesh{Config: b, Credentials: c.Mesh.Credentials}.Input()
		if err != nil {
			t.Fatalf("%s with certManager: %v", c.Name, err)
		}
		m := generated(t, in)
		for _, v := range rule.Check(m) {
			t.Errorf("%s with certManager: %s", c.Name, v)
		}
		for _, cl := range in.Config.Spec.Clusters {
			if cl.Remote() {
				remotes++
			}
		}
		if c.Name == "primary-remote" {
			pr = m
		}
	}
	if remotes == 0 || pr == nil {
		t.Fatalf("no case with a remote under certManager (%d remotes)", remotes)
	}

	controls := map[string]func(m *invariant.Mesh){
		"remote given its primary's CA": func(m *invariant.Mesh) {
			for _, o := range m.Objects {
				if o.Cluster == "hub" && (o.Doc["kind"] == "Certificate" || o.Doc["kind"] == "ClusterIssuer") {
					o.Cluster = "edge"
					m.Objects = append(m.Objects, o)
				}
			}
		},
		"primary without its Certificate": func(m *invariant.Mesh) {
			m.Objects = slices.DeleteFunc(m.Objects, func(o invariant.Object) bool {
				return o.Cluster == "hub" && o.Doc["kind"] == "Certificate"
			})
		},
		"remote README asking for cacerts": func(m *invariant.Mesh) {
			m.AddFile("edge", "README.md", []byte("- the Secret cacerts in namespace istio-system, before istiod starts\n"))
		},
	}
	for name, f := range controls {
		m := *pr
		m.Objects = slices.Clone(pr.Objects)
		m.Installer = maps.Clone(pr.Installer)
		m.Installer["edge"] = maps.Clone(pr.Installer["edge"])
		f(&m)
		if vs := rule.Check(&m); len(vs) == 0 {
			t.Errorf("control %q: the rule holds", name)
		} else {
			t.Logf("control %q: %s", name, vs[0])
		}
	}
}

// TestTrustInfoRemotes: with remotes, the trust info asks the primaries only for cacerts.
// Negative control: cert-manager's example, which has no remote, still says every cluster.
func TestTrustInfoRemotes(t *testing.T) {
	m, err := synth.Read("../../examples/primary-remote")
	if err != nil {
		t.Fatal(err)
	}
	in, err := m.Input()
	if err != nil {
		t.Fatal(err)
	}
	if info := strings.Join(gen.Info(in.Config), "\n"); !strings.Contains(info, "every primary cluster (not the remotes edge,") {
		t.Errorf("primary-remote:\n%s", info)
	}
	if info := strings.Join(gen.Info(trustInput(t, api.TrustExternal, "1.31.0").Config), "\n"); !strings.Contains(info, "external: every cluster needs") {
		t.Errorf("cert-manager:\n%s", info)
	}
}
