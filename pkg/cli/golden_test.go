package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/meshgen/meshgen/internal/invariant"
)

// update rewrites the golden files: go test ./pkg/cli -run Golden -update (make golden).
var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

const root = "../.."

// examples lists the example meshes: every examples/*/mesh.yaml, and examples/*/step*/mesh.yaml
// for an example of several renders (its golden files go to testdata/golden/<name>/step<N>/).
func examples(t testing.TB) []string {
	t.Helper()
	names, err := invariant.ExampleNames(root)
	if err != nil || len(names) < 2 {
		t.Fatalf("want at least two examples, got %v (%v)", names, err)
	}
	return names
}

// inputs are an example's files: the MeshConfig and its credentials.
func inputs(t testing.TB, example string) []string {
	t.Helper()
	fs, err := filepath.Glob(filepath.Join(root, "examples", example, "*.yaml"))
	if err != nil || len(fs) == 0 {
		t.Fatalf("no files for example %s", example)
	}
	return fs
}

func run(t testing.TB, stdin []byte, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = Main(args, bytes.NewReader(stdin), &o, &e)
	return o.String(), e.String(), code
}

// resourceList builds the ResourceList kpt would send for an example package: every file's
// objects as items with their path annotations, the MeshConfig also as functionConfig.
func resourceList(t testing.TB, example string) []byte {
	t.Helper()
	dir := filepath.Join(root, "examples", example)
	nodes, err := (&kio.LocalPackageReader{PackagePath: dir, MatchFilesGlob: []string{"mesh.yaml", "credentials.yaml"}, PreserveSeqIndent: true}).Read()
	if err != nil {
		t.Fatal(err)
	}
	var fc *yaml.RNode
	for _, n := range nodes {
		if n.GetKind() == "MeshConfig" {
			fc = n.Copy()
		}
	}
	var b bytes.Buffer
	w := kio.ByteWriter{Writer: &b, WrappingKind: kio.ResourceListKind, WrappingAPIVersion: kio.ResourceListAPIVersion, FunctionConfig: fc, KeepReaderAnnotations: true}
	if err := w.Write(nodes); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (regenerate with: make golden)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output; review the change and run make golden\n%s", path, firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + a + "\n  got:  " + b
		}
	}
	return ""
}

func TestGolden(t *testing.T) {
	for _, ex := range examples(t) {
		t.Run(ex, func(t *testing.T) {
			dir := filepath.Join(root, "testdata", "golden", ex)

			// A fresh render that breaks a rule of the mesh is never compared, let alone
			// blessed by -update: the golden files cannot hide a broken rule.
			tree := t.TempDir()
			if _, stderr, code := run(t, nil, append([]string{"render", "-o", tree}, inputs(t, ex)...)...); code != OK {
				t.Fatalf("render -o: exit %d: %s", code, stderr)
			}
			if vs := invariant.Check(readMesh(t, exampleConfig(t, ex), tree)); len(vs) > 0 {
				for _, v := range vs {
					t.Error(v)
				}
				t.Fatalf("the render breaks %d rules of the mesh; golden files left as they are", len(vs))
			}

			stream, stderr, code := run(t, nil, append([]string{"render"}, inputs(t, ex)...)...)
			if code != OK {
				t.Fatalf("render: exit %d: %s", code, stderr)
			}
			golden(t, filepath.Join(dir, "stream.yaml"), []byte(stream))

			krmOut, stderr, code := run(t, resourceList(t, ex))
			if code != OK {
				t.Fatalf("KRM: exit %d: %s", code, stderr)
			}
			golden(t, filepath.Join(dir, "krm.yaml"), []byte(krmOut))

			treeGolden := filepath.Join(dir, "tree")
			if *update {
				os.RemoveAll(treeGolden)
			}
			compareTrees(t, tree, treeGolden)
		})
	}
}

func compareTrees(t *testing.T, got, want string) {
	t.Helper()
	files := map[string]bool{}
	for _, d := range []string{got, want} {
		filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				rel, _ := filepath.Rel(d, p)
				files[rel] = true
			}
			return nil
		})
	}
	if len(files) == 0 {
		t.Fatal("empty tree")
	}
	for f := range files {
		b, err := os.ReadFile(filepath.Join(got, f))
		if err != nil {
			t.Errorf("%s: in the golden tree but not rendered", f)
			continue
		}
		golden(t, filepath.Join(want, f), b)
	}
}

// TestRoundTrip feeds the function its own output, as a second kpt render does: the output
// must not change by a byte.
func TestRoundTrip(t *testing.T) {
	for _, ex := range examples(t) {
		t.Run(ex, func(t *testing.T) {
			first, stderr, code := run(t, resourceList(t, ex))
			if code != OK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			second, stderr, code := run(t, []byte(first))
			if code != OK {
				t.Fatalf("second run: exit %d: %s", code, stderr)
			}
			if first != second {
				t.Errorf("second run changed the output:\n%s", firstDiff(first, second))
			}
			rl, err := yaml.Parse(first)
			if err != nil {
				t.Fatal(err)
			}
			items, _ := rl.Pipe(yaml.Lookup("items"))
			elems, _ := items.Elements()
			paths := map[string]bool{}
			for _, it := range elems {
				p := it.GetAnnotations()[kioutil.PathAnnotation]
				if paths[p] && p != "credentials.yaml" {
					t.Errorf("two items share path %s", p)
				}
				paths[p] = true
			}
		})
	}
}
