package e2e

// The revision part of the live test on hand-made data, without tools: which revision must
// inject a namespace, which istiod a webhook goes to, and the verdict on the injected pods.

import (
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// canarySpec is examples/canary's step 1: shop on the default tag (1-27-3), shop-preview on
// the tag preview (1-28-1).
func canarySpec() api.Spec {
	return api.Spec{
		Istio: api.Istio{Version: "1.27.3", Revision: "1-27-3", Canary: &api.Canary{Version: "1.28.1", Revision: "1-28-1"},
			Tags: map[string]string{"default": "1-27-3", "preview": "1-28-1"}},
		Namespaces: []api.Namespace{{Name: "shop"}, {Name: "shop-preview", Tag: "preview"}},
		Services:   []api.Service{{Name: "web", Namespace: "shop"}, {Name: "web", Namespace: "shop-preview"}},
	}
}

func TestLiveWantRevision(t *testing.T) {
	step1 := canarySpec()
	step2 := canarySpec()
	step2.Istio.Tags["default"] = "1-28-1"
	plain := api.Spec{Istio: api.Istio{Revision: "1-27-3"}}
	for _, tc := range []struct {
		name string
		spec api.Spec
		ns   string
		want string
	}{
		{"step 1, default tag", step1, "shop", "1-27-3"},
		{"step 1, tag preview", step1, "shop-preview", "1-28-1"},
		{"step 2, the default tag moved", step2, "shop", "1-28-1"},
		{"a namespace not listed follows the default tag", step1, "other", "1-27-3"},
		{"a revision without tags", plain, "shop", "1-27-3"},
	} {
		if got, _ := wantRevision(&tc.spec, tc.ns); got != tc.want {
			t.Errorf("%s: %s wants %q, got %q", tc.name, tc.ns, tc.want, got)
		}
	}
}

// TestLiveInjectorRouting: a webhook naming istiod-<revision> goes to that revision's istiod,
// anything else to the cluster's own; and the injection verdict fails for a pod or gateway
// injected by the other revision.
func TestLiveInjectorRouting(t *testing.T) {
	spec := canarySpec()
	spec.Clusters = []api.Cluster{{Name: "north"}}
	own, canary := &istiodProcess{https: "127.0.0.1:1"}, &istiodProcess{https: "127.0.0.1:2"}
	m := &liveMesh{cfg: &api.MeshConfig{Spec: spec},
		istiod: map[string]*istiodProcess{"north": own}, revs: map[string]*istiodProcess{"north/1-27-3": canary},
		client: map[string]proxyMeta{}, gwRev: map[string]string{"north/ew": "1-27-3"},
		inst: map[string]*installation{"north": {gateways: []gateway{{name: "ew", podLabels: map[string]string{}}}}}}
	for svc, want := range map[string]*istiodProcess{"istiod-1-27-3": canary, "istiod-1-28-1": own, "istiod": own} {
		if got := m.webhookIstiod("north", svc); got != want {
			t.Errorf("a webhook naming %s goes to %s, want %s", svc, got.https, want.https)
		}
	}
	verdicts := func() (ok []bool) {
		for _, r := range m.revisionResults("north") {
			ok = append(ok, r.ok)
		}
		return ok
	}
	m.client["north/shop"] = proxyMeta{injected: true, revision: "1-27-3"}
	m.client["north/shop-preview"] = proxyMeta{injected: true, revision: "1-28-1"}
	if got := verdicts(); len(got) != 3 || !got[0] || !got[1] || !got[2] {
		t.Errorf("each namespace injected by its tag's revision, the gateway by the default tag's: %v", m.revisionResults("north"))
	}
	m.client["north/shop"] = proxyMeta{injected: true, revision: "1-28-1"} // the harness's old single istiod
	m.client["north/shop-preview"] = proxyMeta{}
	m.gwRev["north/ew"] = "1-28-1"
	if got := verdicts(); len(got) != 3 || got[0] || got[1] || got[2] {
		t.Errorf("shop and the gateway injected by 1-28-1, shop-preview not at all: %v", m.revisionResults("north"))
	}
}
