package gen

import "github.com/meshgen/meshgen/pkg/api"

// NetworkPolicies of the ambient data plane. Ambient traffic is HBONE on 15008 end to end:
// ztunnel, inside each mesh pod's network namespace, connects to the destination pod's 15008,
// to a waypoint's, or to the other network's east-west gateway's; NetworkPolicy sees those
// connections, so every mesh pod must accept and open 15008 (Istio's "Ambient and Kubernetes
// NetworkPolicy"). Kubelet probes reach ambient pods from a fixed link-local address.

// kubeletProbes is the address ambient's CNI rewrites kubelet probes to, so that they pass
// its own policy; a NetworkPolicy must admit it or the pods' probes fail.
const kubeletProbes = "169.254.7.127/32"

var ztunnelSelector = map[string]string{"app": "ztunnel"}

// ambientEastWestSelector and waypointSelector are the labels Istio puts on the pods it
// deploys for those Gateway API Gateways.
var ambientEastWestSelector = map[string]string{gatewayNameLabel: EastWestRelease}

func waypointSelector() map[string]string { return map[string]string{gatewayNameLabel: WaypointName} }

// ambientPolicies writes the policies of ambient's own workloads: ztunnel (to istiod only; the
// traffic it carries is the mesh pods'), the east-west gateway (HBONE in from anywhere, the
// other networks' ztunnels and waypoints; out to the mesh pods here) and each waypoint.
func (g *gen) ambientPolicies(cl *api.Cluster, meshPods []networkPolicyPeer, istiod networkPolicyPeer) {
	if !g.ambient() {
		return
	}
	cp := g.cpNamespace()
	toIstiod := networkPolicyRule{Ports: tcp([]int{istiodPort}), To: []networkPolicyPeer{istiod}}

	np := g.policy(cp, "np-ztunnel", labelSelector{MatchLabels: ztunnelSelector})
	np.Spec.Ingress = append([]networkPolicyRule{{Ports: tcp([]int{statusPort})}}, g.monitoring()...)
	np.Spec.Egress = []networkPolicyRule{toIstiod}
	g.add(cl.Name, kNetworkPolicy, np)

	if g.multiNetwork {
		np = g.policy(cp, "np-istio-eastwest", labelSelector{MatchLabels: ambientEastWestSelector})
		np.Spec.Ingress = append([]networkPolicyRule{{Ports: tcp([]int{hbonePort, statusPort})}}, g.monitoring()...)
		np.Spec.Egress = []networkPolicyRule{{Ports: tcp([]int{hbonePort}), To: meshPods}, toIstiod}
		g.add(cl.Name, kNetworkPolicy, np)
	}

	ew := networkPolicyPeer{NamespaceSelector: &labelSelector{MatchLabels: map[string]string{metadataName: cp}}, PodSelector: &labelSelector{MatchLabels: ambientEastWestSelector}}
	for _, ns := range g.waypointNamespaces() {
		np := g.policy(ns, "np-"+WaypointName, labelSelector{MatchLabels: waypointSelector()})
		np.Spec.Ingress = append([]networkPolicyRule{
			{Ports: tcp([]int{hbonePort}), From: append(append([]networkPolicyPeer(nil), meshPods...), ew)},
			{Ports: tcp([]int{statusPort})},
		}, g.monitoring()...)
		// Out to any address on 15008: the versions here, and the other networks' east-west
		// gateways, whose addresses only the load balancers know.
		np.Spec.Egress = []networkPolicyRule{{Ports: tcp([]int{hbonePort})}, toIstiod, {Ports: dns()}}
		g.add(cl.Name, kNetworkPolicy, np)
	}
}

// ambientServiceRules opens a mesh service's pods to HBONE: in from the mesh pods, the
// waypoints (mesh pods too) and the east-west gateway, and the kubelet's probes; out to any
// address on 15008 (pods here, waypoints, the other networks' east-west gateways).
func (g *gen) ambientServiceRules(np *networkPolicy, meshPods []networkPolicyPeer) {
	if !g.ambient() {
		return
	}
	from := append(append([]networkPolicyPeer(nil), meshPods...), networkPolicyPeer{
		NamespaceSelector: &labelSelector{MatchLabels: map[string]string{metadataName: g.cpNamespace()}},
		PodSelector:       &labelSelector{MatchLabels: ambientEastWestSelector},
	})
	np.Spec.Ingress = append(np.Spec.Ingress,
		networkPolicyRule{Ports: tcp([]int{hbonePort}), From: from},
		networkPolicyRule{From: []networkPolicyPeer{{IPBlock: &ipBlock{CIDR: kubeletProbes}}}})
	np.Spec.Egress = append(np.Spec.Egress, networkPolicyRule{Ports: tcp([]int{hbonePort})})
}
