package cli

import (
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/meshgen/meshgen/internal/invariant"
	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/gen"
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

// argoCDProblems checks Argo CD's hub folder as written: argocd/kustomization.yaml lists
// exactly the child Applications of the folder and nothing below it, so the root in
// argocd/root/ (listed by its own kustomization.yaml) is not one of its own resources; the
// root syncs <repoPath>/argocd into Argo CD's namespace of the hub cluster.
func argoCDProblems(tree map[string]string, repoPath string) []string {
	var out []string
	resources := func(dir string) []string {
		var k struct{ Resources []string }
		if err := yaml.Unmarshal([]byte(tree[path.Join(dir, "kustomization.yaml")]), &k); err != nil || len(k.Resources) == 0 {
			out = append(out, fmt.Sprintf("%s/kustomization.yaml lists nothing (%v)", dir, err))
		}
		return k.Resources
	}
	type application struct {
		Kind string
		Spec struct {
			Source      struct{ Path string }
			Destination struct{ Name, Server, Namespace string }
		}
	}
	listed := map[string]bool{}
	for _, r := range resources(api.ArgoCDFolder) {
		listed[r] = true
		f := path.Join(api.ArgoCDFolder, r)
		var app application
		if err := yaml.Unmarshal([]byte(tree[f]), &app); err != nil || app.Kind != "Application" || app.Spec.Destination.Name == "" {
			out = append(out, fmt.Sprintf("%s lists %s, not a child Application (%v)", api.ArgoCDFolder, r, err))
		}
	}
	for f := range tree {
		if dir, name := path.Split(f); dir == api.ArgoCDFolder+"/" && name != "kustomization.yaml" && !listed[name] {
			out = append(out, f+": not in "+api.ArgoCDFolder+"/kustomization.yaml")
		}
	}
	rootDir := path.Join(api.ArgoCDFolder, gen.ArgoCDRoot)
	roots := resources(rootDir)
	if len(roots) != 1 {
		return append(out, fmt.Sprintf("%s lists %v, want the root alone", rootDir, roots))
	}
	var app application
	if err := yaml.Unmarshal([]byte(tree[path.Join(rootDir, roots[0])]), &app); err != nil || app.Kind != "Application" {
		out = append(out, fmt.Sprintf("%s: no Application (%v)", roots[0], err))
	}
	if d := app.Spec.Destination; app.Spec.Source.Path != path.Join(repoPath, api.ArgoCDFolder) || d.Server != "https://kubernetes.default.svc" || d.Namespace != "argocd" {
		out = append(out, fmt.Sprintf("root %s syncs %s to %+v, want %s/%s to the hub's argocd namespace", roots[0], app.Spec.Source.Path, d, repoPath, api.ArgoCDFolder))
	}
	return out
}

// TestArgoCDTree: the rendered hub folder of three-sites holds the children, its root/ the
// app of apps that syncs them. Negative controls: root/ listed in the hub's kustomization (a
// root managing itself), a child left out of it, and the root pointed at a cluster's folder.
func TestArgoCDTree(t *testing.T) {
	dir := t.TempDir()
	if _, e, code := run(t, nil, append([]string{"render", "-o", dir}, inputs(t, "three-sites")...)...); code != OK {
		t.Fatalf("render: %d %s", code, e)
	}
	tree := map[string]string{}
	for f, b := range readTree(t, dir) {
		tree[filepath.ToSlash(f)] = b
	}
	repoPath := exampleConfig(t, "three-sites").Spec.GitOps.Path
	for _, p := range argoCDProblems(tree, repoPath) {
		t.Error(p)
	}
	hub, root := "argocd/kustomization.yaml", "argocd/root/argocd_application_shop.yaml"
	// The bootstrap each cluster's README gives applies the root's file.
	if cmd := "kubectl apply -f " + path.Join(repoPath, root) + "."; tree[root] == "" || !strings.Contains(tree["fra/README.md"], cmd) {
		t.Errorf("fra/README.md does not bootstrap with %q", cmd)
	}
	for name, b := range map[string]func(m map[string]string){
		"root listed by the hub": func(m map[string]string) { m[hub] += "- root\n" },
		"a child left out": func(m map[string]string) {
			m[hub] = strings.Replace(m[hub], "- argocd_application_shop-ams-istiod.yaml\n", "", 1)
		},
		"root syncing a cluster's": func(m map[string]string) {
			m[root] = strings.Replace(m[root], "path: clusters/argocd", "path: clusters/fra", 1)
		},
	} {
		m := maps.Clone(tree)
		b(m)
		if m[hub] == tree[hub] && m[root] == tree[root] {
			t.Fatalf("%s: the control changed nothing", name)
		}
		if len(argoCDProblems(m, repoPath)) == 0 {
			t.Errorf("%s passes", name)
		}
	}
}
