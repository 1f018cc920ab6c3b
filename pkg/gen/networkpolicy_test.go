package gen

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/netpol"
)

// policyInput is a mesh with an HTTP service, a tcp service in another namespace that runs in
// one cluster only, and a monitoring namespace, on two clusters with a network each.
func policyInput() *api.Input { return networkInput("net-c0", "net-c1") }

// networkInput is policyInput with a cluster per network given, networks repeated for
// clusters that share one; cluster ci has the pod range 10.i.0.0/16.
func networkInput(networks ...string) *api.Input {
	in := input(len(networks))
	s := &in.Config.Spec
	for i, n := range networks {
		s.Clusters[i].Network = n
		s.Clusters[i].PodCIDRs = []string{fmt.Sprintf("10.%d.0.0/16", i+1)}
	}
	s.Namespaces = append(s.Namespaces, api.Namespace{Name: "data"})
	s.Services = append(s.Services, api.Service{Name: "db", Namespace: "data", Port: 5432, Protocol: api.ProtocolTCP,
		Versions: []api.Version{{Name: "v1", Weight: 100, Clusters: []string{"c1"}}}})
	s.NetworkPolicies.MonitoringNamespace = "monitoring"
	if es := api.Validate(in.Config, in.Creds); es != nil {
		panic(es)
	}
	return in
}

// topologies are the meshes the flow tests run on: a network per cluster, one network for
// all, and two clusters sharing a network beside a third.
var topologies = map[string]func() *api.Input{
	"network per cluster": policyInput,
	"one network":         func() *api.Input { return networkInput("net", "net", "net") },
	"mixed":               func() *api.Input { return networkInput("net-a", "net-a", "net-b") },
}

// world is one cluster as the NetworkPolicies see it: its policies and the endpoints of every
// flow the mesh needs.
type world struct {
	policies    netpol.Cluster
	istiod      netpol.Endpoint
	ingress     netpol.Endpoint
	eastWest    netpol.Endpoint // only when hasEastWest: the mesh spans networks
	hasEastWest bool
	apps        []netpol.Endpoint // one pod per version that runs here
	appPorts    map[string]int    // service port by pod name
	dns         netpol.Endpoint
	prom        netpol.Endpoint
	stranger    netpol.Endpoint // a pod in a namespace outside the mesh
	apiServer   netpol.Endpoint // the local API server, outside the pod network
	internet    netpol.Endpoint
	node        netpol.Endpoint
}

func newWorld(t *testing.T, in *api.Input, cl string, objs []Object) *world {
	t.Helper()
	nsLabels := map[string]map[string]string{}
	w := &world{appPorts: map[string]int{}}
	for _, o := range objs {
		if o.Cluster != cl {
			continue
		}
		switch o.Kind {
		case "Namespace":
			l := map[string]string{"kubernetes.io/metadata.name": o.Name}
			for k, v := range o.Body.(*namespace).Labels {
				l[k] = v
			}
			nsLabels[o.Name] = l
		case "NetworkPolicy":
			b, err := json.Marshal(o.Body)
			if err != nil {
				t.Fatal(err)
			}
			var p networkingv1.NetworkPolicy
			if err := json.Unmarshal(b, &p); err != nil {
				t.Fatal(err)
			}
			w.policies = append(w.policies, p)
		}
	}
	pod := func(name, ns string, labels map[string]string) netpol.Endpoint {
		l := nsLabels[ns]
		if l == nil {
			l = map[string]string{"kubernetes.io/metadata.name": ns}
		}
		return netpol.Endpoint{Name: name, Namespace: ns, NamespaceLabels: l, Labels: labels, IP: "10.244.0.1"}
	}
	cp := in.Config.Spec.ControlPlane.Namespace
	w.istiod = pod("istiod", cp, map[string]string{"app": "istiod", "istio": "pilot"})
	w.ingress = pod("ingressgateway", cp, map[string]string{"app": "istio-ingressgateway", "istio": "ingressgateway"})
	w.eastWest = pod("eastwestgateway", cp, map[string]string{"app": "istio-eastwestgateway", "istio": "eastwestgateway"})
	w.hasEastWest = len(in.Config.Spec.Networks()) > 1
	for _, svc := range in.Config.Spec.Services {
		for _, v := range svc.Versions {
			for _, c := range v.Clusters {
				if c == cl {
					e := pod(svc.Name+"-"+v.Name, svc.Namespace, map[string]string{"app": svc.Name, "version": v.Name})
					w.apps = append(w.apps, e)
					w.appPorts[e.Name] = svc.Port
				}
			}
		}
	}
	w.dns = pod("coredns", "kube-system", map[string]string{"k8s-app": "kube-dns"})
	w.prom = pod("prometheus", "monitoring", map[string]string{"app": "prometheus"})
	w.stranger = pod("stranger", "other", map[string]string{"app": "web"})
	w.apiServer = netpol.Endpoint{Name: "kube-apiserver", IP: "192.168.0.10"}
	w.internet = netpol.Endpoint{Name: "internet", IP: "203.0.113.99"}
	w.node = netpol.Endpoint{Name: "kubelet", Node: true}
	return w
}

