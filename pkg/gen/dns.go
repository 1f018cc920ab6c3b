package gen

import "github.com/meshgen/meshgen/pkg/api"

// dns writes, into the one cluster named by spec.dns.endpointCluster, a DNSEndpoint per
// ingress host holding the addresses of all clusters. External-dns instances in different
// clusters cannot share a record, so one owner lists every site (the seed set these by hand).
func (g *gen) dns(cl *api.Cluster, svc *api.Service) {
	if svc.Ingress == nil || g.cfg.Spec.DNS.EndpointCluster != cl.Name {
		return
	}
	var targets []string
	for _, c := range g.cfg.Spec.Clusters {
		targets = append(targets, c.IngressAddress)
	}
	e := &dnsEndpoint{object: object{TypeMeta: typeMeta("externaldns.k8s.io/v1alpha1", "DNSEndpoint"), ObjectMeta: g.meta(g.cpNamespace(), svc.Namespace+"-"+svc.Name)}}
	for _, h := range svc.Ingress.Hosts {
		e.Spec.Endpoints = append(e.Spec.Endpoints, endpoint{DNSName: h, RecordType: "A", RecordTTL: 300, Targets: targets})
	}
	g.add(cl.Name, e.APIVersion, e.Kind, &e.ObjectMeta, e)
}
