package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/kio"
)

var repoBinOnce sync.Once

// repoBinary builds bin/meshgen, the path the kustomize and kpt examples name.
func repoBinary(t *testing.T) {
	t.Helper()
	var err error
	var out []byte
	repoBinOnce.Do(func() {
		cmd := exec.Command("go", "build", "-o", "bin/meshgen", "./fn")
		cmd.Dir = repo
		out, err = cmd.CombinedOutput()
	})
	if err != nil {
		t.Fatalf("go build -o bin/meshgen: %v\n%s", err, out)
	}
}

// objects parses a YAML stream into canonical JSON per object, keyed by kind/namespace/name.
func objects(t *testing.T, stream string) map[string]string {
	t.Helper()
	nodes, err := (&kio.ByteReader{Reader: strings.NewReader(stream), OmitReaderAnnotations: true}).Read()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, n := range nodes {
		var v any
		if err := n.YNode().Decode(&v); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(v)
		id := n.GetKind() + " " + n.GetNamespace() + "/" + n.GetName()
		if _, dup := m[id]; dup {
			t.Errorf("duplicate object %s", id)
		}
		m[id] = string(b)
	}
	return m
}

func kustomizeOverlays(t *testing.T) []string {
	t.Helper()
	ds, _ := filepath.Glob(filepath.Join(repo, "examples", "kustomize", "clusters", "*"))
	if len(ds) < 3 {
		t.Fatalf("want an overlay per cluster and rancher, got %v", ds)
	}
	return ds
}

// TestKustomizeOverlays builds each per-cluster overlay with the real kustomize, meshgen as an
// exec transformer, and compares it with meshgen render --cluster of the same mesh: the same
// objects, nothing missing, nothing extra, no internal annotations left.
func TestKustomizeOverlays(t *testing.T) {
	kustomize := tool(t, "kustomize")
	repoBinary(t)
	mesh := filepath.Join(repo, "examples", "kustomize", "mesh", "mesh.yaml")
	creds := filepath.Join(repo, "examples", "kustomize", "credentials", "credentials.yaml")
	for _, dir := range kustomizeOverlays(t) {
		cluster := filepath.Base(dir)
		t.Run(cluster, func(t *testing.T) {
			// Built from the repository root: the exec path resolves against the overlay's
			// folder, not the working directory.
			got, stderr, code := run(t, repo, nil, kustomize, "build", "--enable-alpha-plugins", "--enable-exec", dir)
			if code != 0 {
				t.Fatalf("kustomize build: exit %d\n%s", code, stderr)
			}
			want, stderr, code := run(t, repo, nil, meshgen(t), "render", mesh, creds, "--cluster", cluster)
			if code != 0 {
				t.Fatalf("meshgen render: exit %d\n%s", code, stderr)
			}
			for _, bad := range []string{"config.kubernetes.io/", "internal.config.kubernetes.io", "kustomize.config.k8s.io", "meshgen.dev/cluster", "meshgen.dev/credentials-for"} {
				if strings.Contains(got, bad) {
					t.Errorf("kustomize output carries %q", bad)
				}
			}
			g, w := objects(t, got), objects(t, want)
			if len(w) == 0 {
				t.Fatal("meshgen rendered nothing")
			}
			for id, obj := range w {
				if g[id] == "" {
					t.Errorf("missing from the kustomize output: %s", id)
				} else if g[id] != obj {
					t.Errorf("%s differs:\nkustomize: %s\nmeshgen:   %s", id, g[id], obj)
				}
			}
			for id := range g {
				if w[id] == "" {
					t.Errorf("extra in the kustomize output: %s", id)
				}
			}
		})
	}
}

// TestKustomizeWithoutExec pins a trap the README warns about: without --enable-exec,
// kustomize skips exec functions without a word, and the output lacks every generated object.
func TestKustomizeWithoutExec(t *testing.T) {
	kustomize := tool(t, "kustomize")
	repoBinary(t)
	dir := filepath.Join(repo, "examples", "kustomize", "clusters", "mcsps-test-k8s-01")
	out, stderr, code := run(t, repo, nil, kustomize, "build", "--enable-alpha-plugins", dir)
	if code != 0 {
		t.Skipf("this kustomize refuses exec functions without --enable-exec (exit %d: %s); the trap is gone", code, stderr)
	}
	if strings.Contains(out, "meshgen") {
		t.Errorf("kustomize ran meshgen without --enable-exec:\n%s", out)
	}
}

// TestKustomizeLocalConfig: a functionConfig marked local-config (kustomize drops such objects)
// must not pass the mark on, or every generated object would vanish from the output.
func TestKustomizeLocalConfig(t *testing.T) {
	kustomize := tool(t, "kustomize")
	dir := kustomizeExample(t)
	meshFile := filepath.Join(dir, "mesh", "mesh.yaml")
	b, err := os.ReadFile(meshFile)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), "  annotations:\n", "  annotations:\n    config.kubernetes.io/local-config: \"true\"\n", 1)
	if err := os.WriteFile(meshFile, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := run(t, repo, nil, kustomize, "build", "--enable-alpha-plugins", "--enable-exec", filepath.Join(dir, "clusters", "mcsps-test-k8s-01"))
	if code != 0 {
		t.Fatalf("kustomize build: exit %d\n%s", code, stderr)
	}
	if n := len(objects(t, out)); n < 10 {
		t.Errorf("only %d objects came out: generated objects inherited local-config", n)
	}
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	es, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestKustomizeBuildsTree: every folder of a rendered GitOps tree, a cluster's whole and each
// of its phase folders, builds with the real kustomize (what kubectl apply -k and Argo CD,
// Fleet or Flux do with it), object for object.
func TestKustomizeBuildsTree(t *testing.T) {
	kustomize := tool(t, "kustomize")
	for _, ex := range exampleMeshes(t) {
		tree := renderTree(t, ex)
		var dirs []string
		for _, cl := range folders(t, tree) {
			dirs = append(dirs, cl)
			phases, _ := filepath.Glob(filepath.Join(tree, cl, "[1-9]-*"))
			for _, p := range phases {
				dirs = append(dirs, filepath.Join(cl, filepath.Base(p)))
			}
		}
		for _, cl := range dirs {
			t.Run(ex+"/"+cl, func(t *testing.T) {
				out, stderr, code := run(t, tree, nil, kustomize, "build", filepath.Join(tree, cl))
				if code != 0 {
					t.Fatalf("kustomize build: exit %d\n%s", code, stderr)
				}
				got := objects(t, out)
				var files []string
				for _, f := range manifests(t, filepath.Join(tree, cl)) {
					b, _ := os.ReadFile(f)
					files = append(files, string(b))
				}
				want := objects(t, strings.Join(files, "---\n"))
				if len(got) != len(want) {
					t.Errorf("kustomize built %d objects from %d files", len(got), len(want))
				}
				for id, obj := range want {
					if got[id] != obj {
						t.Errorf("%s: kustomize changed or lost it", id)
					}
				}
			})
		}
	}
}
