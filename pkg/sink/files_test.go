package sink

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"

	"github.com/meshgen/meshgen/pkg/gen"
)

// filesFolder is a folder with an object, a file given as bytes and one given as a value.
func filesFolder() *gen.Folder {
	return &gen.Folder{
		Name: "east",
		Objects: []gen.Object{{Cluster: "east", APIVersion: "v1", Kind: "Namespace", Name: "shop",
			Body: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{
				"name": "shop", "labels": map[string]string{gen.ManagedByLabel: gen.ManagedBy}, "annotations": map[string]string{gen.MeshAnnotation: "demo"}}}}},
		Files: []gen.File{
			{Name: "README.md", Data: []byte("# east\n\nRun:\n  istioctl install -f values.yaml\n")},
			{Name: "helm/values-istiod.yaml", Value: map[string]any{"global": map[string]string{"meshID": "demo"}}},
		},
	}
}

func put(t *testing.T, s Sink, f *gen.Folder) {
	t.Helper()
	if err := s.Put(f); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestFilesInEverySink: files that are not objects reach every output, each its own way (see
// the package doc), and never a kustomization's resources.
func TestFilesInEverySink(t *testing.T) {
	readme := "# east\n\nRun:\n  istioctl install -f values.yaml\n"
	values := "global:\n  meshID: demo\n"

	t.Run("tree", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "out")
		put(t, &Tree{Dir: dir, Mesh: "demo"}, filesFolder())
		for p, want := range map[string]string{"east/README.md": readme, "east/helm/values-istiod.yaml": values} {
			if b, err := os.ReadFile(filepath.Join(dir, p)); err != nil || string(b) != want {
				t.Errorf("%s holds %q (%v), want %q", p, b, err, want)
			}
		}
		k, _ := os.ReadFile(filepath.Join(dir, "east", kustomization))
		if strings.Contains(string(k), "README") || strings.Contains(string(k), "values") || !strings.Contains(string(k), "- namespace_shop.yaml") {
			t.Errorf("kustomization lists other than the objects:\n%s", k)
		}
		m, _ := os.ReadFile(filepath.Join(dir, ManifestFile))
		if !strings.Contains(string(m), "east/README.md\n") || !strings.Contains(string(m), "east/helm/values-istiod.yaml\n") {
			t.Errorf("manifest does not own the files:\n%s", m)
		}
		// A render that no longer has them removes them; --check sees them first.
		c := &Check{Dir: dir, Mesh: "demo"}
		f := filesFolder()
		f.Files = f.Files[:1]
		put(t, c, f)
		if !strings.Contains(c.Diff, "--- a/east/helm/values-istiod.yaml\n+++ /dev/null") {
			t.Errorf("Check does not see the values file go:\n%s", c.Diff)
		}
		put(t, &Tree{Dir: dir, Mesh: "demo"}, f)
		if _, err := os.Stat(filepath.Join(dir, "east/helm/values-istiod.yaml")); err == nil {
			t.Error("a file meshgen no longer writes stayed")
		}
	})

	t.Run("stream", func(t *testing.T) {
		var b bytes.Buffer
		put(t, &Stream{W: &b}, filesFolder())
		want := "---\n# Source: east/README.md\n# # east\n#\n# Run:\n#   istioctl install -f values.yaml\n" +
			"---\n# Source: east/helm/values-istiod.yaml\n# global:\n#   meshID: demo\n"
		if !strings.HasSuffix(b.String(), want) {
			t.Errorf("stream:\n%s\nwant it to end with:\n%s", b.String(), want)
		}
	})

	t.Run("items", func(t *testing.T) {
		s := &Items{Dir: "pkg", Mesh: "demo"}
		put(t, s, filesFolder())
		rl, err := fn.ParseResourceList([]byte("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n" + string(s.Buf)))
		if err != nil {
			t.Fatalf("%v\n%s", err, s.Buf)
		}
		if len(rl.Items) != 3 || s.N != 3 {
			t.Fatalf("%d items (N %d), want 3:\n%s", len(rl.Items), s.N, s.Buf)
		}
		for i, want := range map[int][3]string{1: {"README.md", "README.md", readme}, 2: {"helm/values-istiod.yaml", "values-istiod.yaml", values}} {
			it := rl.Items[i]
			data, _, _ := it.NestedStringMap("data")
			if it.GetKind() != "ConfigMap" || it.GetAnnotation(LocalConfigAnnotation) != "true" || it.GetAnnotation(FileAnnotation) != want[0] ||
				data[want[1]] != want[2] || it.GetLabel(gen.ManagedByLabel) != gen.ManagedBy || it.GetAnnotation(gen.MeshAnnotation) != "demo" ||
				!strings.HasPrefix(it.PathAnnotation(), "pkg/east/configmap_meshgen-file-") {
				t.Errorf("item %d does not carry %s:\n%s", i, want[0], it.String())
			}
		}
	})
}

// TestItemsFileNamesApart: two files whose names give one ConfigMap name are refused, not
// written as two items of one name.
func TestItemsFileNamesApart(t *testing.T) {
	f := filesFolder()
	f.Files = append(f.Files, gen.File{Name: "readme.md", Data: []byte("x")})
	err := (&Items{Mesh: "demo"}).Put(f)
	if err == nil || !strings.Contains(err.Error(), `files "README.md" and "readme.md" would be one ConfigMap "meshgen-file-readme-md"`) {
		t.Errorf("Put = %v", err)
	}
}
