package gen

import (
	"strings"
	"testing"
)

// TestDNSEndpointFamilies: a record type without addresses is left out, not written empty.
func TestDNSEndpointFamilies(t *testing.T) {
	in := input(2)
	in.Config.Spec.Clusters[1].IngressAddress = "192.0.2.9"
	eps := find(generate(in), "c0", "DNSEndpoint", "")
	if len(eps) != 1 {
		t.Fatalf("want one DNSEndpoint, got %d", len(eps))
	}
	if s := js(t, eps[0].Body); strings.Contains(s, `"AAAA"`) || !strings.Contains(s, `"targets":["192.0.2.1","192.0.2.9"]`) {
		t.Errorf("IPv4 only: %s", s)
	}
}
