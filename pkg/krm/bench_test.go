package krm_test

import (
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"

	"github.com/meshgen/meshgen/pkg/krm"
	"github.com/meshgen/meshgen/pkg/synth"
)

var sizes = []struct {
	name string
	mesh func() (synth.Mesh, error)
}{
	{"seed", func() (synth.Mesh, error) { return synth.Read("../../examples/mcsps-test") }},
	{"10x50", func() (synth.Mesh, error) { return synth.Generate(synth.Options{Clusters: 10, Services: 50}) }},
	{"100x100", func() (synth.Mesh, error) { return synth.Generate(synth.Options{Clusters: 100, Services: 100}) }},
}

// BenchmarkRoundTrip is one KRM function call as kpt or kustomize makes it: parse the
// ResourceList bytes, process, serialise the result. "sdk" serialises with the SDK's fn.Run,
// "krm.Run" with meshgen's own writer, the one the binary uses.
func BenchmarkRoundTrip(b *testing.B) {
	runs := []struct {
		name string
		run  func([]byte) ([]byte, error)
	}{
		{"sdk", func(in []byte) ([]byte, error) { return fn.Run(fn.ResourceListProcessorFunc(krm.Process), in) }},
		{"krm.Run", krm.Run},
	}
	for _, s := range sizes {
		m, err := s.mesh()
		if err != nil {
			b.Fatal(err)
		}
		input := m.ResourceList()
		objects := 0
		if rl, err := fn.ParseResourceList(input); err == nil {
			if _, err := krm.Process(rl); err != nil {
				b.Fatal(err)
			}
			objects = len(rl.Items)
		}
		for _, r := range runs {
			b.Run(s.name+"/"+r.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(input)))
				var size int
				for b.Loop() {
					res, err := r.run(input)
					if err != nil {
						b.Fatal(err)
					}
					size = len(res)
				}
				b.ReportMetric(float64(objects), "objects/op")
				if objects > 0 {
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(objects), "ns/object")
				}
				b.ReportMetric(float64(size), "out-B/op")
			})
		}
	}
}
