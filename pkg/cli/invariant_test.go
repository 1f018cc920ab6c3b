package cli

import (
	"path/filepath"
	"testing"

	"github.com/meshgen/meshgen/internal/invariant"
	"github.com/meshgen/meshgen/pkg/api"
)

// renderTree renders a case with render -o, as a user does, and reads the tree back.
func renderTree(t *testing.T, c invariant.Case) *invariant.Mesh {
	t.Helper()
	in, err := c.Mesh.Input()
	if err != nil {
		t.Fatalf("%s: %v", c.Name, err)
	}
	files, err := c.Files(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "tree")
	if _, e, code := run(t, nil, append([]string{"render", "-o", dir}, files...)...); code != OK {
		t.Fatalf("%s: render -o: exit %d: %s", c.Name, code, e)
	}
	return readMesh(t, in.Config, dir)
}

func readMesh(t *testing.T, cfg *api.MeshConfig, dir string) *invariant.Mesh {
	t.Helper()
	tree, err := invariant.ReadTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := invariant.FromTree(cfg, tree)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestTreeInvariants holds the tree render -o writes, kustomizations included, to every rule
// of the mesh, on every example, synthetic mesh and edge variant.
func TestTreeInvariants(t *testing.T) {
	cases, err := invariant.Cases(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			for _, v := range invariant.Check(renderTree(t, c)) {
				t.Error(v)
			}
		})
	}
}

// exampleConfig is the defaulted MeshConfig of an example.
func exampleConfig(t *testing.T, ex string) *api.MeshConfig {
	t.Helper()
	cs, err := invariant.Examples(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Name == ex {
			in, err := c.Mesh.Input()
			if err != nil {
				t.Fatal(err)
			}
			return in.Config
		}
	}
	t.Fatalf("no example %s", ex)
	return nil
}

// TestGoldenInvariants holds the committed golden trees to the rules, so a regeneration that
// blessed a broken rule fails here whatever the render does.
func TestGoldenInvariants(t *testing.T) {
	for _, ex := range examples(t) {
		t.Run(ex, func(t *testing.T) {
			m := readMesh(t, exampleConfig(t, ex), filepath.Join(root, "testdata", "golden", ex, "tree"))
			if len(m.Objects) == 0 {
				t.Fatal("empty golden tree")
			}
			for _, v := range invariant.Check(m) {
				t.Error(v)
			}
		})
	}
}
