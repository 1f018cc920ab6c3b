package api

import (
	"strings"
	"testing"
)

// TestAmbientVersionServiceNames: with ambient, only the versions of a weighted split get a
// Service of their own (<service>-<version>), so only their names can collide or be too long;
// a service with one weighted version, or a version without weight, takes no name.
func TestAmbientVersionServiceNames(t *testing.T) {
	// one weighted version: no version Service, so "web-v1" is free for a service of its own
	c := ambientConfig(t)
	c.Spec.Services[0].Versions[1].Weight, c.Spec.Services[0].Versions[0].Weight = 0, 100
	c.Spec.Services = append(c.Spec.Services, Service{Name: "web-v1", Namespace: "app", Port: 8080, Protocol: "http",
		Versions: []Version{{Name: "v1", Weight: 100, Clusters: []string{"a", "b"}}}})
	if es := Validate(c, nil); es != nil {
		t.Errorf("one weighted version takes no Service name: %v", es)
	}
	// a split: the zero-weight version gets no Service, so its name is free
	c = ambientConfig(t)
	c.Spec.Services[0].Versions = append(c.Spec.Services[0].Versions, Version{Name: "v3", Weight: 0, Clusters: []string{"a"}})
	c.Spec.Services = append(c.Spec.Services, Service{Name: "web-v3", Namespace: "app", Port: 8080, Protocol: "http",
		Versions: []Version{{Name: "v1", Weight: 100, Clusters: []string{"a", "b"}}}})
	if es := Validate(c, nil); es != nil {
		t.Errorf("a version without weight takes no Service name: %v", es)
	}
	// a long name is fine without a split, and a version Service of exactly 63 bytes too
	c = ambientConfig(t)
	long := strings.Repeat("s", 60)
	c.Spec.Services[0].Name = long + "s" // long-v1 would be 64 bytes
	c.Spec.Services[0].Versions[1].Weight, c.Spec.Services[0].Versions[0].Weight = 0, 100
	if es := Validate(c, nil); es != nil {
		t.Errorf("no split, no version Service: %v", es)
	}
	c = ambientConfig(t)
	c.Spec.Services[0].Name = long // long-v1, long-v2: 63 bytes
	if es := Validate(c, nil); es != nil {
		t.Errorf("version Services of 63 bytes are valid: %v", es)
	}
	c.Spec.Services[0].Name = long + "s"
	if es := Validate(c, nil); es == nil || !strings.Contains(es.Error(), "longer than 63 characters") {
		t.Errorf("version Services of 64 bytes: want an error, got %v", es)
	}
}

// TestFailoverWarningOneNetworkPerVersion: a version whose clusters share one network has no
// endpoint behind a gateway, however many networks the mesh has: no warning for its labels.
func TestFailoverWarningOneNetworkPerVersion(t *testing.T) {
	c, _ := failoverConfig(t)
	c.Spec.Clusters = append(c.Spec.Clusters, Cluster{Name: "c", Network: "nc"})
	c.Spec.Clusters[1].Network = c.Spec.Clusters[0].Network
	c.Spec.Services[0].Versions = []Version{{Name: "v1", Weight: 100, Clusters: []string{c.Spec.Clusters[0].Name, c.Spec.Clusters[1].Name}}}
	if ws := failoverWarnings(c); ws != nil {
		t.Errorf("the version runs on one network: %v", ws)
	}
}

// TestLabelKeyPrefixLength: a label key's prefix is a DNS subdomain of at most 253 bytes.
func TestLabelKeyPrefixLength(t *testing.T) {
	label := strings.Repeat("a", 63)
	prefix := label + "." + label + "." + label + "." + strings.Repeat("a", 61) // 253 bytes
	if len(prefix) != 253 {
		t.Fatalf("prefix of %d bytes", len(prefix))
	}
	if !labelKey(prefix + "/zone") {
		t.Errorf("a 253-byte prefix is valid")
	}
	if labelKey("a" + prefix + "/zone") {
		t.Errorf("a 254-byte prefix is not")
	}
}
