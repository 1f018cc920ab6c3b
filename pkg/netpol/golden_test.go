package netpol

import (
	"os"
	"path/filepath"
	"testing"
)

// TestGoldenTree: the NetworkPolicies as meshgen writes them to disk (not only as Go values)
// carry the semantics: an empty namespaceSelector that went missing in the YAML, or a peer that
// lost its podSelector, would open or close flows here.
func TestGoldenTree(t *testing.T) {
	files, err := filepath.Glob("../../testdata/golden/three-sites/tree/fra/*networkpolicy*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden NetworkPolicies: %v", err)
	}
	var all []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(append(all, b...), "\n---\n"...)
	}
	c, err := Parse(all)
	if err != nil || len(c) != len(files) {
		t.Fatalf("parsed %d of %d: %v", len(c), len(files), err)
	}
	shop := map[string]string{"kubernetes.io/metadata.name": "shop", "istio-injection": "enabled"}
	system := map[string]string{"kubernetes.io/metadata.name": "istio-system"}
	catalog := Endpoint{Name: "catalog", Namespace: "shop", NamespaceLabels: shop, Labels: map[string]string{"app": "catalog", "version": "v1"}}
	checkout := Endpoint{Name: "checkout", Namespace: "shop", NamespaceLabels: shop, Labels: map[string]string{"app": "checkout", "version": "v1"}}
	istiod := Endpoint{Name: "istiod", Namespace: "istio-system", NamespaceLabels: system, Labels: map[string]string{"app": "istiod"}}
	stranger := Endpoint{Name: "stranger", Namespace: "other", NamespaceLabels: map[string]string{"kubernetes.io/metadata.name": "other"}}
	apiServer := Endpoint{Name: "kube-apiserver", IP: "192.168.0.10"}
	for _, tt := range []struct {
		f    Flow
		want bool
	}{
		{Flow{From: catalog, To: checkout, Port: 9090}, true},
		{Flow{From: catalog, To: istiod, Port: 15012}, true},
		{Flow{From: stranger, To: istiod, Port: 15012}, true}, // "from the cluster": any pod
		{Flow{From: apiServer, To: istiod, Port: 15017}, true},
		{Flow{From: istiod, To: apiServer, Port: 6443}, true},
		{Flow{From: stranger, To: istiod, Port: 15010}, false},
		{Flow{From: catalog, To: istiod, Port: 8080}, false},
		{Flow{From: stranger, To: checkout, Port: 9090}, false},
		{Flow{From: apiServer, To: istiod, Port: 15012}, false},
	} {
		if got, why := c.Allowed(tt.f); got != tt.want {
			t.Errorf("%s: got %v (%s), want %v", tt.f, got, why, tt.want)
		}
	}
}
