package e2e

// The keying of the played pods on hand-made data, without tools: two services of one name
// in two namespaces are two services, each with its own pods and expected endpoints.

import (
	"net"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// TestLivePodsByHost: web in shop (a and c) and web in shop-preview (a only), one version
// name. Each gets its own pod in a; check 2 expects each service's own pod there, and its
// verdict fails when istiod sends one service the other's pod.
func TestLivePodsByHost(t *testing.T) {
	m := expectationsMesh("inline")
	shop := api.Service{Name: "web", Namespace: "shop", Port: 8080, Versions: []api.Version{{Name: "v1", Weight: 100, Clusters: []string{"a", "c"}}}}
	preview := api.Service{Name: "web", Namespace: "shop-preview", Port: 8080, Versions: []api.Version{{Name: "v1", Weight: 100, Clusters: []string{"a"}}}}
	m.cfg.Spec.Services = []api.Service{shop, preview}
	pods := map[string]string{} // namespace/name -> IP
	for ci, c := range []string{"a", "b", "c"} {
		for _, p := range m.placePods(ci, c) {
			k := c + "/" + p.s.Namespace + "/" + p.name
			if _, dup := pods[k]; dup {
				t.Errorf("two played pods %s", k)
			}
			pods[k] = p.ip
		}
	}
	if len(pods) != 3 {
		t.Fatalf("want 3 played pods (shop in a and c, shop-preview in a), got %v", pods)
	}
	shopA, previewA := pods["a/shop/web-v1-live"], pods["a/shop-preview/web-v1-live"]
	if shopA == "" || previewA == "" || shopA == previewA {
		t.Fatalf("web in shop and in shop-preview need their own pod in a: %v", pods)
	}
	at := func(ip string) string { return net.JoinHostPort(ip, "8080") }
	for _, tc := range []struct {
		s    api.Service
		want string
	}{
		{shop, at(shopA) + " 203.0.113.3:15443"},
		{preview, at(previewA)},
	} {
		if got := strings.Join(m.wantEndpoints(tc.s, tc.s.Versions[0], "a"), " "); got != tc.want {
			t.Errorf("%s, proxy in a: want [%s], got [%s]", host(tc.s), tc.want, got)
		}
	}
	// What istiod sends when it keeps the two apart, and when it mixes them up.
	right := &xdsDump{Endpoints: map[string][]string{
		subsetCluster(shop, "v1"):    {at(shopA), "203.0.113.3:15443"},
		subsetCluster(preview, "v1"): {at(previewA)},
	}}
	mixed := &xdsDump{Endpoints: map[string][]string{
		subsetCluster(shop, "v1"):    {at(previewA), "203.0.113.3:15443"},
		subsetCluster(preview, "v1"): {at(shopA)},
	}}
	for _, s := range []api.Service{shop, preview} {
		r := result{check: checkEndpoints, cluster: "a"}
		name := subsetCluster(s, "v1")
		if got := endpointResult(r, right, nil, name, m.wantEndpoints(s, s.Versions[0], "a")); !got.ok {
			t.Errorf("each service its own pod: %s", got)
		}
		if got := endpointResult(r, mixed, nil, name, m.wantEndpoints(s, s.Versions[0], "a")); got.ok {
			t.Errorf("the services' pods swapped: %s holds", got)
		}
	}
}
