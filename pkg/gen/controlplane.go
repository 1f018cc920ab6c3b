package gen

import "github.com/meshgen/meshgen/pkg/api"

const operatorAPI = "install.istio.io/v1alpha1"

// controlPlane is the IstioOperator of istiod: the one place where a cluster's ID, network and
// mesh are joined, so each value comes from the cluster entry and nowhere else. It is named
// after the MeshConfig: a mesh ID may hold characters an object name cannot.
func (g *gen) controlPlane(cl *api.Cluster) {
	ist := &g.cfg.Spec.Istio
	op := &istioOperator{object: object{TypeMeta: typeMeta(operatorAPI, "IstioOperator"), ObjectMeta: g.meta(g.cpNamespace(), g.cfg.Metadata.Name)}}
	op.Spec = operatorSpec{
		Profile:  ist.Profile,
		Hub:      ist.Hub,
		Tag:      ist.Version,
		Revision: ist.Revision,
		Values:   &operatorValues{Global: g.global(cl)},
	}
	if ist.CNI {
		op.Spec.Components = &components{CNI: &component{Enabled: true, Namespace: g.cpNamespace()}}
	}
	g.add(cl.Name, operatorAPI, "IstioOperator", &op.ObjectMeta, op)
}

func (g *gen) global(cl *api.Cluster) *globalValues {
	return &globalValues{
		MeshID:       g.cfg.Spec.MeshID,
		MultiCluster: &multiCluster{ClusterName: cl.Name, Enabled: true},
		Network:      cl.Network,
	}
}
