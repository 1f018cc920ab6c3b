package gen

import "github.com/meshgen/meshgen/pkg/api"

// The operator installer: two IstioOperators, applied, that the in-cluster Istio operator
// (istioctl operator init, Istio < 1.24) installs: one for the control plane and one for the
// east-west gateway. The istioctl installer writes the same two as files for istioctl install.

func (g *gen) operatorControlPlane(cl *api.Cluster) {
	for _, r := range g.cfg.Spec.Istio.Revisions() {
		g.add(cl.Name, kIstioOperator, g.controlPlane(cl, r))
	}
}

func (g *gen) operatorEastWest(cl *api.Cluster) {
	g.addAt(cl.Name, PhaseGateways, kIstioOperator, g.eastWestGateway(cl))
}

func (g *gen) operatorReadme(cl *api.Cluster) {
	g.readme(cl, "Istio "+g.cfg.Spec.Istio.Version+" is installed by the in-cluster Istio operator (spec.istio.installer: operator)\n"+
		"from the IstioOperators of the phases 2-istiod and 3-gateways. The operator must be running\n"+
		"before they are applied: install it once per cluster (the rollout below does, after the first\n"+
		"phase; with a GitOps tool, do it by hand first)."+g.revisionNote(), g.operatorInits())
}

// operatorInits are the commands that install the Istio operators the IstioOperators need: one
// per revision, each of its own release.
func (g *gen) operatorInits() []string {
	var cmds []string
	for _, r := range g.cfg.Spec.Istio.Revisions() {
		cmd := "istioctl operator init --tag " + r.Version + " --hub " + g.cfg.Spec.Istio.Hub
		if r.Revision != "" {
			cmd += " --revision " + r.Revision
		}
		if ns := g.cpNamespace(); ns != api.DefaultNamespace {
			cmd += " --watchedNamespaces " + ns
		}
		cmds = append(cmds, cmd)
	}
	return cmds
}

// controlPlane is the IstioOperator of istiod: the one place where a cluster's ID, network and
// mesh are joined, so each value comes from the cluster entry and nowhere else. It is named
// after the MeshConfig (a mesh ID may hold characters an object name cannot) and the revision.
func (g *gen) controlPlane(cl *api.Cluster, r api.Rev) *istioOperator {
	ist := &g.cfg.Spec.Istio
	op := &istioOperator{object: g.meta(g.cpNamespace(), revisionName(g.cfg.Metadata.Name, r))}
	op.Spec = operatorSpec{
		Profile:  ist.Profile,
		Hub:      ist.Hub,
		Tag:      r.Version,
		Revision: r.Revision,
		Values:   &operatorValues{Global: g.global(cl), RevisionTags: g.revisionTags(r), DefaultRevision: g.defaultRevision()},
	}
	if ist.CNI && g.ownsShared(r) {
		op.Spec.Components = &components{CNI: &component{Enabled: true, Namespace: g.cpNamespace()}}
	}
	if !g.ownsShared(r) {
		op.Spec.Components = &components{IngressGateways: []gatewayComponent{{Name: IngressRelease, Enabled: false}}}
	}
	g.ambientOperator(op)
	g.operatorTopology(cl, op)
	return op
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
func (g *gen) eastWestGateway(cl *api.Cluster) *istioOperator {
	ist := &g.cfg.Spec.Istio
	gw := ist.Gateways()
	op := &istioOperator{object: g.meta(g.cpNamespace(), "eastwest")}
	op.Spec = operatorSpec{
		Profile:  "empty",
		Hub:      ist.Hub,
		Tag:      gw.Version,
		Revision: gw.Revision,
		Components: &components{IngressGateways: []gatewayComponent{{
			Name:    EastWestRelease,
			Enabled: true,
			Label: map[string]string{
				"istio":      "eastwestgateway",
				"app":        EastWestRelease,
				networkLabel: cl.Network,
			},
			K8s: &k8sSpec{
				// The gateway must ask istiod for the view of its own network only.
				Env:     []envVar{{Name: "ISTIO_META_REQUESTED_NETWORK_VIEW", Value: cl.Network}},
				Service: &gatewayService{Ports: eastWestPorts()},
			},
		}}},
		Values: &operatorValues{
			Global:   g.global(cl),
			Gateways: &gatewayValues{IstioIngressgateway: &injection{InjectionTemplate: "gateway"}},
		},
	}
	return op
}

func gatewayPort(name string, port int32) servicePort {
	return servicePort{Name: name, Port: port, TargetPort: port}
}
