package gen_test

import (
	"testing"

	"github.com/meshgen/meshgen/internal/invariant"
)

// TestACMEPorts: the control plane's pods may call out on 80 only for ACME: with issuers they
// can, without them (and no API server on 80) they cannot.
func TestACMEPorts(t *testing.T) {
	cs, err := invariant.Examples("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		bare, err := invariant.Bare(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			c    invariant.Case
			want bool
		}{{c, true}, {bare, false}} {
			in, err := tt.c.Mesh.Input()
			if err != nil {
				t.Fatal(err)
			}
			if len(in.Config.Spec.Issuers) > 0 != tt.want {
				continue
			}
			m := generated(t, in)
			cp := invariant.Peer{Namespace: in.Config.Spec.ControlPlane.Namespace, Labels: map[string]string{"app": "istiod"}}
			for _, cl := range in.Config.Spec.Clusters {
				if got := m.Allows(cl.Name, cp, invariant.Peer{Outside: true}, "TCP", 80); got != tt.want {
					t.Errorf("%s %s: port 80 out of the control plane: %v, want %v", tt.c.Name, cl.Name, got, tt.want)
				}
			}
		}
	}
}
