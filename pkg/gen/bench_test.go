package gen_test

import (
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/gen"
	"github.com/meshgen/meshgen/pkg/out"
	"github.com/meshgen/meshgen/pkg/synth"
)

// The three sizes of issue 6: the seed mesh, a mid-size fleet and a hundred clusters.
var sizes = []struct {
	name string
	mesh func() (synth.Mesh, error)
}{
	{"seed", func() (synth.Mesh, error) { return synth.Read("../../examples/mcsps-test") }},
	{"10x50", func() (synth.Mesh, error) { return synth.Generate(synth.Options{Clusters: 10, Services: 50}) }},
	{"100x100", func() (synth.Mesh, error) { return synth.Generate(synth.Options{Clusters: 100, Services: 100}) }},
}

func input(b *testing.B, mesh func() (synth.Mesh, error)) *api.Input {
	b.Helper()
	m, err := mesh()
	if err != nil {
		b.Fatal(err)
	}
	in, err := m.Input()
	if err != nil {
		b.Fatal(err)
	}
	return in
}

// BenchmarkRender is the generator alone: objects built and checked, nothing encoded.
func BenchmarkRender(b *testing.B) {
	for _, s := range sizes {
		b.Run(s.name, func(b *testing.B) {
			in := input(b, s.mesh)
			b.ReportAllocs()
			var n int
			for b.Loop() {
				objs, err := gen.Render(in, "")
				if err != nil {
					b.Fatal(err)
				}
				n = len(objs)
			}
			report(b, n, 0)
		})
	}
}

// BenchmarkRenderEncode is what every output mode pays: render and encode every object.
func BenchmarkRenderEncode(b *testing.B) {
	for _, s := range sizes {
		b.Run(s.name, func(b *testing.B) {
			in := input(b, s.mesh)
			b.ReportAllocs()
			var n, size int
			for b.Loop() {
				objs, err := gen.Render(in, "")
				if err != nil {
					b.Fatal(err)
				}
				docs, err := out.EncodeAll(objs)
				if err != nil {
					b.Fatal(err)
				}
				n, size = len(docs), 0
				for _, d := range docs {
					size += len(d.Data)
				}
			}
			report(b, n, size)
		})
	}
}

// BenchmarkEachEncode is what render pays: one folder's objects at a time, each encoded and
// let go (render -o writes it to the staging folder), so the heap stays one cluster large.
func BenchmarkEachEncode(b *testing.B) {
	for _, s := range sizes {
		b.Run(s.name, func(b *testing.B) {
			in := input(b, s.mesh)
			b.ReportAllocs()
			var n, size int
			var buf []byte
			for b.Loop() {
				n, size = 0, 0
				err := gen.Each(in, "", func(objs []gen.Object) error {
					for _, o := range objs {
						var err error
						if buf, err = out.AppendEncode(buf[:0], o); err != nil {
							return err
						}
						size += len(buf)
					}
					n += len(objs)
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			report(b, n, size)
		})
	}
}

// report adds the per-object figures that show whether cost stays flat as the mesh grows.
func report(b *testing.B, objects, size int) {
	b.ReportMetric(float64(objects), "objects/op")
	if objects > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(objects), "ns/object")
	}
	if size > 0 {
		b.ReportMetric(float64(size), "out-B/op")
	}
}