// needed derives every flow the mesh needs in one cluster from the MeshConfig.
func (w *world) needed(in *api.Input, cl string) []netpol.Flow {
	var fs []netpol.Flow
	add := func(from, to netpol.Endpoint, port int, proto string) {
		fs = append(fs, netpol.Flow{From: from, To: to, Port: port, Protocol: proto})
	}
	gateways := []netpol.Endpoint{w.ingress}
	if w.hasEastWest {
		gateways = append(gateways, w.eastWest)
	}
	for _, p := range append(append([]netpol.Endpoint{w.istiod}, gateways...), w.apps...) {
		add(p, w.dns, 53, "UDP") // DNS
		add(p, w.dns, 53, "TCP")
	}
	for _, p := range append(slices.Clone(gateways), w.apps...) {
		add(p, w.istiod, 15012, "") // sidecar and gateways -> istiod: xDS, certificates
	}
	var me api.Cluster
	for _, c := range in.Config.Spec.Clusters {
		if c.Name == cl {
			me = c
		}
	}
	add(w.apiServer, w.istiod, 15017, "") // API server -> injection and validation webhooks
	add(w.prom, w.istiod, 15014, "")
	// istiod -> the local API server (the kubernetes Service and its endpoint) and every peer's.
	add(w.istiod, w.apiServer, 443, "")
	add(w.istiod, w.apiServer, 6443, "")
	for _, c := range in.Config.Spec.Clusters {
		if c.Name == cl {
			continue
		}
		u, _ := url.Parse(c.APIServer)
		port := 443
		if n, err := strconv.Atoi(u.Port()); err == nil {
			port = n
		}
		remote := netpol.Endpoint{Name: c.Name + "-apiserver", IP: "198.51.100.7"}
		add(w.istiod, remote, port, "")
		if c.Network != me.Network {
			eastWest := netpol.Endpoint{Name: c.Name + "-eastwestgateway", IP: "198.51.100.8"}
			for _, a := range w.apps {
				add(a, eastWest, 15443, "") // app -> a version in the other cluster
			}
			add(w.ingress, eastWest, 15443, "")
			add(eastWest, w.eastWest, 15443, "") // the other cluster's sidecars -> our versions
			continue
		}
		// A peer on this network: its pods (sidecars and gateways) and ours call each
		// other directly, at pod addresses this cluster knows nothing else of.
		peer := netpol.Endpoint{Name: c.Name + "-pod", IP: netip.MustParsePrefix(c.PodCIDRs[0]).Addr().Next().String()}
		for _, svc := range in.Config.Spec.Services {
			for _, p := range gateways {
				add(p, peer, svc.Port, "") // our gateways -> a version there
			}
			for _, a := range w.apps {
				add(a, peer, svc.Port, "") // app -> a version there
			}
		}
		for _, a := range w.apps {
			add(peer, a, w.appPorts[a.Name], "") // its sidecars and gateways -> our versions
		}
	}
	for _, a := range w.apps {
		for _, b := range w.apps {
			add(a, b, w.appPorts[b.Name], "") // app -> app, every service
		}
		add(w.ingress, a, w.appPorts[a.Name], "") // gateways -> apps
		add(a, w.ingress, 8443, "")               // app -> a public host of the mesh, after the load balancer
		add(a, w.ingress, 8080, "")
		if w.hasEastWest {
			add(w.eastWest, a, w.appPorts[a.Name], "")
		}
		add(w.node, a, 15020, "") // kubelet probes, rewritten to the sidecar's port
		add(w.node, a, 15021, "")
		add(w.prom, a, 15020, "")
		add(w.prom, a, 15090, "")
	}
	for _, p := range []int{8080, 8443, 15021} {
		add(w.internet, w.ingress, p, "") // clients and the load balancer's health check
	}
	add(w.prom, w.ingress, 15090, "")
	if w.hasEastWest {
		add(w.internet, w.eastWest, 15021, "")
		add(w.prom, w.eastWest, 15090, "")
	}
	return fs
}

