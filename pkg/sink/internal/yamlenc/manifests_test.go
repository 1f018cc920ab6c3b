package yamlenc_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/meshgen/meshgen/pkg/gen"
	"github.com/meshgen/meshgen/pkg/sink"
	"github.com/meshgen/meshgen/pkg/sink/internal/yamlenc"
	"github.com/meshgen/meshgen/pkg/synth"
)

func meshes(t *testing.T) map[string]synth.Mesh {
	t.Helper()
	ms := map[string]synth.Mesh{}
	files, err := filepath.Glob("../../../../examples/*/mesh.yaml")
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
			err = gen.Each(in, "", func(f *gen.Folder) error {
				for _, o := range f.Objects {
					// Through the Stream sink, one object at a time: the real encoder, which
					// also encodes the object's embedded documents.
					var out bytes.Buffer
					s := &sink.Stream{W: &out}
					// The stream skips a GitOps tool's own objects (flux/); their encoding is
					// the same as any object's.
					applied := o
					applied.Dir = ""
					if err := s.Put(&gen.Folder{Name: f.Name, Objects: []gen.Object{applied}}); err != nil {
						return err
					}
					if err := s.Commit(); err != nil {
						return err
					}
					_, got, _ := bytes.Cut(out.Bytes(), []byte("\n"))
					for _, d := range o.Docs() {
						same(t, o.Path()+" (embedded)", d.Value, d.YAML)
					}
					same(t, o.Path(), o.Body, got)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// same checks got is the reference encoder's YAML of v, reached by the direct writer.
func same(t *testing.T, what string, v any, got []byte) {
	t.Helper()
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	want, err := yamlenc.Slow(j)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs:\n--- reference\n%s\n--- Encode\n%s", what, want, got)
	}
	if !yamlenc.Direct(j) {
		t.Errorf("%s took the slow path", what)
	}
}
