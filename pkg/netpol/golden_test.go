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
	c := goldenPolicies(t, "three-sites", "fra")
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

// TestGoldenTreeSharedNetwork: on one network (examples/single-network) the policies on disk
// let the other clusters' pods, known by their ranges only, call the mesh's services and be
// called, and let nothing out on 15443: there is no east-west gateway.
func TestGoldenTreeSharedNetwork(t *testing.T) {
	c := goldenPolicies(t, "single-network", "dc1-a")
	flat := map[string]string{"kubernetes.io/metadata.name": "flat", "istio-injection": "enabled"}
	system := map[string]string{"kubernetes.io/metadata.name": "istio-system"}
	api := Endpoint{Name: "api", Namespace: "flat", NamespaceLabels: flat, Labels: map[string]string{"app": "api", "version": "v1"}, IP: "10.100.0.10"}
	ingress := Endpoint{Name: "ingress", Namespace: "istio-system", NamespaceLabels: system, Labels: map[string]string{"app": "istio-ingressgateway", "istio": "ingressgateway"}, IP: "10.100.1.10"}
	peerB := Endpoint{Name: "dc1-b pod", IP: "10.101.0.10"}
	peerC := Endpoint{Name: "dc1-c pod", IP: "10.102.0.10"}
	outside := Endpoint{Name: "outside", IP: "203.0.113.7"}
	for _, tt := range []struct {
		f    Flow
		want bool
	}{
		{Flow{From: peerB, To: api, Port: 8080}, true},
		{Flow{From: peerC, To: api, Port: 8080}, true},
		{Flow{From: api, To: peerB, Port: 6379}, true},
		{Flow{From: ingress, To: peerC, Port: 8080}, true},
		{Flow{From: outside, To: api, Port: 8080}, false},
		{Flow{From: peerB, To: api, Port: 15090}, false},
		{Flow{From: api, To: outside, Port: 6379}, false},
		{Flow{From: api, To: peerB, Port: 15443}, false},
		{Flow{From: api, To: outside, Port: 15443}, false},
		{Flow{From: ingress, To: outside, Port: 15443}, false},
	} {
		if got, why := c.Allowed(tt.f); got != tt.want {
			t.Errorf("%s: got %v (%s), want %v", tt.f, got, why, tt.want)
		}
	}
}

// goldenPolicies parses the NetworkPolicies of one cluster's golden tree of an example.
func goldenPolicies(t *testing.T, example, cluster string) Cluster {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("../../testdata/golden", example, "tree", cluster, "1-base", "*networkpolicy*.yaml"))
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
	return c
}
