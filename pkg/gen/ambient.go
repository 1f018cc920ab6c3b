package gen

import (
	"encoding/json"
	"slices"

	networking "istio.io/api/networking/v1alpha3"

	"github.com/meshgen/meshgen/pkg/api"
)

// The ambient data plane (spec.dataplane: ambient), as Istio's "Install ambient multi-primary
// on different networks" guide sets it up: ztunnel and istio-cni beside istiod (helm.go asks
// ambientReleases, operator.go ambientOperator), a Gateway API east-west gateway of class istio-east-west per cluster, the
// namespaces labelled for ambient instead of injection, services marked global, and a waypoint
// in front of the services whose traffic needs L7 (a weighted split, locality failover).

// Labels and names ambient reads.
const (
	dataplaneModeLabel = "istio.io/dataplane-mode"
	// globalLabel makes a service visible to the other clusters: the ambient profile's
	// serviceScopeConfigs select it; without it a service stays in its cluster.
	globalLabel      = "istio.io/global"
	useWaypointLabel = "istio.io/use-waypoint"
	waypointForLabel = "istio.io/waypoint-for"
	// gatewayNameLabel is on the pods Istio deploys for a Gateway API Gateway.
	gatewayNameLabel = "gateway.networking.k8s.io/gateway-name"
	// WaypointName is the waypoint of every namespace that needs one, in every cluster: ambient
	// multicluster assumes waypoints of one name everywhere.
	WaypointName = api.AmbientWaypoint
	// hbonePort carries all ambient traffic: ztunnel to ztunnel, to waypoints and east-west
	// gateways (double HBONE across networks).
	hbonePort = 15008
	// ambientMultiNetwork is istiod's switch for ambient across networks.
	ambientMultiNetwork = "AMBIENT_ENABLE_MULTI_NETWORK"
	// ZtunnelRelease is the ztunnel chart's release, the docs' name.
	ZtunnelRelease = "ztunnel"
)

func (g *gen) ambient() bool { return g.cfg.Spec.Ambient() }

// GatewayAPIVersion is the Gateway API release whose standard CRDs the ambient objects need
// (Gateway, HTTPRoute): the one the pinned Istio module builds against (its go.mod), and the
// one the end-to-end tests install.
const GatewayAPIVersion = "v1.6.0"

// ambientPrerequisites are the README commands ambient needs before the charts: the Gateway
// API CRDs, which no Istio chart installs (as Istio's guide does it: only when missing).
func (g *gen) ambientPrerequisites() []string {
	if !g.ambient() {
		return nil
	}
	return []string{"kubectl get crd gateways.gateway.networking.k8s.io >/dev/null 2>&1 || kubectl apply --server-side -k \"github.com/kubernetes-sigs/gateway-api/config/crd?ref=" + GatewayAPIVersion + "\""}
}

// ambientInfo is installerInfo's line for ambient with helm.
func ambientInfo(c *api.MeshConfig) string {
	return "meshgen: spec.dataplane ambient with spec.istio.installer helm: Istio " + c.Spec.Istio.Version + " is not applied with the objects: install the Gateway API CRDs (" + GatewayAPIVersion +
		") and the charts base, cni, istiod and " + ZtunnelRelease + " from " + HelmRepo + " with the values under <cluster>/helm/, in the order and with the commands of each cluster's README.md, before applying the cluster's folder (it holds the Gateway API east-west gateway and waypoints)"
}

// ztunnelValues are the ztunnel chart's; its globals are flattened onto its own values, so
// global.network and global.multiCluster.clusterName set NETWORK and ISTIO_META_CLUSTER_ID,
// which must be what istiod has (the chart's cluster name is "Kubernetes" otherwise).
type ztunnelValues struct {
	Profile string      `json:"profile,omitempty"`
	Global  *helmGlobal `json:"global"`
}

// ambientReleases adapts the cluster's helm releases to ambient: istiod gets the multi-network
// switch, and ztunnel follows istiod. The charts take the ambient profile from
// spec.istio.profile, which ambient requires.
func (g *gen) ambientReleases(rs []helmRelease) []helmRelease {
	if !g.ambient() {
		return rs
	}
	var out []helmRelease
	for _, r := range rs {
		out = append(out, r)
		iv, ok := r.values.(*istiodValues)
		if !ok {
			continue
		}
		iv.Env = map[string]string{ambientMultiNetwork: "true"}
		gl := *iv.Global
		gl.MeshID = ""
		out = append(out, helmRelease{name: ZtunnelRelease, chart: "ztunnel", namespace: r.namespace, version: r.version,
			values: &ztunnelValues{Profile: iv.Profile, Global: &gl}})
	}
	return out
}

// ambientOperator adapts the control-plane IstioOperator (installer istioctl) to ambient as
// the guide's IstioOperator does: istiod's multi-network switch. The ambient profile installs
// istio-cni and ztunnel, which take the cluster's network and name from values.global.
func (g *gen) ambientOperator(op *istioOperator) {
	if !g.ambient() {
		return
	}
	if op.Spec.Components == nil {
		op.Spec.Components = &components{}
	}
	op.Spec.Components.Pilot = &k8sComponent{K8s: &k8sSpec{Env: []envVar{{Name: ambientMultiNetwork, Value: "true"}}}}
}

