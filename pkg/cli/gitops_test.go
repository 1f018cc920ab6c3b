package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/internal/invariant"
)

func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			m[rel] = string(b)
		}
		return nil
	})
	return m
}

// TestTreeLifecycle walks a GitOps tree through its life: rendered twice to the same bytes,
// checked up to date, changed in the MeshConfig, found out of date by --check with a diff,
// re-rendered with stale files gone and the user's own files kept.
func TestTreeLifecycle(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gitops")
	files := inputs(t, "mcsps-test")
	render := func(extra ...string) (string, string, int) {
		return run(t, nil, append(append([]string{"render", "-o", dir}, extra...), files...)...)
	}
	if _, e, code := render(); code != OK {
		t.Fatalf("render: %d %s", code, e)
	}
	first := readTree(t, dir)
	if _, e, code := render(); code != OK {
		t.Fatalf("second render: %d %s", code, e)
	}
	if second := readTree(t, dir); len(second) != len(first) {
		t.Fatalf("second render: %d files, first %d", len(second), len(first))
	} else {
		for f, b := range first {
			if second[f] != b {
				t.Errorf("%s changed between two renders of the same input", f)
			}
		}
	}
	// Every folder's kustomization.yaml lists exactly its files, so kubectl apply -k applies
	// the whole cluster.
	for _, v := range invariant.RuleNamed("kustomization").Check(readMesh(t, exampleConfig(t, "mcsps-test"), dir)) {
		t.Error(v)
	}
	if out, e, code := render("--check"); code != OK || out != "" {
		t.Fatalf("--check on an up-to-date tree: exit %d\n%s%s", code, out, e)
	}

	// The user's own files in the tree, one of them in a folder meshgen writes.
	foreign := map[string]string{"README.md": "# our GitOps repo\n", "mcsps-test-k8s-01/extra.yaml": "kind: ConfigMap\n"}
	for f, b := range foreign {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The service goes away; its files must follow, and --check must say so first.
	b, err := os.ReadFile(files[len(files)-1])
	if err != nil || !strings.Contains(string(b), "kind: MeshConfig") {
		t.Fatalf("expected the MeshConfig last in %v", files)
	}
	changed := filepath.Join(t.TempDir(), "mesh.yaml")
	s := string(b)
	s = s[:strings.Index(s, "  services:")]
	if err := os.WriteFile(changed, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	files[len(files)-1] = changed
	out, _, code := render("--check")
	if code != Invalid {
		t.Errorf("--check on an out-of-date tree: exit %d, want %d", code, Invalid)
	}
	if !strings.Contains(out, "--- a/mcsps-test-k8s-01/4-traffic/sample_virtualservice_helloworld.yaml\n+++ /dev/null\n") || !strings.Contains(out, "\n-kind: VirtualService\n") {
		t.Errorf("--check did not show the stale VirtualService as a unified diff:\n%s", out)
	}
	if got := readTree(t, dir); len(got) != len(first)+len(foreign) {
		t.Errorf("--check wrote to the tree")
	}
	if _, e, code := render(); code != OK {
		t.Fatalf("render: %d %s", code, e)
	}
	after := readTree(t, dir)
	for f := range after {
		if strings.Contains(f, "helloworld") {
			t.Errorf("stale file %s kept", f)
		}
	}
	for f, b := range foreign {
		if after[f] != b {
			t.Errorf("the user's file %s was changed or removed", f)
		}
	}
	if out, _, code := render("--check"); code != OK {
		t.Errorf("--check after render: exit %d\n%s", code, out)
	}
}