// forbidden are flows the policies must deny.
func (w *world) forbidden() []netpol.Flow {
	var fs []netpol.Flow
	add := func(from, to netpol.Endpoint, port int) {
		fs = append(fs, netpol.Flow{From: from, To: to, Port: port})
	}
	for _, from := range append([]netpol.Endpoint{w.stranger, w.internet, w.prom}, w.apps...) {
		add(from, w.istiod, 15010) // plaintext xDS
		add(from, w.istiod, 8080)  // debug
	}
	add(w.internet, w.istiod, 15012)
	add(w.istiod, w.internet, 80)
	add(w.ingress, w.internet, 443)
	if w.hasEastWest {
		add(w.internet, w.eastWest, 15012) // primary-remote only
		add(w.internet, w.eastWest, 15017)
		add(w.eastWest, w.internet, 443)
	} else {
		// One network: nothing crosses networks, so nothing goes out on 15443.
		add(w.ingress, w.internet, 15443)
		for _, a := range w.apps {
			add(a, w.internet, 15443)
		}
	}
	for _, a := range w.apps {
		add(w.stranger, a, w.appPorts[a.Name])
		add(w.internet, a, w.appPorts[a.Name])
		add(w.stranger, a, 15090)
		add(w.stranger, a, 15020)
		add(a, w.internet, 80)
		add(a, w.internet, 22)
		add(w.internet, a, 15020)
	}
	return fs
}

// TestNetworkPolicyFlows: every flow the mesh needs passes the generated NetworkPolicies, by
// Kubernetes' semantics, and the listed forbidden flows do not.
func TestNetworkPolicyFlows(t *testing.T) {
	for name, topo := range topologies {
		in := topo()
		objs := generate(in)
		for _, c := range in.Config.Spec.Clusters {
			cl := c.Name
			w := newWorld(t, in, cl, objs)
			if len(w.policies) == 0 {
				t.Fatalf("%s: %s: no NetworkPolicies", name, cl)
			}
			for _, f := range w.needed(in, cl) {
				if ok, why := w.policies.Allowed(f); !ok {
					t.Errorf("%s: %s: needed flow denied: %s (%s)", name, cl, f, why)
				}
			}
			for _, f := range w.forbidden() {
				if ok, why := w.policies.Allowed(f); ok {
					t.Errorf("%s: %s: forbidden flow allowed: %s (%s)", name, cl, f, why)
				}
			}
		}
	}
}

// TestNetworkPolicyEastWestOnlyAcrossNetworks: the east-west gateway's policy, and 15443 in
// any policy, exist exactly when the mesh spans networks.
func TestNetworkPolicyEastWestOnlyAcrossNetworks(t *testing.T) {
	for name, topo := range topologies {
		in := topo()
		want := len(in.Config.Spec.Networks()) > 1
		for _, o := range generate(in) {
			if o.Kind != "NetworkPolicy" {
				continue
			}
			if o.Name == "np-istio-eastwest" && !want {
				t.Errorf("%s: %s has %s without an east-west gateway", name, o.Cluster, o.Name)
			}
			if s := js(t, o.Body); strings.Contains(s, `"port":15443`) != want && o.Name != "np-istio" && o.Name != "np-istiod" {
				t.Errorf("%s: %s/%s mentions 15443: %v, want %v", name, o.Cluster, o.Name, !want, want)
			}
		}
	}
}

// TestNetworkPolicyMonitoringOff: without a monitoring namespace nobody scrapes the sidecars
// (negative control of the monitoring rule), and the needed flows still pass.
func TestNetworkPolicyMonitoringOff(t *testing.T) {
	in := policyInput()
	in.Config.Spec.NetworkPolicies.MonitoringNamespace = ""
	w := newWorld(t, in, "c1", generate(in))
	for _, a := range w.apps {
		for _, p := range []int{15020, 15090} {
			f := netpol.Flow{From: w.prom, To: a, Port: p}
			if ok, why := w.policies.Allowed(f); ok {
				t.Errorf("%s allowed without a monitoring namespace (%s)", f, why)
			}
		}
	}
}

