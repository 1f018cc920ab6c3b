package gen

import (
	"net/url"
	"slices"
	"strconv"

	"github.com/meshgen/meshgen/pkg/api"
)

// Istio's control-plane ports: xDS plain and TLS, monitoring, the injection webhook.
const (
	xdsPort        = 15010
	monitoringPort = 15014
	dnsPort        = 53
	// The ingress gateway runs unprivileged and listens on these for 80 and 443.
	gatewayHTTP  = 8080
	gatewayHTTPS = 8443
)

// networkPolicies opens exactly what the mesh needs under Rancher's project network isolation.
// Each rule exists because the seed lost traffic without it.
func (g *gen) networkPolicies(cl *api.Cluster) {
	s := &g.cfg.Spec
	if !*s.NetworkPolicies.Enabled {
		return
	}
	k, v := g.injection()
	meshNamespaces := []networkPolicyPeer{{NamespaceSelector: &labelSelector{MatchLabels: map[string]string{k: v}}}}
	np := g.policy(g.cpNamespace(), "np-istio", labelSelector{})
	np.Spec.Ingress = []networkPolicyRule{{From: meshNamespaces}}
	np.Spec.Egress = []networkPolicyRule{{To: meshNamespaces}}
	g.add(cl.Name, "networking.k8s.io/v1", "NetworkPolicy", &np.ObjectMeta, np)

	in := []int{xdsPort, istiodPort, monitoringPort, webhookPort, statusPort, mtlsPort}
	if g.hasIngress() {
		in = append(in, gatewayHTTP, gatewayHTTPS)
	}
	out := []int{xdsPort, istiodPort, monitoringPort, webhookPort, statusPort, mtlsPort}
	// istiod watches every peer's API server through its remote secret, and its own.
	out = append(out, g.apiServerPorts()...)
	if len(s.Issuers) > 0 {
		// ACME and the DNS-01 webhook are reached over HTTP(S).
		out = append(out, 80, 443)
	}
	np = g.policy(g.cpNamespace(), "np-istio-ports", labelSelector{})
	np.Spec.Ingress = []networkPolicyRule{{Ports: tcp(in)}}
	np.Spec.Egress = []networkPolicyRule{{Ports: append(tcp(out), dns()...)}}
	g.add(cl.Name, "networking.k8s.io/v1", "NetworkPolicy", &np.ObjectMeta, np)

	for _, svc := range s.Services {
		np := g.policy(svc.Namespace, "np-"+svc.Name, labelSelector{MatchLabels: map[string]string{"app": svc.Name}})
		np.Spec.Ingress = []networkPolicyRule{{Ports: tcp([]int{svc.Port, istiodPort})}}
		// 15443: a sidecar reaches the other clusters' versions through their east-west gateways.
		np.Spec.Egress = []networkPolicyRule{{Ports: append(tcp([]int{svc.Port, istiodPort, mtlsPort}), dns()...)}}
		g.add(cl.Name, "networking.k8s.io/v1", "NetworkPolicy", &np.ObjectMeta, np)
	}
}

func (g *gen) policy(namespace, name string, sel labelSelector) *networkPolicy {
	return &networkPolicy{
		object: object{TypeMeta: typeMeta("networking.k8s.io/v1", "NetworkPolicy"), ObjectMeta: g.meta(namespace, name)},
		Spec:   networkPolicySpec{PodSelector: sel, PolicyTypes: []string{"Ingress", "Egress"}},
	}
}

func (g *gen) hasIngress() bool {
	for _, svc := range g.cfg.Spec.Services {
		if svc.Ingress != nil {
			return true
		}
	}
	return false
}

// apiServerPorts are the configured local ports plus the port of every cluster's apiServer URL.
func (g *gen) apiServerPorts() []int {
	ports := slices.Clone(g.cfg.Spec.NetworkPolicies.APIServerPorts)
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
