package gen

import (
	"reflect"
	"strings"
	"testing"

	networking "istio.io/api/networking/v1alpha3"

	"github.com/meshgen/meshgen/pkg/api"
)

// TestMeshDefaultRoute: the mesh VirtualService ends with a match-less route carrying the same
// weights as the matched one, so an in-mesh call to any other path is routed, not 404ed. The
// ingress VirtualService keeps only the matches: they are what the edge exposes.
func TestMeshDefaultRoute(t *testing.T) {
	in := input(2)
	svc := &in.Config.Spec.Services[0]
	svc.HTTP = []api.HTTPMatch{{Prefix: "/catalog"}}
	svc.Versions = []api.Version{{Name: "v1", Weight: 80, Clusters: []string{"c0", "c1"}}, {Name: "v2", Weight: 20, Clusters: []string{"c1"}}}
	objs := generate(in)
	for _, cl := range []string{"c0", "c1"} {
		vs := find(objs, cl, "VirtualService", "web")[0].Body.(*virtualService)
		http := vsOf(vs).Http
		if len(http) != 2 {
			t.Fatalf("%s: want the matched route and a default route, got %d routes: %s", cl, len(http), js(t, vs))
		}
		last := http[len(http)-1]
		if len(last.Match) != 0 {
			t.Errorf("%s: the last route has matches: %s", cl, js(t, last))
		}
		if !reflect.DeepEqual(js(t, last.Route), js(t, http[0].Route)) {
			t.Errorf("%s: default route weights %s differ from the matched route's %s", cl, js(t, last.Route), js(t, http[0].Route))
		}
		ing := find(objs, cl, "VirtualService", "web-ingress")[0].Body.(*virtualService)
		if len(vsOf(ing).Http) != 1 || len(vsOf(ing).Http[0].Match) != 1 {
			t.Errorf("%s: the ingress VirtualService must expose only the matched paths: %s", cl, js(t, ing))
		}
	}
	// Without matches there is one route, already match-less.
	svc.HTTP = nil
	vs := find(generate(in), "c0", "VirtualService", "web")[0].Body.(*virtualService)
	if len(vsOf(vs).Http) != 1 || len(vsOf(vs).Http[0].Match) != 0 {
		t.Errorf("without matches: want one match-less route, got %s", js(t, vs))
	}
}

// TestIssuerWebhookConfig: the DNS-01 webhook solver gets its config, which most webhooks need
// (credentials reference, zone); without it the solver cannot be configured at all.
func TestIssuerWebhookConfig(t *testing.T) {
	in := input(1)
	in.Config.Spec.Issuers = []api.Issuer{{Name: "le", ACME: &api.ACME{Email: "a@example.com", Server: "https://acme.example.com",
		DNS01Webhook: &api.DNS01Webhook{GroupName: "acme.example.com", SolverName: "s", Config: map[string]any{"secretRef": map[string]any{"name": "creds"}}}}}}
	ci := js(t, find(generate(in), "c0", "ClusterIssuer", "le")[0].Body)
	if !strings.Contains(ci, `"webhook":{"groupName":"acme.example.com","solverName":"s","config":{"secretRef":{"name":"creds"}}}`) {
		t.Errorf("ClusterIssuer: %s", ci)
	}
}

// TestTCPService: a tcp service gets the weighted split as TCP routes and a tcp port name, and
// no HTTP route (Istio would treat its port as HTTP otherwise).
func TestTCPService(t *testing.T) {
	in := input(2)
	svc := &in.Config.Spec.Services[0]
	svc.Protocol, svc.Ingress, svc.Port = api.ProtocolTCP, nil, 5432
	svc.Versions = []api.Version{{Name: "v1", Weight: 70, Clusters: []string{"c0"}}, {Name: "v2", Weight: 30, Clusters: []string{"c1"}}}
	objs := generate(in)
	vs := find(objs, "c1", "VirtualService", "web")[0].Body.(*virtualService)
	if len(vsOf(vs).Http) != 0 || len(vsOf(vs).Tcp) != 1 || len(vsOf(vs).Tcp[0].Route) != 2 || vsOf(vs).Tcp[0].Route[1].Weight != 30 || vsOf(vs).Tcp[0].Route[1].Destination.Subset != "v2" {
		t.Errorf("VirtualService: %s", js(t, vs))
	}
	if s := find(objs, "c1", "Service", "web")[0].Body.(*service); s.Spec.Ports[0].Name != "tcp" {
		t.Errorf("Service port name %q, want tcp", s.Spec.Ports[0].Name)
	}
}

// vsOf is a VirtualService's upstream spec.
func vsOf(v *virtualService) *networking.VirtualService {
	return v.Spec.msg.(*networking.VirtualService)
}
