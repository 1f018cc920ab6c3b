package gen

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

func checkObj(cluster, apiVersion, kind, namespace, name string) Object {
	return Object{Cluster: cluster, APIVersion: apiVersion, Kind: kind, Namespace: namespace, Name: name, Body: map[string]any{}}
}

func TestCheckAcceptsSound(t *testing.T) {
	objs := []Object{
		checkObj("east", "v1", "Namespace", "", "shop"),
		checkObj("east", "cert-manager.io/v1", "ClusterIssuer", "", "letsencrypt"),
		checkObj("east", "v1", "Service", "shop", "catalog"),
		// The same name is fine in another cluster, another namespace or as another kind.
		checkObj("west", "v1", "Service", "shop", "catalog"),
		checkObj("east", "v1", "Service", "shelf", "catalog"),
		checkObj("east", "networking.istio.io/v1", "VirtualService", "shop", "catalog"),
		checkObj("west", "v1", "Namespace", "", "shop"),
	}
	if err := Check(objs); err != nil {
		t.Errorf("Check rejects sound objects: %v", err)
	}
	if err := Check(nil); err != nil {
		t.Errorf("Check(nil) = %v", err)
	}
}

func TestCheckRejectsBroken(t *testing.T) {
	good := checkObj("east", "v1", "Service", "shop", "catalog")
	for _, tc := range []struct {
		name string
		objs []Object
		want []string // one substring per expected error, in order
	}{
		{"no apiVersion", []Object{checkObj("east", "", "Service", "shop", "catalog")},
			[]string{"east/shop_service_catalog.yaml: generated object lacks apiVersion, kind or name"}},
		{"no kind", []Object{checkObj("east", "v1", "", "shop", "catalog")},
			[]string{"east/shop__catalog.yaml: generated object lacks apiVersion, kind or name"}},
		{"no name", []Object{checkObj("east", "v1", "Service", "shop", "")},
			[]string{"east/shop_service_.yaml: generated object lacks apiVersion, kind or name"}},
		{"namespaced without namespace", []Object{checkObj("east", "v1", "Service", "", "catalog")},
			[]string{"east/service_catalog.yaml: generated Service has the wrong scope"}},
		{"cluster-scoped with namespace", []Object{checkObj("east", "v1", "Namespace", "shop", "shop")},
			[]string{"east/shop_namespace_shop.yaml: generated Namespace has the wrong scope"}},
		{"ClusterIssuer with namespace", []Object{checkObj("east", "cert-manager.io/v1", "ClusterIssuer", "istio-system", "le")},
			[]string{"generated ClusterIssuer has the wrong scope"}},
		{"duplicate", []Object{good, checkObj("west", "v1", "Service", "shop", "catalog"), good},
			[]string{"east/shop_service_catalog.yaml: two generated objects Service shop/catalog in cluster east"}},
		{"duplicate of another apiVersion", []Object{good, checkObj("east", "v2", "Service", "shop", "catalog")},
			[]string{"two generated objects Service shop/catalog in cluster east"}},
		{"every problem at once", []Object{
			checkObj("east", "", "Service", "shop", "a"),
			checkObj("east", "v1", "ConfigMap", "", "b"),
			good, good, good,
		}, []string{"lacks apiVersion", "wrong scope", "two generated objects", "two generated objects"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(tc.objs)
			var es api.Errors
			if !errors.As(err, &es) {
				t.Fatalf("Check = %v (%T), want api.Errors", err, err)
			}
			if len(es) != len(tc.want) {
				t.Fatalf("Check found %d problems, want %d:\n%v", len(es), len(tc.want), err)
			}
			for i, w := range tc.want {
				if !strings.Contains(es[i].Error(), w) {
					t.Errorf("problem %d is %q, want it to contain %q", i, es[i].Error(), w)
				}
			}
		})
	}
}

// The generator's own output passes; the same output with one object broken or repeated
// does not.
func TestCheckOnGeneratedOutput(t *testing.T) {
	ms, err := filepath.Glob("../../examples/*/mesh.yaml")
	if err != nil || len(ms) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, m := range ms {
		t.Run(filepath.Base(filepath.Dir(m)), func(t *testing.T) {
			in := example(t, filepath.Base(filepath.Dir(m)))
			objs := Generate(in)
			if len(objs) < 3 {
				t.Fatalf("generated %d objects", len(objs))
			}
			if err := Check(objs); err != nil {
				t.Fatalf("generated objects fail Check: %v", err)
			}
			mid := len(objs) / 2
			dup := append(append([]Object(nil), objs...), objs[mid])
			if err := Check(dup); err == nil || !strings.Contains(err.Error(), "two generated objects") {
				t.Errorf("a repeated %s passes Check: %v", objs[mid].Path(), err)
			}
			broken := append([]Object(nil), objs...)
			broken[mid].Name = ""
			if err := Check(broken); err == nil || !strings.Contains(err.Error(), "lacks apiVersion, kind or name") {
				t.Errorf("an object without a name passes Check: %v", err)
			}
			if _, err := Render(in, "no-such-cluster"); err == nil || !strings.Contains(err.Error(), `unknown cluster "no-such-cluster"`) {
				t.Errorf("Render with an unknown cluster = %v", err)
			}
		})
	}
}
