package gen

import (
	"net/url"
	"slices"
	"strconv"

	"github.com/meshgen/meshgen/pkg/api"
)

// Ports of Istio's workloads that the NetworkPolicies name (see Istio's "Ports used by Istio").
const (
	monitoringPort = 15014 // istiod's metrics
	mergedMetrics  = 15020 // a sidecar's merged Prometheus metrics and rewritten app probes
	envoyMetrics   = 15090 // Envoy's own Prometheus metrics
	dnsPort        = 53
	// The ingress gateway runs unprivileged and listens on these for 80 and 443.
	gatewayHTTP  = 8080
	gatewayHTTPS = 8443
	// kubernetesServicePort is the in-cluster API server endpoint, the kubernetes Service.
	kubernetesServicePort = 443
)

// Pod labels of Istio's workloads, as its charts set them.
var (
	istiodSelector = map[string]string{"app": "istiod"}
	egressSelector = map[string]string{"istio": "egressgateway"}
)

const metadataName = "kubernetes.io/metadata.name"

// networkPolicies opens what the mesh needs, workload by workload, under Rancher's project
// network isolation or any default-deny: each Istio workload gets the ports it serves and
// nothing else (istiod's plaintext xDS 15010 and debug 8080 stay closed to other namespaces),
// and every mesh workload may call every mesh service, here or in a peer cluster: on another
// network through the east-west gateways (15443), on the same network pod to pod.
func (g *gen) networkPolicies(cl *api.Cluster) {
	s := &g.cfg.Spec
	if !*s.NetworkPolicies.Enabled {
		return
	}
	cp := g.cpNamespace()
	meshNamespaces := g.meshNamespaces()
	inCP := func(pods map[string]string) networkPolicyPeer {
		return networkPolicyPeer{NamespaceSelector: &labelSelector{MatchLabels: map[string]string{metadataName: cp}}, PodSelector: &labelSelector{MatchLabels: pods}}
	}
	// In a remote, istiod is the primary's, behind its east-west address (remote.go).
	istiod := g.istiodPeers(cl, inCP(istiodSelector))
	svcPorts := g.servicePorts()
	dnsRule := networkPolicyRule{Ports: dns()}
	// The pods of the clusters on this network, which connect to the mesh's pods here
	// directly and take their connections: known only by their address ranges.
	peerPods := g.networkPeerPods(cl)
	meshPods := append(slices.Clone(meshNamespaces), peerPods...)

	// The control-plane namespace is closed but for name lookups; each workload's own policy
	// below opens what it serves and calls. Policies add up, so this one only isolates.
	np := g.policy(cp, "np-istio", labelSelector{})
	np.Spec.Egress = []networkPolicyRule{dnsRule}
	g.add(cl.Name, kNetworkPolicy, np)

	// istiod: xDS and certificates (15012) and metrics (15014) for the cluster's pods; the
	// webhooks (15017) for the API server, which is no pod and has no address known here.
	// Out: the local API server and every peer's, through the remote secrets.
	if !cl.Remote() {
		np = g.policy(cp, "np-istiod", labelSelector{MatchLabels: istiodSelector})
		np.Spec.Ingress = []networkPolicyRule{
			{Ports: tcp([]int{istiodPort, monitoringPort}), From: []networkPolicyPeer{{NamespaceSelector: &labelSelector{}}}},
			{Ports: tcp([]int{webhookPort})},
		}
		np.Spec.Egress = []networkPolicyRule{{Ports: tcp(g.apiServerPorts())}}
		g.add(cl.Name, kNetworkPolicy, np)
	}

	// The gateways' policies are not named np-<Service>: Rancher's project network isolation
	// writes and reconciles np-istio-ingressgateway and np-istio-eastwestgateway for their
	// load balancer Services (the seed lists both), and two owners would fight over them.

	// The ingress gateway: its listeners and the load balancer's health check from anywhere;
	// out to the mesh's services, here, in the peers on this network, or through the other
	// networks' east-west gateways.
	np = g.policy(cp, "np-istio-ingress", labelSelector{MatchLabels: ingressSelector})
	np.Spec.Ingress = append([]networkPolicyRule{{Ports: tcp([]int{gatewayHTTP, gatewayHTTPS, statusPort})}}, g.monitoring()...)
	np.Spec.Egress = []networkPolicyRule{
		{Ports: tcp(svcPorts), To: meshPods},
		{Ports: tcp([]int{istiodPort}), To: istiod},
	}
	if g.multiNetwork {
		np.Spec.Egress = append(np.Spec.Egress, networkPolicyRule{Ports: tcp([]int{mtlsPort})})
	}
	g.add(cl.Name, kNetworkPolicy, np)

	// The east-west gateway, where the cluster has one: 15443 from the other networks and the
	// health check; out to the versions on its network, here or in a peer. In a primary with
	// remotes also 15012 and 15017 from the remotes (their pods, and their API servers calling
	// the webhooks: addresses known nowhere here) on to istiod.
	gateways := []networkPolicyPeer{inCP(ingressSelector)}
	g.ambientPolicies(cl, meshPods, inCP(istiodSelector)) // ambient has no remotes (api refuses them)
	if g.hasEastWest(cl) && !g.ambient() {
		in, toIstiod := []int{statusPort}, []int{istiodPort}
		if g.multiNetwork {
			in = append(in, mtlsPort)
		}
		if g.exposesIstiod(cl) {
			in, toIstiod = append(in, istiodPort, webhookPort), append(toIstiod, webhookPort)
		}
		np = g.policy(cp, "np-istio-eastwest", labelSelector{MatchLabels: eastWestSelector})
		np.Spec.Ingress = append([]networkPolicyRule{{Ports: tcp(in)}}, g.monitoring()...)
		np.Spec.Egress = []networkPolicyRule{
			{Ports: tcp(svcPorts), To: meshPods},
			{Ports: tcp(toIstiod), To: istiod},
		}
		g.add(cl.Name, kNetworkPolicy, np)
		gateways = append(gateways, inCP(eastWestSelector))
	}

	// The egress gateway, which only the demo profile installs: the mesh's workloads may send
	// through it, and it may go anywhere, which is its job. Without a policy of its own the
	// namespace's isolation would keep it from istiod and it would never become ready.
	exits := []networkPolicyPeer{inCP(ingressSelector)}
	if g.cfg.Spec.Istio.Profile == "demo" {
		np = g.policy(cp, "np-istio-egress", labelSelector{MatchLabels: egressSelector})
		np.Spec.Ingress = append([]networkPolicyRule{{Ports: tcp([]int{gatewayHTTP, gatewayHTTPS}), From: meshNamespaces}}, g.monitoring()...)
		np.Spec.Egress = []networkPolicyRule{{}}
		g.add(cl.Name, kNetworkPolicy, np)
		exits = append(exits, inCP(egressSelector))
	}

	for _, svc := range s.Services {
		np := g.policy(svc.Namespace, "np-"+svc.Name, labelSelector{MatchLabels: map[string]string{"app": svc.Name}})
		from := append(append(slices.Clone(meshNamespaces), gateways...), peerPods...)
		np.Spec.Ingress = append([]networkPolicyRule{{Ports: tcp([]int{svc.Port}), From: from}}, g.monitoring()...)
		np.Spec.Egress = []networkPolicyRule{
			{Ports: tcp(svcPorts), To: meshPods},
			{Ports: tcp([]int{istiodPort}), To: istiod},
			// The mesh's public hosts, called from inside: the load balancer hands them to the
			// ingress gateway's listeners; and the egress gateway, where there is one.
			{Ports: tcp([]int{gatewayHTTP, gatewayHTTPS}), To: exits},
		}
		if g.multiNetwork && !g.ambient() {
			// The other networks' versions, through their east-west gateways' addresses.
			np.Spec.Egress = append(np.Spec.Egress, networkPolicyRule{Ports: tcp([]int{mtlsPort})})
		}
		g.ambientServiceRules(np, meshPods)
		np.Spec.Egress = append(np.Spec.Egress, dnsRule)
		g.add(cl.Name, kNetworkPolicy, np)
	}
}

