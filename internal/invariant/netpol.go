package invariant

import (
	"net"
	"slices"
)

// A simple NetworkPolicy evaluator, enough to state the few flows the mesh cannot live
// without. It follows Kubernetes' semantics for isolation, ports and peers, with two
// simplifications: named ports never match, and an ipBlock matches only addresses outside
// the cluster (Outside), never a pod.

// Peer is one end of a connection: a pod, or an address outside the cluster.
type Peer struct {
	Outside   bool
	Namespace string
	Labels    map[string]string
}

// outsideIP stands for every address outside the cluster: the peers' east-west gateways, the
// API servers, the clients of the ingress.
var outsideIP = net.ParseIP("203.0.113.7")

func outside() Peer { return Peer{Outside: true} }

// Allows reports whether cluster's NetworkPolicies let src open a TCP or UDP connection to
// port of dst: src's egress and dst's ingress must both allow it.
func (m *Mesh) Allows(cluster string, src, dst Peer, proto string, port int) bool {
	ns := m.namespaceLabels(cluster)
	return m.side(cluster, ns, src, dst, "Egress", proto, port) && m.side(cluster, ns, dst, src, "Ingress", proto, port)
}

// side checks one direction: the policies selecting pod, the other end being peer.
func (m *Mesh) side(cluster string, ns map[string]map[string]string, pod, peer Peer, dir, proto string, port int) bool {
	if pod.Outside {
		return true
	}
	isolated := false
	for _, o := range m.in(cluster, "NetworkPolicy") {
		if o.namespace() != pod.Namespace || !selects(at(o.Doc, "spec", "podSelector"), pod.Labels) || !hasType(o.Doc, dir) {
			continue
		}
		isolated = true
		key, peersKey := "ingress", "from"
		if dir == "Egress" {
			key, peersKey = "egress", "to"
		}
		for _, r := range list(o.Doc, "spec", key) {
			if portsMatch(list(r, "ports"), proto, port) && peersMatch(list(r, peersKey), o.namespace(), peer, ns) {
				return true
			}
		}
	}
	return !isolated
}

// hasType: policyTypes as written, or as Kubernetes defaults them (Ingress always, Egress when
// the policy has egress rules).
func hasType(doc map[string]any, dir string) bool {
	if ts := strs(doc, "spec", "policyTypes"); len(ts) > 0 {
		return slices.Contains(ts, dir)
	}
	return dir == "Ingress" || at(doc, "spec", "egress") != nil
}

func portsMatch(ports []any, proto string, port int) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		pr := str(p, "protocol")
		if pr == "" {
			pr = "TCP"
		}
		if pr != proto {
			continue
		}
		if at(p, "port") == nil {
			return true
		}
		n, ok := num(p, "port")
		if !ok {
			continue // a named port
		}
		end, ranged := num(p, "endPort")
		if n == port || ranged && n <= port && port <= end {
			return true
		}
	}
	return false
}

func peersMatch(peers []any, policyNS string, peer Peer, ns map[string]map[string]string) bool {
	if len(peers) == 0 {
		return true
	}
	for _, p := range peers {
		if b := at(p, "ipBlock"); b != nil {
			if peer.Outside && inBlock(b) {
				return true
			}
			continue
		}
		if peer.Outside {
			continue
		}
		nsSel, podSel := at(p, "namespaceSelector"), at(p, "podSelector")
		if nsSel == nil && podSel == nil {
			continue
		}
		if nsSel == nil && peer.Namespace != policyNS || nsSel != nil && !selects(nsSel, ns[peer.Namespace]) {
			continue
		}
		if podSel == nil || selects(podSel, peer.Labels) {
			return true
		}
	}
	return false
}

func inBlock(b any) bool {
	_, n, err := net.ParseCIDR(str(b, "cidr"))
	if err != nil || !n.Contains(outsideIP) {
		return false
	}
	for _, e := range strs(b, "except") {
		if _, x, err := net.ParseCIDR(e); err == nil && x.Contains(outsideIP) {
			return false
		}
	}
	return true
}

// selects evaluates a label selector; an empty one selects everything.
func selects(sel any, labels map[string]string) bool {
	for k, v := range labelsOf(sel, "matchLabels") {
		if l, ok := labels[k]; !ok || l != v {
			return false
		}
	}
	for _, e := range list(sel, "matchExpressions") {
		v, has := labels[str(e, "key")]
		in := slices.Contains(strs(e, "values"), v)
		switch str(e, "operator") {
		case "In":
			if !has || !in {
				return false
			}
		case "NotIn":
			if has && in {
				return false
			}
		case "Exists":
			if !has {
				return false
			}
		case "DoesNotExist":
			if has {
				return false
			}
		default:
			return false
		}
	}
	return true
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
