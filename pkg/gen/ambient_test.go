package gen_test

import (
	"strings"
	"testing"

	"github.com/meshgen/meshgen/internal/invariant"
	"github.com/meshgen/meshgen/pkg/api"
)

// ambientExample is examples/ambient's input.
func ambientExample(t *testing.T) *api.Input {
	t.Helper()
	cs, err := invariant.Examples("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Name == "ambient" {
			in, err := c.Mesh.Input()
			if err != nil {
				t.Fatal(err)
			}
			return in
		}
	}
	t.Fatal("no example ambient")
	return nil
}

// TestAmbientIstioctlRules: the ambient example installed with istioctl keeps every rule, and
// the ambient-dataplane rule sees an IstioOperator without istiod's multi-network switch.
func TestAmbientIstioctlRules(t *testing.T) {
	in := ambientExample(t)
	in.Config.Spec.Istio.Installer = api.InstallerIstioctl
	if es := api.Validate(in.Config, in.Creds); es != nil {
		t.Fatal(es)
	}
	m := generated(t, in)
	for _, v := range invariant.Check(m) {
		t.Error(v)
	}
	n := 0
	for name, b := range m.Installer["geneva"] {
		if strings.HasPrefix(name, "istioctl/") {
			m.Installer["geneva"][name] = []byte(strings.Replace(string(b), "AMBIENT_ENABLE_MULTI_NETWORK", "AMBIENT_ENABLE_BAGGAGE", 1))
			n++
		}
	}
	if n != 1 {
		t.Fatalf("geneva: %d istioctl files, want 1", n)
	}
	if vs := invariant.RuleNamed("ambient-dataplane").Check(m); len(vs) == 0 {
		t.Error("ambient-dataplane did not catch an IstioOperator without AMBIENT_ENABLE_MULTI_NETWORK")
	}
}