// networkPeerPods are the pod ranges of the other clusters on cl's network, in the order of
// spec.clusters: validation requires them when NetworkPolicies are written. A cluster's
// pods are no pods to a NetworkPolicy of another cluster, only addresses.
func (g *gen) networkPeerPods(cl *api.Cluster) []networkPolicyPeer {
	var ps []networkPolicyPeer
	for _, p := range g.cfg.Spec.NetworkPeers(cl) {
		for _, c := range p.PodCIDRs {
			ps = append(ps, networkPolicyPeer{IPBlock: &ipBlock{CIDR: c}})
		}
	}
	return ps
}

// monitoring is the rule that lets the configured monitoring namespace scrape a sidecar or
// gateway; none without one.
func (g *gen) monitoring() []networkPolicyRule {
	m := g.cfg.Spec.NetworkPolicies.MonitoringNamespace
	if m == "" {
		return nil
	}
	return []networkPolicyRule{{
		Ports: tcp([]int{mergedMetrics, envoyMetrics}),
		From:  []networkPolicyPeer{{NamespaceSelector: &labelSelector{MatchLabels: map[string]string{metadataName: m}}}},
	}}
}

// servicePorts are the ports of every mesh service: any mesh workload may call any of them.
func (g *gen) servicePorts() []int {
	var ps []int
	for _, svc := range g.cfg.Spec.Services {
		ps = append(ps, svc.Port)
	}
	return ps
}

func (g *gen) policy(namespace, name string, sel labelSelector) *networkPolicy {
	return &networkPolicy{
		object: g.meta(namespace, name),
		Spec:   networkPolicySpec{PodSelector: sel, PolicyTypes: []string{"Ingress", "Egress"}},
	}
}

// apiServerPorts are the configured local ports, the kubernetes Service's 443 (the in-cluster
// endpoint, which some network plugins check before translating it to the API server's
// address), and the port of every cluster's apiServer URL.
func (g *gen) apiServerPorts() []int {
	ports := append(slices.Clone(g.cfg.Spec.NetworkPolicies.APIServerPorts), kubernetesServicePort)
	for _, cl := range g.cfg.Spec.Clusters {
		if cl.APIServer == "" {
			continue
		}
		u, err := url.Parse(cl.APIServer)
		if err != nil {
			continue
		}
		p := 443
		if n, err := strconv.Atoi(u.Port()); err == nil {
			p = n
		}
		ports = append(ports, p)
	}
	return ports
}

// tcp turns ports into TCP rules, sorted and without repeats so the output is stable.
func tcp(ports []int) []networkPolicyPort {
	ports = slices.Clone(ports)
	slices.Sort(ports)
	ports = slices.Compact(ports)
	r := make([]networkPolicyPort, len(ports))
	for i, p := range ports {
		r[i] = rule("TCP", p)
	}
	return r
}

func dns() []networkPolicyPort {
	return []networkPolicyPort{rule("UDP", dnsPort), rule("TCP", dnsPort)}
}

func rule(proto string, port int) networkPolicyPort {
	return networkPolicyPort{Protocol: proto, Port: int32(port)}
}
