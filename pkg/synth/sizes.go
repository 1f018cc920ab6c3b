package synth

import (
	"github.com/meshgen/meshgen/pkg/api"

	"os"
	"path/filepath"
)

// Size is a mesh the benchmarks measure.
type Size struct {
	Name string
	Mesh func() (Mesh, error)
}

// Sizes are the benchmarks' meshes: the seed example (read from examples, the repository's
// examples folder), a mid-size fleet, the 40 × 60 fleet of issue 10 and a hundred clusters.
func Sizes(examples string) []Size {
	gen := func(c, s int) func() (Mesh, error) {
		return func() (Mesh, error) { return Generate(Options{Clusters: c, Services: s}) }
	}
	return []Size{
		{"seed", func() (Mesh, error) { return Read(filepath.Join(examples, "mcsps-test")) }},
		{"10x50", gen(10, 50)},
		{"40x60", gen(40, 60)},
		{"100x100", gen(100, 100)},
	}
}

// Seeds returns the files matching the patterns that are small enough to seed a fuzzer
// (64 KiB at most).
func Seeds(pattern ...string) ([][]byte, error) {
	var seeds [][]byte
	for _, p := range pattern {
		ms, err := filepath.Glob(p)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			b, err := os.ReadFile(m)
			if err != nil {
				return nil, err
			}
			if len(b) <= 64<<10 {
				seeds = append(seeds, b)
			}
		}
	}
	return seeds, nil
}

// Input is the size's mesh, loaded.
func (s Size) Input() (*api.Input, error) {
	m, err := s.Mesh()
	if err != nil {
		return nil, err
	}
	return m.Input()
}

// Seeder is the part of a fuzz test's *testing.F that AddSeeds uses; synth stays free of the
// testing package.
type Seeder interface {
	Helper()
	Fatalf(format string, args ...any)
	Add(args ...any)
}

// AddSeeds adds every file matching the patterns to a fuzz test's corpus and returns them; no
// file at all fails the test, so a moved corpus cannot leave a fuzzer unseeded.
func AddSeeds(f Seeder, pattern ...string) [][]byte {
	f.Helper()
	seeds, err := Seeds(pattern...)
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seeds in %v: %v", pattern, err)
	}
	for _, s := range seeds {
		f.Add(s)
	}
	return seeds
}
