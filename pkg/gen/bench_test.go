package gen_test

import (
	"testing"

	"github.com/meshgen/meshgen/pkg/gen"
	"github.com/meshgen/meshgen/pkg/synth"
)

var sizes = synth.Sizes("../../examples")

// BenchmarkRender is the generator alone: objects built and checked, nothing encoded.
func BenchmarkRender(b *testing.B) {
	for _, s := range sizes {
		b.Run(s.Name, func(b *testing.B) {
			in, err := s.Input()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var n int
			for b.Loop() {
				n = 0
				err := gen.Each(in, "", func(f *gen.Folder) error { n += len(f.Objects); return nil })
				if err != nil {
					b.Fatal(err)
				}
			}
			report(b, n, 0)
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
