package sink

import (
	"testing"

	"github.com/meshgen/meshgen/pkg/gen"
	"github.com/meshgen/meshgen/pkg/synth"
)

var sizes = synth.Sizes("../../examples")

// encodeOnly is the Tree sink without the file system: each object encoded and let go.
type encodeOnly struct {
	enc     encoder
	buf     []byte
	n, size int
}

func (s *encodeOnly) Put(f *gen.Folder) error {
	return eachFile(&s.enc, &s.buf, f, func(_ string, data []byte, _ bool) error {
		s.n++
		s.size += len(data)
		return nil
	})
}
func (s *encodeOnly) Commit() error { return nil }
func (s *encodeOnly) Abort()        {}

// BenchmarkEachEncode is what render pays before the file system: Run generates one folder
// at a time and every object is encoded as Tree encodes it, so the heap stays one cluster
// large.
func BenchmarkEachEncode(b *testing.B) {
	for _, s := range sizes {
		b.Run(s.Name, func(b *testing.B) {
			in, err := s.Input()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var n, size int
			for b.Loop() {
				e := &encodeOnly{}
				if _, err := Run(in, "", e); err != nil {
					b.Fatal(err)
				}
				n, size = e.n, e.size
			}
			b.ReportMetric(float64(n), "objects/op")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/object")
			b.ReportMetric(float64(size), "out-B/op")
		})
	}
}
