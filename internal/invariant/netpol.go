package invariant

import (
	"sigs.k8s.io/yaml"

	"github.com/meshgen/meshgen/pkg/netpol"
)

// The flows the rules ask about are judged by pkg/netpol, the one NetworkPolicy evaluator of
// the tests; this file only maps the rules' ends of a connection onto it.

// Peer is one end of a connection: a pod, or an address outside the cluster.
type Peer struct {
	Outside bool
	// IP is an address outside the cluster's pods, such as a pod of a peer on its network.
	IP        string
	Namespace string
	Labels    map[string]string
}

// outsideIP stands for every address outside the cluster: the peers' east-west gateways, the
// API servers, the clients of the ingress.
const outsideIP = "203.0.113.7"

func outside() Peer { return Peer{Outside: true} }

// Allows reports whether cluster's NetworkPolicies let src open a TCP or UDP connection to
// port of dst: src's egress and dst's ingress must both allow it. A policy that does not
// parse as a NetworkPolicy allows nothing.
func (m *Mesh) Allows(cluster string, src, dst Peer, proto string, port int) bool {
	var c netpol.Cluster
	for _, o := range m.in(cluster, "NetworkPolicy") {
		b, err := yaml.Marshal(o.Doc)
		if err != nil {
			return false
		}
		p, err := netpol.Parse(b)
		if err != nil {
			return false
		}
		c = append(c, p...)
	}
	ns := m.namespaceLabels(cluster)
	end := func(p Peer) netpol.Endpoint {
		if p.Outside {
			return netpol.Endpoint{IP: outsideIP}
		}
		if p.IP != "" {
			return netpol.Endpoint{IP: p.IP}
		}
		return netpol.Endpoint{Namespace: p.Namespace, NamespaceLabels: ns[p.Namespace], Labels: p.Labels}
	}
	ok, _ := c.Allowed(netpol.Flow{From: end(src), To: end(dst), Protocol: proto, Port: port})
	return ok
}

// namespaceLabels are the labels of the cluster's generated namespaces, with the name label
// Kubernetes adds to every namespace.
func (m *Mesh) namespaceLabels(cluster string) map[string]map[string]string {
	r := map[string]map[string]string{}
	for _, o := range m.in(cluster, "Namespace") {
		l := labelsOf(o.Doc, "metadata", "labels")
		l["kubernetes.io/metadata.name"] = o.name()
		r[o.name()] = l
	}
	return r
}
