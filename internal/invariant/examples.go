package invariant

import (
	"path/filepath"
	"slices"
)

// ExampleNames lists the example meshes under root/examples, by their folder relative to it:
// every examples/<name>/mesh.yaml, and every examples/<name>/step<N>/mesh.yaml of an example
// that takes several renders (examples/canary: one MeshConfig per step of an upgrade). Each
// such folder holds one MeshConfig and its own credentials, if any.
func ExampleNames(root string) ([]string, error) {
	var names []string
	for _, pat := range []string{"*/mesh.yaml", "*/step*/mesh.yaml"} {
		ms, err := filepath.Glob(filepath.Join(root, "examples", pat))
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			rel, err := filepath.Rel(filepath.Join(root, "examples"), filepath.Dir(m))
			if err != nil {
				return nil, err
			}
			names = append(names, filepath.ToSlash(rel))
		}
	}
	slices.Sort(names)
	return names, nil
}
