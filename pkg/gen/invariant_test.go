package gen_test

import (
	"encoding/json"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/meshgen/meshgen/internal/invariant"
	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/gen"
)

// generated is gen's output for in as the rules read it: each object's JSON, parsed.
func generated(t *testing.T, in *api.Input) *invariant.Mesh {
	t.Helper()
	m := &invariant.Mesh{Config: in.Config}
	err := gen.Each(in, "", func(f *gen.Folder) error {
		for _, o := range f.Objects {
			// Embedded documents (a remote secret's kubeconfig) are the output side's to
			// encode; any YAML encoder serves the rules, which parse them back.
			for _, d := range o.Docs() {
				if d.YAML == nil {
					y, err := yaml.Marshal(d.Value)
					if err != nil {
						return err
					}
					d.YAML = y
				}
			}
			b, err := json.Marshal(o.Body)
			if err != nil {
				return err
			}
			if err := m.Add(o.Cluster, o.Path(), b); err != nil {
				return err
			}
		}
		for _, fl := range f.Files {
			b := fl.Data
			if b == nil {
				var err error
				if b, err = yaml.Marshal(fl.Value); err != nil {
					return err
				}
			}
			m.AddFile(f.Name, fl.Name, b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestInvariants checks every rule of the mesh, one subtest per rule and mesh, on the
// examples, synthetic meshes and their edge variants, without the golden files.
func TestInvariants(t *testing.T) {
	cases, err := invariant.Cases("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		in, err := c.Mesh.Input()
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		m := generated(t, in)
		for _, r := range invariant.Rules {
			t.Run(r.Name+"/"+c.Name, func(t *testing.T) {
				for _, v := range r.Check(m) {
					t.Error(v)
				}
			})
		}
	}
}
