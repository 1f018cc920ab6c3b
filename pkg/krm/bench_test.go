package krm_test

import (
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"

	"github.com/meshgen/meshgen/pkg/krm"
	"github.com/meshgen/meshgen/pkg/synth"
)

var sizes = synth.Sizes("../../examples")

// BenchmarkRoundTrip is one KRM function call as kpt or kustomize makes it: parse the
// ResourceList bytes, process, write the result. "first" is a first kpt render (the package
// holds the MeshConfig and the credentials), "second" every later one: the items hold all of
// meshgen's earlier output, which it replaces.
func BenchmarkRoundTrip(b *testing.B) {
	for _, s := range sizes {
		m, err := s.Mesh()
		if err != nil {
			b.Fatal(err)
		}
		first := m.ResourceList()
		second, err := krm.Run(first)
		if err != nil {
			b.Fatal(err)
		}
		rl, err := fn.ParseResourceList(second)
		if err != nil {
			b.Fatal(err)
		}
		objects := len(rl.Items)
		for _, r := range []struct {
			name  string
			input []byte
		}{{"first", first}, {"second", second}} {
			b.Run(s.Name+"/"+r.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(r.input)))
				var size int
				for b.Loop() {
					res, err := krm.Run(r.input)
					if err != nil {
						b.Fatal(err)
					}
					size = len(res)
				}
				b.ReportMetric(float64(objects), "objects/op")
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(objects), "ns/object")
				b.ReportMetric(float64(size), "out-B/op")
			})
		}
	}
}
