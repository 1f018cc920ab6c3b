package e2e

// The live checks' expectations and verdicts on hand-made data, without tools: what
// TestLiveMesh compares against must itself be right.

import (
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

func expectationsMesh(mode string) *liveMesh {
	m := &liveMesh{
		cfg: &api.MeshConfig{Spec: api.Spec{
			Clusters:      []api.Cluster{{Name: "a", Network: "na"}, {Name: "b", Network: "nb"}, {Name: "c", Network: "nc"}},
			RemoteSecrets: api.RemoteSecrets{Mode: mode},
		}},
		inst:   map[string]*installation{},
		podIP:  map[string]string{},
		lbAddr: map[string]string{},
	}
	for i, c := range []string{"a", "b", "c"} {
		m.clusters = append(m.clusters, &liveCluster{name: c})
		ew := object{"metadata": map[string]any{"labels": map[string]any{"topology.istio.io/network": "n" + c}}}
		m.inst[c] = &installation{gateways: []gateway{{name: "ew", service: ew}, {name: "in", service: object{}}}}
		m.lbAddr[c+"/ew"] = "203.0.113." + string(rune('1'+i))
		m.podIP[podKey(api.Service{Name: "s", Namespace: "ns"}, "v1", c)] = "10.0." + string(rune('1'+i)) + ".1"
	}
	return m
}

func TestLiveExpectedEndpoints(t *testing.T) {
	s := api.Service{Name: "s", Namespace: "ns", Port: 80}
	v := api.Version{Name: "v1", Clusters: []string{"a", "c"}}
	for _, tc := range []struct {
		mode, proxy, want string
	}{
		{"inline", "a", "10.0.1.1:80 203.0.113.3:15443"},
		{"inline", "b", "203.0.113.1:15443 203.0.113.3:15443"},
		{"inline", "c", "10.0.3.1:80 203.0.113.1:15443"},
		// Without remote secrets istiod knows its own cluster only.
		{"none", "a", "10.0.1.1:80"},
		{"none", "b", ""},
	} {
		got := strings.Join(expectationsMesh(tc.mode).wantEndpoints(s, v, tc.proxy), " ")
		if got != tc.want {
			t.Errorf("%s, proxy in %s: want [%s], got [%s]", tc.mode, tc.proxy, tc.want, got)
		}
	}
}

// TestLiveExpectedEndpointsSharedNetwork: a version in a peer on the proxy's network is at its
// pod IP, however many clusters share the network; on another network, at the gateway of the
// cluster it runs in.
func TestLiveExpectedEndpointsSharedNetwork(t *testing.T) {
	s := api.Service{Name: "s", Namespace: "ns", Port: 80}
	v := api.Version{Name: "v1", Clusters: []string{"a", "b", "c"}}
	for _, tc := range []struct {
		name     string
		networks []string
		proxy    string
		want     string
	}{
		{"one network", []string{"n", "n", "n"}, "a", "10.0.1.1:80 10.0.2.1:80 10.0.3.1:80"},
		{"one network", []string{"n", "n", "n"}, "c", "10.0.1.1:80 10.0.2.1:80 10.0.3.1:80"},
		{"two share", []string{"n", "n", "nc"}, "b", "10.0.1.1:80 10.0.2.1:80 203.0.113.3:15443"},
		{"two share", []string{"n", "n", "nc"}, "c", "10.0.3.1:80 203.0.113.1:15443 203.0.113.2:15443"},
	} {
		m := expectationsMesh("inline")
		for i, n := range tc.networks {
			m.cfg.Spec.Clusters[i].Network = n
		}
		got := strings.Join(m.wantEndpoints(s, v, tc.proxy), " ")
		if got != tc.want {
			t.Errorf("%s, proxy in %s: want [%s], got [%s]", tc.name, tc.proxy, tc.want, got)
		}
	}
}

// TestLiveNoEastWestOnOneNetwork: on one network the check wants no east-west gateway in the
// installation, and fails when there is one.
func TestLiveNoEastWestOnOneNetwork(t *testing.T) {
	m := expectationsMesh("inline")
	for i := range m.cfg.Spec.Clusters {
		m.cfg.Spec.Clusters[i].Network = "n"
	}
	if rs := m.eastWestResults("a"); len(rs) != 1 || rs[0].ok {
		t.Errorf("an installation with an east-west gateway on one network: %v", rs)
	}
	m.inst["a"].gateways = m.inst["a"].gateways[1:]
	if rs := m.eastWestResults("a"); len(rs) != 1 || !rs[0].ok {
		t.Errorf("an installation without an east-west gateway on one network: %v", rs)
	}
}

func TestLiveRouteVerdict(t *testing.T) {
	s := api.Service{Name: "s", Namespace: "ns", Port: 80, Versions: []api.Version{{Name: "v1", Weight: 90}, {Name: "v2", Weight: 10}, {Name: "v3", Weight: 0}}}
	h := host(s)
	right := map[string]uint32{subsetCluster(s, "v1"): 90, subsetCluster(s, "v2"): 10}
	wrong := map[string]uint32{subsetCluster(s, "v1"): 89, subsetCluster(s, "v2"): 11}
	type rt = struct {
		Config   string            `json:"config"`
		Domains  []string          `json:"domains"`
		Match    string            `json:"match"`
		Redirect bool              `json:"redirect"`
		Weights  map[string]uint32 `json:"weights"`
	}
	for _, tc := range []struct {
		name   string
		routes []rt
		ok     bool
	}{
		{"the weights, weight 0 left out", []rt{{Domains: []string{h}, Weights: right}}, true},
		{"a host with a port", []rt{{Domains: []string{h + ":80"}, Weights: right}}, true},
		{"a redirect forwards nothing", []rt{{Domains: []string{h}, Redirect: true, Weights: wrong}, {Domains: []string{h}, Weights: right}}, true},
		{"one route with other weights", []rt{{Domains: []string{h}, Weights: right}, {Domains: []string{h}, Weights: wrong}}, false},
		{"no route for the host", []rt{{Domains: []string{"other"}, Weights: right}}, false},
		{"only redirects", []rt{{Domains: []string{h}, Redirect: true}}, false},
	} {
		d := &xdsDump{Routes: tc.routes}
		if r := routeResult("a", "a sidecar", d, nil, s, h); r.ok != tc.ok {
			t.Errorf("%s: want ok=%v, got %s", tc.name, tc.ok, r)
		}
	}
}
