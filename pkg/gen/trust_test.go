package gen_test

import (
	"strings"
	"testing"

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
