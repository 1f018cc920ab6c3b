// Package netpol evaluates Kubernetes NetworkPolicy semantics for tests: given the policies of a
// cluster and one connection, is it allowed? It follows the networking.k8s.io/v1 reference:
//
//   - A pod is isolated for ingress (egress) when a policy in its namespace selects it and lists
//     Ingress (Egress) in policyTypes; policyTypes defaults to Ingress, plus Egress when the
//     policy has egress rules. A pod that no such policy selects allows everything that way.
//   - Policies add up: a connection is allowed when any rule of any selecting policy allows it.
//     A rule allows when its ports (none: all ports) and its peers (none: everyone) match.
//   - A peer with only podSelector means pods of the policy's namespace; with only
//     namespaceSelector, every pod in the matching namespaces; with both, the matching pods in
//     the matching namespaces; ipBlock matches addresses (pods included, by their IP) in cidr
//     and not in except.
//   - A port without protocol is TCP; a port without number is every port; endPort makes a
//     range; a named port matches the destination's port name.
//   - A connection is allowed when the source's egress and the destination's ingress allow it.
//     Traffic between a pod and its own node (kubelet probes) is always allowed, as is a pod
//     talking to itself.
//
// Replies to an allowed connection are not connections of their own here, as in Kubernetes.
package netpol

