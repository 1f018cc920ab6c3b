package gen

import (
	"encoding/json"

	networking "istio.io/api/networking/v1alpha3"

	"github.com/meshgen/meshgen/pkg/api"
)

// traffic writes a service's Service, DestinationRule and VirtualService. They are the same in
// every cluster: one list of versions and weights is the only source, so two clusters cannot
// disagree on the split.
func (g *gen) traffic(cl *api.Cluster, svc *api.Service) {
	g.service(cl, svc, svc.Name, nil)

	dr := &destinationRule{object: g.meta(svc.Namespace, svc.Name)}
	dr.Spec = g.spec(specKey{"destinationrule", svc}, func() json.Marshaler {
		s := &networking.DestinationRule{Host: fqdn(svc), TrafficPolicy: trafficPolicy(svc)}
		for _, v := range svc.Versions {
			s.Subsets = append(s.Subsets, &networking.Subset{Name: v.Name, Labels: map[string]string{"version": v.Name}})
		}
		return s
	})
	g.add(cl.Name, kDestinationRule, dr)

	vs := &virtualService{object: g.meta(svc.Namespace, svc.Name)}
	vs.Spec = g.spec(specKey{"virtualservice", svc}, func() json.Marshaler {
		s := &networking.VirtualService{Hosts: []string{fqdn(svc)}}
		if svc.Protocol == api.ProtocolTCP {
			s.Tcp = tcpRoutes(svc)
		} else {
			s.Http = meshRoutes(svc)
		}
		return s
	})
	g.add(cl.Name, kVirtualService, vs)
}

// service adds a Service name for svc's pods, narrowed by the labels in sel (a version's).
func (g *gen) service(cl *api.Cluster, svc *api.Service, name string, sel map[string]string) *service {
	s := &service{object: g.meta(svc.Namespace, name)}
	s.Labels["app"] = svc.Name
	s.Labels["service"] = svc.Name
	s.Spec.Selector = map[string]string{"app": svc.Name}
	for k, v := range sel {
		s.Spec.Selector[k] = v
	}
	s.Spec.Ports = []servicePort{{Name: svc.Protocol, Port: int32(svc.Port), TargetPort: int32(svc.Port)}}
	g.add(cl.Name, kService, s)
	return s
}

// meshRoutes are the routes of the mesh VirtualService: the matched route, then a match-less
// route with the same weights. Without it, a call inside the mesh to any other path finds no
// route and gets a 404 from the sidecar.
func meshRoutes(svc *api.Service) []*networking.HTTPRoute {
	r := routes(svc)
	if len(svc.HTTP) > 0 {
		r = append(r, &networking.HTTPRoute{Route: r[0].Route})
	}
	return r
}

// routes is the weighted split with the service's URI matches. Versions with weight 0 keep
// their subset but get no destination: a zero-weight destination only confuses readers.
func routes(svc *api.Service) []*networking.HTTPRoute {
	r := &networking.HTTPRoute{}
	for _, m := range svc.HTTP {
		u := &networking.StringMatch{}
		switch {
		case m.Exact != "":
			u.MatchType = &networking.StringMatch_Exact{Exact: m.Exact}
		case m.Prefix != "":
			u.MatchType = &networking.StringMatch_Prefix{Prefix: m.Prefix}
		default:
			u.MatchType = &networking.StringMatch_Regex{Regex: m.Regex}
		}
		r.Match = append(r.Match, &networking.HTTPMatchRequest{Uri: u})
	}
	for _, v := range svc.Versions {
		if v.Weight == 0 {
			continue
		}
		r.Route = append(r.Route, &networking.HTTPRouteDestination{
			Destination: &networking.Destination{Host: fqdn(svc), Subset: v.Name, Port: &networking.PortSelector{Number: uint32(svc.Port)}},
			Weight:      int32(v.Weight),
		})
	}
	return []*networking.HTTPRoute{r}
}

// tcpRoutes is the weighted split of a tcp service: one route without matches, the same
// versions and weights as an HTTP service would get.
func tcpRoutes(svc *api.Service) []*networking.TCPRoute {
	r := &networking.TCPRoute{}
	for _, d := range routes(svc)[0].Route {
		r.Route = append(r.Route, &networking.RouteDestination{Destination: d.Destination, Weight: d.Weight})
	}
	return []*networking.TCPRoute{r}
}
