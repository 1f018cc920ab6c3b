package yamlenc_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/meshgen/meshgen/pkg/gen"
	"github.com/meshgen/meshgen/pkg/out"
	"github.com/meshgen/meshgen/pkg/synth"
	"github.com/meshgen/meshgen/pkg/yamlenc"
)

func meshes(t *testing.T) map[string]synth.Mesh {
	t.Helper()
	ms := map[string]synth.Mesh{}
	files, err := filepath.Glob("../../examples/*/mesh.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		d := filepath.Dir(f)
		m, err := synth.Read(d)
		if err != nil {
			t.Fatal(err)
		}
		ms[filepath.Base(d)] = m
	}
	if len(ms) == 0 {
		t.Fatal("no examples found")
	}
	for _, o := range []synth.Options{{Clusters: 3, Services: 11}, {Clusters: 10, Services: 50}} {
		m, err := synth.Generate(o)
		if err != nil {
			t.Fatal(err)
		}
		ms[fmt.Sprintf("synth-%dx%d", o.Clusters, o.Services)] = m
	}
	return ms
}

// TestManifests is the guarantee that the direct writer changed no byte of any example's or
// synthetic mesh's output, and that it got there without the slow path.
func TestManifests(t *testing.T) {
	for name, m := range meshes(t) {
		t.Run(name, func(t *testing.T) {
			in, err := m.Input()
			if err != nil {
				t.Fatal(err)
			}
			objs, err := gen.Render(in, "")
			if err != nil {
				t.Fatal(err)
			}
			docs, err := out.EncodeAll(objs)
			if err != nil {
				t.Fatal(err)
			}
			for i, o := range objs {
				j, err := json.Marshal(o.Body)
				if err != nil {
					t.Fatal(err)
				}
				want, err := yamlenc.Slow(j)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(docs[i].Data, want) {
					t.Fatalf("%s differs:\n--- reference\n%s\n--- Encode\n%s", o.Path(), want, docs[i].Data)
				}
				if !yamlenc.Direct(j) {
					t.Errorf("%s took the slow path", o.Path())
				}
			}
		})
	}
}
