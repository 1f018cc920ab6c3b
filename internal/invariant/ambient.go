package invariant

import (
	"slices"
	"strconv"

	"github.com/meshgen/meshgen/pkg/api"
)

// The rules of the ambient data plane (spec.dataplane: ambient). The sidecar rules that
// describe sidecar objects (injection labels, VirtualService weights, 15443) skip ambient
// meshes; these say what ambient needs instead. Each holds for a sidecar mesh trivially.
var ambientRules = []Rule{
	{"ambient-dataplane", "with ambient, every mesh namespace has istio.io/dataplane-mode: ambient and no sidecar injection label (istio-injection, istio.io/rev); ztunnel's values carry the cluster's name and network", ambientDataplane},
	{"ambient-east-west", "with ambient across networks, every cluster has one Gateway API east-west gateway of class istio-east-west with an HBONE listener on 15008, labelled with the cluster's network, and no sidecar east-west gateway or cross-network Gateway", ambientEastWest},
	{"ambient-waypoints", "with ambient, every service with a weighted split or failover uses a waypoint of its namespace, marked global like the service; a split is one HTTPRoute on the Service with the MeshConfig's weights", ambientWaypoints},
	{"ambient-hbone", "with ambient, every service's pods accept HBONE (15008) from the mesh namespaces and may send it outside the cluster, and the east-west gateway accepts it from outside; the pods take it from outside only through the east-west gateway; nothing sends to 15443", ambientHBONE},
}

func init() { Rules = append(Rules, ambientRules...) }

func (m *Mesh) ambient() bool { return m.Config.Spec.Ambient() }

// k8sGateways are the cluster's Gateway API Gateways (Istio's Gateway has the same kind).
func (m *Mesh) k8sGateways(cluster string) []Object {
	var gs []Object
	for _, o := range m.in(cluster, "Gateway") {
		if str(o.Doc, "apiVersion") == "gateway.networking.k8s.io/v1" {
			gs = append(gs, o)
		}
	}
	return gs
}

func ambientDataplane(m *Mesh, r *report) {
	if !m.ambient() {
		return
	}
	for _, cl := range m.clusters() {
		nss := map[string]map[string]string{}
		for _, o := range m.in(cl.Name, "Namespace") {
			nss[o.name()] = labelsOf(o.Doc, "metadata", "labels")
		}
		for _, n := range m.Config.Spec.Namespaces {
			l := nss[n.Name]
			if l["istio.io/dataplane-mode"] != "ambient" || l["istio-injection"] != "" || l["istio.io/rev"] != "" {
				r.add(cl.Name, "Namespace %s: istio.io/dataplane-mode %q, istio-injection %q, istio.io/rev %q", n.Name, l["istio.io/dataplane-mode"], l["istio-injection"], l["istio.io/rev"])
			}
		}
		ops := m.operators(cl.Name)
		if len(ops) == 0 {
			z := at(m.doc(cl.Name, "helm/ztunnel.values.yaml"), "global")
			if got := str(z, "multiCluster", "clusterName"); got != cl.Name {
				r.add(cl.Name, "ztunnel values: clusterName %q", got)
			}
			if got := str(z, "network"); got != cl.Network {
				r.add(cl.Name, "ztunnel values: network %q", got)
			}
			if got := str(m.doc(cl.Name, "helm/istiod.values.yaml"), "env", "AMBIENT_ENABLE_MULTI_NETWORK"); got != "true" {
				r.add(cl.Name, "istiod values: AMBIENT_ENABLE_MULTI_NETWORK %q", got)
			}
		}
		// istioctl: the ambient profile's ztunnel reads values.global, which the identity rule
		// holds to the cluster; istiod's switch is the control plane's env.
		for _, o := range ops {
			env := ""
			for _, e := range list(o.Doc, "spec", "components", "pilot", "k8s", "env") {
				if str(e, "name") == "AMBIENT_ENABLE_MULTI_NETWORK" {
					env = str(e, "value")
				}
			}
			if str(o.Doc, "spec", "profile") != "ambient" || env != "true" {
				r.add(cl.Name, "%s: profile %q, AMBIENT_ENABLE_MULTI_NETWORK %q", o.id(), str(o.Doc, "spec", "profile"), env)
			}
		}
	}
}

func ambientEastWest(m *Mesh, r *report) {
	if !m.ambient() {
		return
	}
	multi := m.Config.Spec.MultiNetwork()
	for _, cl := range m.clusters() {
		var ews []Object
		for _, o := range m.k8sGateways(cl.Name) {
			if str(o.Doc, "spec", "gatewayClassName") == "istio-east-west" {
				ews = append(ews, o)
			}
		}
		want := 0
		if multi {
			want = 1
		}
		if len(ews) != want {
			r.add(cl.Name, "%d east-west Gateways of class istio-east-west, want %d", len(ews), want)
		}
		for _, o := range ews {
			if got := labelsOf(o.Doc, "metadata", "labels")["topology.istio.io/network"]; got != cl.Network {
				r.add(cl.Name, "%s: network label %q, want %q", o.id(), got, cl.Network)
			}
			var l any
			if ls := list(o.Doc, "spec", "listeners"); len(ls) == 1 {
				l = ls[0]
			}
			if p, _ := num(l, "port"); p != 15008 || str(l, "protocol") != "HBONE" {
				r.add(cl.Name, "%s: listener %v, want HBONE on 15008", o.id(), l)
			}
		}
		if m.doc(cl.Name, "helm/istio-eastwestgateway.values.yaml") != nil {
			r.add(cl.Name, "a sidecar east-west gateway release beside ambient's")
		}
		for _, o := range m.in(cl.Name, "Gateway") {
			if str(o.Doc, "apiVersion") != "gateway.networking.k8s.io/v1" {
				r.add(cl.Name, "%s: an Istio Gateway in an ambient mesh", o.id())
			}
		}
	}
}

