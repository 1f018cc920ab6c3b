package gen

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// TestKindTable holds the table to what meshgen writes: every kind generated from every
// example and a synthetic mesh is a row, with the row's apiVersion and scope; every row is
// generated somewhere (a row nothing uses is a kind no test sees); no kind has two rows.
func TestKindTable(t *testing.T) {
	ms, err := filepath.Glob("../../examples/*/mesh.yaml")
	if err != nil || len(ms) < 2 {
		t.Fatalf("examples: %v %v", ms, err)
	}
	var objs []Object
	for _, m := range ms {
		objs = append(objs, generate(example(t, filepath.Base(filepath.Dir(m))))...)
	}
	// A canary upgrade's first step (examples/sail-canary: Sail's IstioRevisionTags).
	objs = append(objs, generate(example(t, "sail-canary/step1"))...)
	objs = append(objs, generate(input(3))...)
	// Fleet with the helm installer too (examples/sail uses it with sail).
	fleet := example(t, "three-sites")
	fleet.Config.Spec.GitOps.Tool = api.GitOpsFleet
	objs = append(objs, generate(fleet)...)
	seen := map[*Kind]bool{}
	for _, o := range objs {
		k := kindOf(o.APIVersion, o.Kind)
		if k == nil {
			t.Errorf("%s: kind %s is not in the table", o.Path(), o.Kind)
			continue
		}
		if o.APIVersion != k.APIVersion("v1") && o.APIVersion != k.APIVersion("v1beta1") {
			t.Errorf("%s: apiVersion %s, the table says %s", o.Path(), o.APIVersion, k.APIVersion("v1"))
		}
		if k.Cluster != (o.Namespace == "") {
			t.Errorf("%s: scope differs from the table (cluster-scoped %v)", o.Path(), k.Cluster)
		}
		// The object's own JSON says the same as the Object around it.
		b := o.Body.(body).base()
		if b.APIVersion != o.APIVersion || b.Kind != o.Kind || b.Name != o.Name || b.Namespace != o.Namespace {
			t.Errorf("%s: body says %s %s %s/%s", o.Path(), b.APIVersion, b.Kind, b.Namespace, b.Name)
		}
		seen[k] = true
	}
	names := map[[2]string]bool{}
	for _, k := range Kinds {
		if names[[2]string{k.Group, k.Kind}] {
			t.Errorf("kind %s %s has two rows", k.Group, k.Kind)
		}
		names[[2]string{k.Group, k.Kind}] = true
		if !seen[k] {
			t.Errorf("kind %s is in the table but no example generates it", k.Kind)
		}
	}
}

// TestInstallersCoverAPI: every value spec.istio.installer accepts has an installer, and
// every installer a value.
func TestInstallersCoverAPI(t *testing.T) {
	for _, v := range api.Installers {
		if in, ok := installers[v]; !ok || in.controlPlane == nil || in.eastWest == nil {
			t.Errorf("spec.istio.installer %q has no installer in gen", v)
		}
	}
	for v := range installers {
		if !slices.Contains(api.Installers, v) {
			t.Errorf("installer %q is not a value api accepts", v)
		}
	}
}
