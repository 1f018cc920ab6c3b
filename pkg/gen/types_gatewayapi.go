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
	// AllowedRoutes is always the API's default, routes of the Gateway's own namespace.
	AllowedRoutes allowedRoutes `json:"allowedRoutes"`
}

type allowedRoutes struct {
	Namespaces struct {
		From string `json:"from"`
	} `json:"namespaces"`
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
	Matches     []httpRouteMatch `json:"matches"`
	BackendRefs []backendRef     `json:"backendRefs"`
}

type httpRouteMatch struct {
	Path struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"path"`
}

// backendRef is a Service: Group "" is the core group, never omitted.
type backendRef struct {
	Group  string `json:"group"`
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Port   int32  `json:"port"`
	Weight int32  `json:"weight"`
}
