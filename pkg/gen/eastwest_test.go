package gen

import "testing"

// TestEastWestOnlyAcrossNetworks: the east-west gateway (the installer's step) and the
// cross-network Gateway are written in every cluster of a mesh that spans networks, so each
// network has one, and in no cluster of a mesh on one network; the network label of the
// control-plane namespace, which Istio reads, stays each cluster's own.
func TestEastWestOnlyAcrossNetworks(t *testing.T) {
	for name, topo := range topologies {
		in := topo()
		multi := len(in.Config.Spec.Networks()) > 1
		objs := generate(in)
		for _, cl := range in.Config.Spec.Clusters {
			gw := len(find(objs, cl.Name, "Gateway", "cross-network-gateway")) == 1
			op := len(find(objs, cl.Name, "IstioOperator", "eastwest")) == 1
			if gw != multi || op != multi {
				t.Errorf("%s: %s: cross-network Gateway %v, east-west gateway %v; want %v", name, cl.Name, gw, op, multi)
			}
			for _, o := range find(objs, cl.Name, "Namespace", in.Config.Spec.ControlPlane.Namespace) {
				if l := o.Body.(*namespace).Labels[networkLabel]; l != cl.Network {
					t.Errorf("%s: %s: namespace %s has network %q, want %q", name, cl.Name, o.Name, l, cl.Network)
				}
			}
		}
	}
}
