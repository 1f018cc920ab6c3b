package gen_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/gen"
	"github.com/meshgen/meshgen/pkg/synth"
)

func eachInputs(t *testing.T) map[string]*api.Input {
	t.Helper()
	ins := map[string]*api.Input{}
	for _, dir := range []string{"../../examples/mcsps-test", "../../examples/three-sites"} {
		m, err := synth.Read(dir)
		if err != nil {
			t.Fatal(err)
		}
		if ins[dir], err = m.Input(); err != nil {
			t.Fatal(err)
		}
	}
	m, err := synth.Generate(synth.Options{Clusters: 4, Services: 11})
	if err != nil {
		t.Fatal(err)
	}
	if ins["synth"], err = m.Input(); err != nil {
		t.Fatal(err)
	}
	return ins
}

// only keeps the objects of one folder; an empty name keeps all.
func only(objs []gen.Object, cluster string) []gen.Object {
	if cluster == "" {
		return objs
	}
	return slices.DeleteFunc(slices.Clone(objs), func(o gen.Object) bool { return o.Cluster != cluster })
}

// TestRenderOneClusterIsSelect: rendering one cluster, which generates only that cluster,
// gives exactly that cluster's objects of the whole mesh.
func TestRenderOneClusterIsSelect(t *testing.T) {
	for name, in := range eachInputs(t) {
		all := gen.Generate(in)
		for _, cl := range append(gen.Clusters(in.Config), "") {
			got, err := gen.Render(in, cl)
			if err != nil {
				t.Fatal(err)
			}
			if want := only(all, cl); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: Render(%q) differs from the %q objects of Generate", name, cl, cl)
			}
		}
	}
}

// TestEachIsRenderByFolder: Each hands over Render's objects, in order, one folder at a time.
func TestEachIsRenderByFolder(t *testing.T) {
	for name, in := range eachInputs(t) {
		for _, cl := range append(gen.Clusters(in.Config), "") {
			want, err := gen.Render(in, cl)
			if err != nil {
				t.Fatal(err)
			}
			var got []gen.Object
			err = gen.Each(in, cl, func(objs []gen.Object) error {
				for _, o := range objs[1:] {
					if o.Cluster != objs[0].Cluster {
						t.Errorf("%s: one call holds clusters %s and %s", name, objs[0].Cluster, o.Cluster)
					}
				}
				got = append(got, objs...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: Each(%q) differs from Render", name, cl)
			}
		}
	}
}

func TestEachStopsAtError(t *testing.T) {
	in := eachInputs(t)["synth"]
	stop := errors.New("stop")
	calls := 0
	if err := gen.Each(in, "", func([]gen.Object) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Each = %v after %d calls, want the emit error after 1", err, calls)
	}
	if err := gen.Each(in, "no-such-cluster", func([]gen.Object) error { return nil }); err == nil {
		t.Error("Each accepted an unknown cluster")
	}
}