import (
	"bytes"
	"fmt"
	"net/netip"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// Endpoint is one end of a connection: a pod (Namespace set), the node of the other end
// (Node), or an address outside the pod network (IP only).
type Endpoint struct {
	Name            string // for messages
	Namespace       string
	NamespaceLabels map[string]string
	Labels          map[string]string
	IP              string
	Node            bool
}

func (e Endpoint) pod() bool { return e.Namespace != "" && !e.Node }

func (e Endpoint) String() string {
	switch {
	case e.Name != "":
		return e.Name
	case e.Node:
		return "node"
	case e.pod():
		return e.Namespace + "/" + labels.Set(e.Labels).String()
	}
	return e.IP
}

// Flow is one connection to a destination port.
type Flow struct {
	From, To Endpoint
	Protocol string // TCP when empty
	Port     int
	PortName string // the destination's name for Port, for named ports in policies
}

func (f Flow) String() string {
	return fmt.Sprintf("%s -> %s:%d/%s", f.From, f.To, f.Port, f.protocol())
}

func (f Flow) protocol() string {
	if f.Protocol == "" {
		return "TCP"
	}
	return f.Protocol
}

// Cluster is every NetworkPolicy of one cluster.
type Cluster []networkingv1.NetworkPolicy

// Allowed tells whether the flow is allowed, and why (the policy that lets it through, or
// the side that isolates it).
func (c Cluster) Allowed(f Flow) (bool, string) {
	if f.From.pod() && f.To.pod() && f.From.Namespace == f.To.Namespace && f.From.Name != "" && f.From.Name == f.To.Name {
		return true, "a pod cannot block itself"
	}
	if f.From.Node || f.To.Node {
		return true, "traffic between a pod and its node is always allowed"
	}
	var why []string
	if f.From.pod() {
		ok, r := c.side(f, f.From, f.To, networkingv1.PolicyTypeEgress)
		if !ok {
			return false, r
		}
		why = append(why, r)
	}
	if f.To.pod() {
		ok, r := c.side(f, f.To, f.From, networkingv1.PolicyTypeIngress)
		if !ok {
			return false, r
		}
		why = append(why, r)
	}
	return true, strings.Join(why, "; ")
}

// side checks one direction at pod: its egress to other, or its ingress from other.
func (c Cluster) side(f Flow, pod, other Endpoint, dir networkingv1.PolicyType) (bool, string) {
	isolated := false
	for i := range c {
		p := &c[i]
		if p.Namespace != pod.Namespace || !hasType(p, dir) || !matches(&p.Spec.PodSelector, pod.Labels) {
			continue
		}
		isolated = true
		if dir == networkingv1.PolicyTypeIngress {
			for _, r := range p.Spec.Ingress {
				if ports(r.Ports, f) && peers(r.From, p.Namespace, other) {
					return true, fmt.Sprintf("%s allowed by %s/%s", strings.ToLower(string(dir)), p.Namespace, p.Name)
				}
			}
		} else {
			for _, r := range p.Spec.Egress {
				if ports(r.Ports, f) && peers(r.To, p.Namespace, other) {
					return true, fmt.Sprintf("%s allowed by %s/%s", strings.ToLower(string(dir)), p.Namespace, p.Name)
				}
			}
		}
	}
	if !isolated {
		return true, fmt.Sprintf("%s of %s not isolated", strings.ToLower(string(dir)), pod)
	}
	return false, fmt.Sprintf("%s of %s isolated and no rule allows it", strings.ToLower(string(dir)), pod)
}

func hasType(p *networkingv1.NetworkPolicy, dir networkingv1.PolicyType) bool {
	if len(p.Spec.PolicyTypes) == 0 {
		return dir == networkingv1.PolicyTypeIngress || len(p.Spec.Egress) > 0
	}
	for _, t := range p.Spec.PolicyTypes {
		if t == dir {
			return true
		}
	}
	return false
}

func ports(ps []networkingv1.NetworkPolicyPort, f Flow) bool {
	if len(ps) == 0 {
		return true
	}
	for _, p := range ps {
		proto := "TCP"
		if p.Protocol != nil {
			proto = string(*p.Protocol)
		}
		if proto != f.protocol() {
			continue
		}
		switch {
		case p.Port == nil:
			return true
		case p.Port.Type == intstr.String:
			if p.Port.StrVal == f.PortName && f.PortName != "" {
				return true
			}
		case p.EndPort != nil:
			if f.Port >= int(p.Port.IntVal) && f.Port <= int(*p.EndPort) {
				return true
			}
		case int(p.Port.IntVal) == f.Port:
			return true
		}
	}
	return false
}

func peers(ps []networkingv1.NetworkPolicyPeer, ns string, other Endpoint) bool {
	if len(ps) == 0 {
		return true
	}
	for _, p := range ps {
		if p.IPBlock != nil {
			if inBlock(p.IPBlock, other.IP) {
				return true
			}
			continue
		}
		if !other.pod() {
			continue
		}
		if p.NamespaceSelector == nil {
			if other.Namespace != ns {
				continue
			}
		} else if !matches(p.NamespaceSelector, other.NamespaceLabels) {
			continue
		}
		if p.PodSelector == nil || matches(p.PodSelector, other.Labels) {
			return true
		}
	}
	return false
}

func inBlock(b *networkingv1.IPBlock, ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	in := func(cidr string) bool {
		p, err := netip.ParsePrefix(cidr)
		return err == nil && p.Contains(a)
	}
	if !in(b.CIDR) {
		return false
	}
	for _, e := range b.Except {
		if in(e) {
			return false
		}
	}
	return true
}

// matches applies a label selector; an invalid selector matches nothing, as the API server
// would not have accepted it.
func matches(sel *metav1.LabelSelector, l map[string]string) bool {
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return false
	}
	return s.Matches(labels.Set(l))
}

// Parse reads the NetworkPolicies among YAML or JSON documents (a rendered cluster folder's
// files, a kubectl stream), skipping every other kind, and refuses unknown fields.
func Parse(docs []byte) (Cluster, error) {
	var c Cluster
	for i, d := range bytes.Split(docs, []byte("\n---")) {
		var head struct {
			Kind string `json:"kind"`
		}
		if err := yaml.Unmarshal(d, &head); err != nil {
			return nil, fmt.Errorf("document %d: %v", i+1, err)
		}
		if head.Kind != "NetworkPolicy" {
			continue
		}
		var p networkingv1.NetworkPolicy
		if err := yaml.UnmarshalStrict(d, &p); err != nil {
			return nil, fmt.Errorf("document %d: %v", i+1, err)
		}
		c = append(c, p)
	}
	return c, nil
}
