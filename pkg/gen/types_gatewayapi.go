package gen

// Gateway API (gateway.networking.k8s.io/v1) objects of the ambient data plane: the east-west
// gateway, the waypoints and the HTTPRoutes of weighted splits. Local structs with the fields
// meshgen writes: the upstream Go module (sigs.k8s.io/gateway-api) would bring a large
// dependency tree for five small types.

type k8sGateway struct {
	object `json:",inline"`
	Spec   k8sGatewaySpec `json:"spec"`
}

type k8sGatewaySpec struct {
	GatewayClassName string     `json:"gatewayClassName"`
	Listeners        []listener `json:"listeners"`
}

type listener struct {
	Name     string       `json:"name"`
	Port     int32        `json:"port"`
	Protocol string       `json:"protocol"`
	TLS      *listenerTLS `json:"tls,omitempty"`
}

type listenerTLS struct {
	Mode    string            `json:"mode,omitempty"`
	Options map[string]string `json:"options,omitempty"`
}

type httpRoute struct {
	object `json:",inline"`
	Spec   httpRouteSpec `json:"spec"`
}

type httpRouteSpec struct {
	ParentRefs []parentRef     `json:"parentRefs"`
	Rules      []httpRouteRule `json:"rules"`
}

// parentRef attaches a route. Group is never omitted: "" is the core group of a Service, and a
// missing group means gateway.networking.k8s.io, a Gateway.
type parentRef struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
	Name  string `json:"name"`
	Port  int32  `json:"port,omitempty"`
}

type httpRouteRule struct {
	BackendRefs []backendRef `json:"backendRefs"`
}

type backendRef struct {
	Name   string `json:"name"`
	Port   int32  `json:"port"`
	Weight int32  `json:"weight"`
}
