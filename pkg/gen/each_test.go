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

// objects returns what Each hands over for cluster, and the folders it came in.
func objects(t *testing.T, in *api.Input, cluster string) ([]gen.Object, []*gen.Folder) {
	t.Helper()
	var objs []gen.Object
	var folders []*gen.Folder
	err := gen.Each(in, cluster, func(f *gen.Folder) error {
		folders = append(folders, f)
		objs = append(objs, f.Objects...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return objs, folders
}

// TestOneClusterIsSelect: generating one cluster, which builds only that cluster, gives
// exactly that cluster's objects of the whole mesh.
func TestOneClusterIsSelect(t *testing.T) {
	for name, in := range eachInputs(t) {
		all, _ := objects(t, in, "")
		for _, cl := range gen.Clusters(in.Config) {
			if got, _ := objects(t, in, cl); !reflect.DeepEqual(got, only(all, cl)) {
				t.Errorf("%s: Each(%q) differs from the %q objects of the whole mesh", name, cl, cl)
			}
		}
	}
}

// TestEachByFolder: each call holds one folder, named for its objects' cluster, in the order
// of gen.Clusters.
func TestEachByFolder(t *testing.T) {
	for name, in := range eachInputs(t) {
		_, folders := objects(t, in, "")
		var names []string
		for _, f := range folders {
			names = append(names, f.Name)
			for _, o := range f.Objects {
				if o.Cluster != f.Name {
					t.Errorf("%s: folder %s holds an object of %s", name, f.Name, o.Cluster)
				}
			}
		}
		if !slices.Equal(names, gen.Clusters(in.Config)) {
			t.Errorf("%s: folders %v, want %v", name, names, gen.Clusters(in.Config))
		}
	}
}

func TestEachStopsAtError(t *testing.T) {
	in := eachInputs(t)["synth"]
	stop := errors.New("stop")
	calls := 0
	if err := gen.Each(in, "", func(*gen.Folder) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Each = %v after %d calls, want the emit error after 1", err, calls)
	}
	var uc *gen.UnknownCluster
	if err := gen.Each(in, "no-such-cluster", func(*gen.Folder) error { return nil }); !errors.As(err, &uc) || uc.Name != "no-such-cluster" {
		t.Errorf("Each with an unknown cluster = %v, want an *UnknownCluster", err)
	}
}
