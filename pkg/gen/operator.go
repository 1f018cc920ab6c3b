package gen

import "github.com/meshgen/meshgen/pkg/api"

// The operator installer: two IstioOperators, as istioctl install reads them, one for the
// control plane and one for the east-west gateway.

// controlPlane is the IstioOperator of istiod: the one place where a cluster's ID, network and
// mesh are joined, so each value comes from the cluster entry and nowhere else. It is named
// after the MeshConfig: a mesh ID may hold characters an object name cannot.
func (g *gen) controlPlane(cl *api.Cluster) {
	ist := &g.cfg.Spec.Istio
	op := &istioOperator{object: g.meta(g.cpNamespace(), g.cfg.Metadata.Name)}
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
	g.add(cl.Name, kIstioOperator, op)
}

func (g *gen) global(cl *api.Cluster) *globalValues {
	return &globalValues{
		MeshID:       g.cfg.Spec.MeshID,
		MultiCluster: &multiCluster{ClusterName: cl.Name, Enabled: true},
		Network:      cl.Network,
	}
}

// eastWestGateway is the IstioOperator of the gateway that joins this cluster's network to the
// others (profile empty, so it installs nothing else).
func (g *gen) eastWestGateway(cl *api.Cluster) {
	ist := &g.cfg.Spec.Istio
	op := &istioOperator{object: g.meta(g.cpNamespace(), "eastwest")}
	op.Spec = operatorSpec{
		Profile:  "empty",
		Hub:      ist.Hub,
		Tag:      ist.Version,
		Revision: ist.Revision,
		Components: &components{IngressGateways: []gatewayComponent{{
			Name:    "istio-eastwestgateway",
			Enabled: true,
			Label: map[string]string{
				"istio":      "eastwestgateway",
				"app":        "istio-eastwestgateway",
				networkLabel: cl.Network,
			},
			K8s: &k8sSpec{
				// The gateway must ask istiod for the view of its own network only.
				Env: []envVar{{Name: "ISTIO_META_REQUESTED_NETWORK_VIEW", Value: cl.Network}},
				Service: &gatewayService{Ports: []servicePort{
					gatewayPort("status-port", statusPort),
					gatewayPort("tls", mtlsPort),
					gatewayPort("tls-istiod", istiodPort),
					gatewayPort("tls-webhook", webhookPort),
				}},
			},
		}}},
		Values: &operatorValues{
			Global:   g.global(cl),
			Gateways: &gatewayValues{IstioIngressgateway: &injection{InjectionTemplate: "gateway"}},
		},
	}
	g.add(cl.Name, kIstioOperator, op)
}

func gatewayPort(name string, port int32) servicePort {
	return servicePort{Name: name, Port: port, TargetPort: port}
}