// TestNetworkPolicyDerivedFlowsCatchGaps: the flow check is not vacuous. Removing any one
// generated policy rule must make some needed flow fail or some forbidden flow pass.
func TestNetworkPolicyDerivedFlowsCatchGaps(t *testing.T) {
	for name, topo := range topologies {
		t.Run(name, func(t *testing.T) { catchGaps(t, topo()) })
	}
}

func catchGaps(t *testing.T, in *api.Input) {
	objs := generate(in)
	w := newWorld(t, in, "c1", objs)
	needed := w.needed(in, "c1")
	for i := range w.policies {
		for _, dir := range []string{"ingress", "egress"} {
			rules := len(w.policies[i].Spec.Ingress)
			if dir == "egress" {
				rules = len(w.policies[i].Spec.Egress)
			}
			for r := 0; r < rules; r++ {
				name := fmt.Sprintf("%s/%s %s[%d]", w.policies[i].Namespace, w.policies[i].Name, dir, r)
				cut := slicesCloneCluster(w.policies)
				if dir == "ingress" {
					cut[i].Spec.Ingress = append(cut[i].Spec.Ingress[:r:r], cut[i].Spec.Ingress[r+1:]...)
				} else {
					cut[i].Spec.Egress = append(cut[i].Spec.Egress[:r:r], cut[i].Spec.Egress[r+1:]...)
				}
				caught := false
				for _, f := range needed {
					if ok, _ := cut.Allowed(f); !ok {
						caught = true
						break
					}
				}
				if !caught {
					t.Errorf("without %s every needed flow still passes: the rule is unneeded or the flows miss one", name)
				}
			}
		}
	}
}

func slicesCloneCluster(c netpol.Cluster) netpol.Cluster {
	out := make(netpol.Cluster, len(c))
	for i := range c {
		out[i] = *c[i].DeepCopy()
	}
	return out
}

// TestNetworkPolicyEgressGateway: with the demo profile, which installs an egress gateway, the
// gateway reaches istiod (or never becomes ready), the apps reach it, and it reaches the world;
// other profiles get no policy for it.
func TestNetworkPolicyEgressGateway(t *testing.T) {
	in := policyInput()
	in.Config.Spec.Istio.Profile = "demo"
	objs := generate(in)
	w := newWorld(t, in, "c1", objs)
	egress := w.ingress
	egress.Name, egress.Labels = "egressgateway", map[string]string{"app": "istio-egressgateway", "istio": "egressgateway"}
	flows := []netpol.Flow{
		{From: egress, To: w.istiod, Port: 15012},
		{From: egress, To: w.dns, Port: 53, Protocol: "UDP"},
		{From: egress, To: w.internet, Port: 443},
	}
	for _, a := range w.apps {
		flows = append(flows, netpol.Flow{From: a, To: egress, Port: 8443}, netpol.Flow{From: a, To: egress, Port: 8080})
	}
	for _, f := range append(flows, w.needed(in, "c1")...) {
		if ok, why := w.policies.Allowed(f); !ok {
			t.Errorf("needed flow denied: %s (%s)", f, why)
		}
	}
	for _, f := range append(w.forbidden(), netpol.Flow{From: w.stranger, To: egress, Port: 8443}, netpol.Flow{From: egress, To: w.istiod, Port: 15010}) {
		if ok, why := w.policies.Allowed(f); ok {
			t.Errorf("forbidden flow allowed: %s (%s)", f, why)
		}
	}
	if len(find(generate(policyInput()), "c1", "NetworkPolicy", "np-istio-egress")) != 0 {
		t.Error("profile default installs no egress gateway, but gets a policy for one")
	}
}

// TestNetworkPolicyNamesLeaveRanchersAlone: Rancher's project network isolation writes
// np-<Service> for every load balancer Service (the seed found np-istio-ingressgateway and
// np-istio-eastwestgateway in istio-system); meshgen must not write policies of those names.
func TestNetworkPolicyNamesLeaveRanchersAlone(t *testing.T) {
	for _, o := range generate(policyInput()) {
		if o.Kind == "NetworkPolicy" && (o.Name == "np-istio-ingressgateway" || o.Name == "np-istio-eastwestgateway") {
			t.Errorf("%s: %s/%s is Rancher's", o.Cluster, o.Namespace, o.Name)
		}
	}
}
