package gen

import (
	"net"

	"github.com/meshgen/meshgen/pkg/api"
)

// dns writes, into the one cluster named by spec.dns.endpointCluster, a DNSEndpoint per
// service with an A (and AAAA) record per ingress host holding the addresses of all clusters
// that have one, or a CNAME record for a single cluster's load balancer name.
// External-dns instances in different clusters cannot share a record, so one owner lists every
// site (the seed had to set these by hand).
func (g *gen) dns(cl *api.Cluster, svc *api.Service) {
	if svc.Ingress == nil || g.cfg.Spec.DNS.EndpointCluster != cl.Name {
		return
	}
	var v4, v6, names []string
	for _, c := range g.cfg.Spec.Clusters {
		switch ip := net.ParseIP(c.IngressAddress); {
		case c.IngressAddress == "":
		case ip == nil:
			// A load balancer's DNS name; validation lets it stand only alone.
			names = append(names, c.IngressAddress)
		case ip.To4() != nil:
			v4 = append(v4, c.IngressAddress)
		default:
			v6 = append(v6, c.IngressAddress)
		}
	}
	e := &dnsEndpoint{object: g.meta(g.cpNamespace(), svc.Namespace+"-"+svc.Name)}
	for _, h := range svc.Ingress.Hosts {
		for _, r := range []struct {
			typ     string
			targets []string
		}{{"A", v4}, {"AAAA", v6}, {"CNAME", names}} {
			if len(r.targets) > 0 {
				e.Spec.Endpoints = append(e.Spec.Endpoints, endpoint{DNSName: h, RecordType: r.typ, RecordTTL: 300, Targets: r.targets})
			}
		}
	}
	g.add(cl.Name, kDNSEndpoint, e)
}
