package gen

import (
	"encoding/json"
	"strings"

	networking "istio.io/api/networking/v1alpha3"

	"github.com/meshgen/meshgen/pkg/api"
)

// Annotations external-dns reads, after its prefix (spec.dns.annotationPrefix).
const (
	externalDNSTarget     = "target"
	externalDNSController = "controller"
)

var ingressSelector = map[string]string{"istio": "ingressgateway"}

// ingress exposes a service on every cluster's ingress gateway. Plain HTTP lives beside the
// service. With TLS, the Gateway, VirtualService and Certificate go into the control-plane
// namespace instead: the ingress gateway reads certificate secrets only from its own namespace,
// and a Certificate anywhere else issues a secret nobody can use.
func (g *gen) ingress(cl *api.Cluster, svc *api.Service) {
	in := svc.Ingress
	if in == nil {
		return
	}
	ns, name := svc.Namespace, svc.Name+"-ingress"
	if in.TLS != nil {
		ns, name = g.cpNamespace(), svc.Namespace+"-"+svc.Name+"-ingress"
		for _, h := range in.Hosts {
			g.certificate(cl, h, in.TLS.Issuer)
		}
	}

	gw := &gateway{object: g.meta(ns, name)}
	dns := g.cfg.Spec.DNS
	switch {
	case dns.EndpointCluster != "":
		// The DNSEndpoint names every cluster's address; external-dns's Istio source must not
		// publish this Gateway's hosts as well, or the clusters fight over the names.
		gw.Annotations[dns.AnnotationPrefix+externalDNSController] = "none"
	case cl.IngressAddress != "":
		gw.Annotations[dns.AnnotationPrefix+externalDNSTarget] = cl.IngressAddress
	}
	gw.Spec = g.spec(specKey{"ingress-gateway", svc}, func() json.Marshaler {
		return &networking.Gateway{Selector: ingressSelector, Servers: servers(in)}
	})
	g.add(cl.Name, kGateway, gw)

	vs := &virtualService{object: g.meta(ns, name)}
	vs.Spec = g.spec(specKey{"ingress-virtualservice", svc}, func() json.Marshaler {
		return &networking.VirtualService{Hosts: in.Hosts, Gateways: []string{name}, Http: routes(svc)}
	})
	g.add(cl.Name, kVirtualService, vs)
}

// servers are the ingress Gateway's: HTTP, and with TLS a redirect to one HTTPS server per host.
func servers(in *api.Ingress) []*networking.Server {
	s := []*networking.Server{{
		Port:  &networking.Port{Number: 80, Name: "http", Protocol: "HTTP"},
		Hosts: in.Hosts,
	}}
	if in.TLS == nil {
		return s
	}
	s[0].Tls = &networking.ServerTLSSettings{HttpsRedirect: true}
	for _, h := range in.Hosts {
		secret := SecretName(h)
		s = append(s, &networking.Server{
			Port:  &networking.Port{Number: 443, Name: "https-" + secret, Protocol: "HTTPS"},
			Tls:   &networking.ServerTLSSettings{Mode: networking.ServerTLSSettings_SIMPLE, CredentialName: secret},
			Hosts: []string{h},
		})
	}
	return s
}

func (g *gen) certificate(cl *api.Cluster, host, issuer string) {
	c := &certificate{object: g.meta(g.cpNamespace(), SecretName(host))}
	c.Spec = certificateSpec{
		SecretName: SecretName(host),
		DNSNames:   []string{host},
		IssuerRef:  issuerRef{Group: "cert-manager.io", Kind: "ClusterIssuer", Name: issuer},
	}
	// X.509 limits the common name to 64 bytes; longer hosts rely on the SAN alone.
	if len(host) <= 64 {
		c.Spec.CommonName = host
	}
	g.add(cl.Name, kCertificate, c)
}

// SecretName is the TLS secret of a host: dots become dashes, a wildcard becomes "wildcard".
func SecretName(host string) string {
	if rest, ok := strings.CutPrefix(host, "*."); ok {
		host = "wildcard." + rest
	}
	return strings.ReplaceAll(host, ".", "-")
}