// ambientEastWest is the cluster's east-west gateway: a Gateway of class istio-east-west that
// Istio deploys, terminating the outer HBONE of cross-network traffic on 15008 (double HBONE),
// labelled with the cluster's network. It replaces the sidecar east-west gateway's release and
// the cross-network Gateway.
func (g *gen) ambientEastWest(cl *api.Cluster) {
	gw := &k8sGateway{object: g.meta(g.cpNamespace(), EastWestRelease)}
	gw.Labels[networkLabel] = cl.Network
	gw.Spec = k8sGatewaySpec{
		GatewayClassName: "istio-east-west",
		Listeners:        []listener{hboneListener()},
	}
	gw.Spec.Listeners[0].TLS = &listenerTLS{
		Mode:    "Terminate",
		Options: map[string]string{"gateway.istio.io/tls-terminate-mode": "ISTIO_MUTUAL"},
	}
	g.add(cl.Name, kK8sGateway, gw)
}

// waypoints writes a waypoint into every namespace with a service that needs one (first use
// decides the order), marked global: in multicluster the client's waypoint routes to the
// service's endpoints in every cluster, and Istio copies the Gateway's labels to its Service.
func (g *gen) waypoints(cl *api.Cluster) {
	if !g.ambient() {
		return
	}
	for _, ns := range g.waypointNamespaces() {
		gw := &k8sGateway{object: g.meta(ns, WaypointName)}
		gw.Labels[waypointForLabel] = "service"
		gw.Labels[globalLabel] = "true"
		gw.Spec = k8sGatewaySpec{GatewayClassName: "istio-waypoint", Listeners: []listener{hboneListener()}}
		g.add(cl.Name, kK8sGateway, gw)
	}
}

// hboneListener is the listener of the east-west gateway and the waypoints: HBONE on 15008.
func hboneListener() listener {
	l := listener{Name: "mesh", Port: hbonePort, Protocol: "HBONE"}
	l.AllowedRoutes.Namespaces.From = "Same"
	return l
}

// waypointNamespaces are the namespaces with a service that needs a waypoint, in the order of
// spec.services.
func (g *gen) waypointNamespaces() []string {
	var nss []string
	for i := range g.cfg.Spec.Services {
		svc := &g.cfg.Spec.Services[i]
		if api.NeedsWaypoint(svc) && !slices.Contains(nss, svc.Namespace) {
			nss = append(nss, svc.Namespace)
		}
	}
	return nss
}

// ambientTraffic writes a service the ambient way: the Service, global, through the waypoint
// when it needs one; with a weighted split a Service per weighted version and an HTTPRoute
// attached to the Service (the Gateway API route is beta in waypoints, VirtualService alpha,
// and the two must not be mixed); with failover a DestinationRule per host the traffic goes to,
// which the waypoint applies (outlier detection and failoverPriority).
func (g *gen) ambientTraffic(cl *api.Cluster, svc *api.Service) {
	s := g.service(cl, svc, svc.Name, nil)
	s.Labels[globalLabel] = "true"
	if api.NeedsWaypoint(svc) {
		s.Labels[useWaypointLabel] = WaypointName
	}
	hosts := []string{svc.Name}
	if vs := api.WeightedVersions(svc); len(vs) > 1 {
		hosts = hosts[:0]
		rt := &httpRoute{object: g.meta(svc.Namespace, svc.Name)}
		rt.Spec.ParentRefs = []parentRef{{Group: "", Kind: "Service", Name: svc.Name, Port: int32(svc.Port)}}
		rule := httpRouteRule{Matches: []httpRouteMatch{{}}}
		rule.Matches[0].Path.Type, rule.Matches[0].Path.Value = "PathPrefix", "/"
		for _, v := range vs {
			name := svc.Name + "-" + v.Name
			vsvc := g.service(cl, svc, name, map[string]string{"version": v.Name})
			vsvc.Labels[globalLabel] = "true"
			rule.BackendRefs = append(rule.BackendRefs, backendRef{Kind: "Service", Name: name, Port: int32(svc.Port), Weight: int32(v.Weight)})
			hosts = append(hosts, name)
		}
		rt.Spec.Rules = []httpRouteRule{rule}
		g.add(cl.Name, kHTTPRoute, rt)
	}
	if svc.Failover == nil {
		return
	}
	for _, h := range hosts {
		dr := &destinationRule{object: g.meta(svc.Namespace, h)}
		dr.Spec = g.spec(specKey{"destinationrule-" + h, svc}, func() json.Marshaler {
			return &networking.DestinationRule{Host: h + "." + svc.Namespace + ".svc.cluster.local", TrafficPolicy: trafficPolicy(svc)}
		})
		g.add(cl.Name, kDestinationRule, dr)
	}
}
