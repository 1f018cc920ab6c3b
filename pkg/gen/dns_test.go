package gen

import (
	"strings"
	"testing"
)

// TestDNSEndpointFamilies: a record type without addresses is left out, not written empty.
func TestDNSEndpointFamilies(t *testing.T) {
	in := input(2)
	in.Config.Spec.Clusters[1].IngressAddress = "192.0.2.9"
	eps := find(Generate(in), "c0", "DNSEndpoint", "")
	if len(eps) != 1 {
		t.Fatalf("want one DNSEndpoint, got %d", len(eps))
	}
	if s := js(t, eps[0].Body); strings.Contains(s, `"AAAA"`) || !strings.Contains(s, `"targets":["192.0.2.1","192.0.2.9"]`) {
		t.Errorf("IPv4 only: %s", s)
	}
}

// TestDNSTargetAnnotation: without a DNS owner, each cluster's ingress Gateway names its own
// address for external-dns, and a cluster without an address names none.
func TestDNSTargetAnnotation(t *testing.T) {
	in := input(3)
	in.Config.Spec.DNS.EndpointCluster = ""
	in.Config.Spec.Clusters[1].IngressAddress = ""
	objs := Generate(in)
	for _, cl := range in.Config.Spec.Clusters {
		gws := find(objs, cl.Name, "Gateway", "web-ingress")
		if len(gws) != 1 {
			t.Fatalf("%s: %d ingress Gateways", cl.Name, len(gws))
		}
		got, ok := gws[0].Body.(*gateway).Annotations[externalDNSTarget]
		if ok != (cl.IngressAddress != "") || got != cl.IngressAddress {
			t.Errorf("%s: target %q (set: %v), want %q", cl.Name, got, ok, cl.IngressAddress)
		}
	}
	if eps := find(objs, "c0", "DNSEndpoint", ""); len(eps) != 0 {
		t.Errorf("DNSEndpoint without an owner: %v", eps)
	}
}