func ambientWaypoints(m *Mesh, r *report) {
	if !m.ambient() {
		return
	}
	for _, cl := range m.clusters() {
		waypoints := map[string]map[string]string{}
		for _, o := range m.k8sGateways(cl.Name) {
			if str(o.Doc, "spec", "gatewayClassName") == "istio-waypoint" {
				waypoints[o.namespace()+"/"+o.name()] = labelsOf(o.Doc, "metadata", "labels")
			}
		}
		for _, svc := range m.Config.Spec.Services {
			var s map[string]string
			for _, o := range m.in(cl.Name, "Service") {
				if o.namespace() == svc.Namespace && o.name() == svc.Name {
					s = labelsOf(o.Doc, "metadata", "labels")
				}
			}
			if s["istio.io/global"] != "true" {
				r.add(cl.Name, "Service %s/%s is not marked istio.io/global", svc.Namespace, svc.Name)
			}
			wp := s["istio.io/use-waypoint"]
			if !api.NeedsWaypoint(&svc) {
				continue
			}
			if l, ok := waypoints[svc.Namespace+"/"+wp]; wp == "" || !ok || l["istio.io/global"] != "true" {
				r.add(cl.Name, "Service %s/%s needs a waypoint: use-waypoint %q, a global waypoint of that name in its namespace: %v", svc.Namespace, svc.Name, wp, ok)
			}
			vs := api.WeightedVersions(&svc)
			if len(vs) < 2 {
				continue
			}
			var routes []Object
			for _, o := range m.in(cl.Name, "HTTPRoute") {
				var p any
				if ps := list(o.Doc, "spec", "parentRefs"); len(ps) == 1 {
					p = ps[0]
				}
				if o.namespace() == svc.Namespace && str(p, "kind") == "Service" && str(p, "name") == svc.Name {
					routes = append(routes, o)
				}
			}
			if len(routes) != 1 {
				r.add(cl.Name, "%d HTTPRoutes on Service %s/%s, want 1", len(routes), svc.Namespace, svc.Name)
				continue
			}
			for i, rule := range list(routes[0].Doc, "spec", "rules") {
				var got []string
				for _, b := range list(rule, "backendRefs") {
					w, _ := num(b, "weight")
					got = append(got, str(b, "name")+"="+strconv.Itoa(w))
				}
				var want []string
				for _, v := range vs {
					want = append(want, svc.Name+"-"+v.Name+"="+strconv.Itoa(v.Weight))
				}
				if !slices.Equal(got, want) {
					r.add(cl.Name, "%s rule %d: backends %v, want %v", routes[0].id(), i, got, want)
				}
			}
		}
	}
}

func ambientHBONE(m *Mesh, r *report) {
	s := &m.Config.Spec
	if !m.ambient() || (s.NetworkPolicies.Enabled != nil && !*s.NetworkPolicies.Enabled) {
		return
	}
	for _, cl := range m.clusters() {
		if s.MultiNetwork() && !m.Allows(cl.Name, outside(), Peer{Namespace: m.cp(), Labels: map[string]string{"gateway.networking.k8s.io/gateway-name": "istio-eastwestgateway"}}, "TCP", 15008) {
			r.add(cl.Name, "the east-west gateway does not accept 15008 from the other networks")
		}
		for _, svc := range s.Services {
			for _, p := range servicePods(svc, cl.Name) {
				for _, client := range s.Namespaces {
					if !m.Allows(cl.Name, Peer{Namespace: client.Name, Labels: map[string]string{"app": "client"}}, p, "TCP", 15008) {
						r.add(cl.Name, "%s/%s %s does not accept 15008 from namespace %s", svc.Namespace, svc.Name, p.Labels["version"], client.Name)
					}
				}
				if s.MultiNetwork() && !m.Allows(cl.Name, p, outside(), "TCP", 15008) {
					r.add(cl.Name, "%s/%s %s cannot send 15008 to the other networks' east-west gateways", svc.Namespace, svc.Name, p.Labels["version"])
				}
				// From another network HBONE comes through the east-west gateway only: the pods
				// themselves are not open to outside addresses.
				if m.Allows(cl.Name, outside(), p, "TCP", 15008) {
					r.add(cl.Name, "%s/%s %s accepts 15008 from outside the cluster, past the east-west gateway", svc.Namespace, svc.Name, p.Labels["version"])
				}
				// Ambient has no 15443 east-west gateway: a policy opening it opens a hole.
				if m.Allows(cl.Name, p, outside(), "TCP", 15443) {
					r.add(cl.Name, "%s/%s %s may send to 15443 outside the cluster, which ambient never uses", svc.Namespace, svc.Name, p.Labels["version"])
				}
			}
		}
	}
}
