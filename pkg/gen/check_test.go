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

// checkAll checks objects of any clusters as Each does: folder by folder.
func checkAll(objs []Object) error {
	var es api.Errors
	var order []string
	by := map[string]*Folder{}
	for _, o := range objs {
		if by[o.Cluster] == nil {
			by[o.Cluster] = &Folder{Name: o.Cluster}
			order = append(order, o.Cluster)
		}
		by[o.Cluster].Objects = append(by[o.Cluster].Objects, o)
	}
	for _, c := range order {
		var e api.Errors
		if errors.As(Check(by[c]), &e) {
			es = append(es, e...)
		}
	}
	if len(es) == 0 {
		return nil
	}
	return es
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
	if err := checkAll(objs); err != nil {
		t.Errorf("Check rejects sound objects: %v", err)
	}
	if err := checkAll(nil); err != nil {
		t.Errorf("checkAll(nil) = %v", err)
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
			[]string{"generated Service has apiVersion v2, the table says v1", "two generated objects Service shop/catalog in cluster east"}},
		{"kind not in the table", []Object{checkObj("east", "v1", "ConfigMap", "shop", "x")},
			[]string{"east/shop_configmap_x.yaml: generated kind ConfigMap is not in the kind table"}},
		{"Istio kind of another group", []Object{checkObj("east", "networking.k8s.io/v1", "Gateway", "shop", "x")},
			[]string{"generated kind Gateway is not in the kind table (apiVersion networking.k8s.io/v1)"}},
		{"every problem at once", []Object{
			checkObj("east", "", "Service", "shop", "a"),
			checkObj("east", "v1", "ConfigMap", "", "b"),
			good, good, good,
		}, []string{"lacks apiVersion", "not in the kind table", "two generated objects", "two generated objects"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkAll(tc.objs)
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
			objs := generate(in)
			if len(objs) < 3 {
				t.Fatalf("generated %d objects", len(objs))
			}
			if err := checkAll(objs); err != nil {
				t.Fatalf("generated objects fail Check: %v", err)
			}
			mid := len(objs) / 2
			dup := append(append([]Object(nil), objs...), objs[mid])
			if err := checkAll(dup); err == nil || !strings.Contains(err.Error(), "two generated objects") {
				t.Errorf("a repeated %s passes Check: %v", objs[mid].Path(), err)
			}
			broken := append([]Object(nil), objs...)
			broken[mid].Name = ""
			if err := checkAll(broken); err == nil || !strings.Contains(err.Error(), "lacks apiVersion, kind or name") {
				t.Errorf("an object without a name passes Check: %v", err)
			}
			if err := Each(in, "no-such-cluster", func(*Folder) error { return nil }); err == nil || !strings.Contains(err.Error(), `unknown cluster "no-such-cluster"`) {
				t.Errorf("Each with an unknown cluster = %v", err)
			}
		})
	}
}

// generate returns every folder's objects as Each hands them over, for tests that look at
// the whole mesh.
func generate(in *api.Input) []Object {
	var objs []Object
	if err := Each(in, "", func(f *Folder) error { objs = append(objs, f.Objects...); return nil }); err != nil {
		panic(err)
	}
	return objs
}

// TestCheckFiles: a file's name stays inside its folder, is not a kustomization or an object's
// path, and it has exactly one of Data and Value.
func TestCheckFiles(t *testing.T) {
	obj := checkObj("east", "v1", "Service", "shop", "catalog")
	ok := []File{{Name: "README.md", Data: []byte("x")}, {Name: "helm/values.yaml", Value: map[string]any{}}}
	if err := Check(&Folder{Name: "east", Objects: []Object{obj}, Files: ok}); err != nil {
		t.Errorf("sound files: %v", err)
	}
	for _, tc := range []struct {
		f    File
		want string
	}{
		{File{Name: "../x", Data: []byte("x")}, "not a plain path"},
		{File{Name: "/etc/x", Data: []byte("x")}, "not a plain path"},
		{File{Name: "a//b", Data: []byte("x")}, "not a plain path"},
		{File{Name: "kustomization.yaml", Data: []byte("x")}, "not a plain path"},
		{File{Name: "x"}, "exactly one of Data and Value"},
		{File{Name: "x", Data: []byte("x"), Value: 1}, "exactly one of Data and Value"},
		{File{Name: "shop_service_catalog.yaml", Data: []byte("x")}, "shares its path"},
		{File{Name: "README.md", Data: []byte("again")}, "shares its path"},
	} {
		err := Check(&Folder{Name: "east", Objects: []Object{obj}, Files: append(append([]File(nil), ok...), tc.f)})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("file %+v: Check = %v, want %q", tc.f, err, tc.want)
		}
	}
}
