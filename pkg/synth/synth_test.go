package synth

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"

	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/gen"
)

func TestGenerateIsValid(t *testing.T) {
	for _, o := range []Options{{1, 0, false}, {1, 3, false}, {2, 1, false}, {10, 50, false}, {7, 23, true}, {100, 100, false}} {
		m, err := Generate(o)
		if err != nil {
			t.Fatal(err)
		}
		in, err := m.Input()
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		if got := len(in.Config.Spec.Clusters); got != o.Clusters {
			t.Errorf("%+v: %d clusters", o, got)
		}
		if got := len(in.Config.Spec.Services); got != o.Services {
			t.Errorf("%+v: %d services", o, got)
		}
		secrets := 0
		err = gen.Each(in, "", func(f *gen.Folder) error {
			for _, obj := range f.Objects {
				// The reader's token Secret (gen/reader.go) is no remote secret.
				if obj.Kind == "Secret" && strings.HasPrefix(obj.Name, "istio-remote-secret-") {
					secrets++
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		want := o.Clusters * (o.Clusters - 1)
		if o.RemoteSecretsNone {
			want = 0
		}
		if secrets != want {
			t.Errorf("%+v: %d remote secrets, want %d", o, secrets, want)
		}
	}
}

// TestGenerateIsDeterministic: the same options give the same bytes, which are a whole mesh
// of that size (two failed or empty runs would also be equal), and other options other bytes.
func TestGenerateIsDeterministic(t *testing.T) {
	o := Options{Clusters: 5, Services: 12}
	a, b := mustGenerate(t, o), mustGenerate(t, o)
	if !bytes.Equal(a.Config, b.Config) || !bytes.Equal(a.Credentials, b.Credentials) {
		t.Fatal("two runs differ")
	}
	in, err := a.Input()
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Config.Spec.Clusters) != 5 || len(in.Config.Spec.Services) != 12 || len(in.Creds) != 5 {
		t.Fatalf("%d clusters, %d services, %d credentials", len(in.Config.Spec.Clusters), len(in.Config.Spec.Services), len(in.Creds))
	}
	if c := mustGenerate(t, Options{Clusters: 5, Services: 11}); bytes.Equal(a.Config, c.Config) {
		t.Fatal("other options, same mesh")
	}
}

func TestGenerateRefusesBadSizes(t *testing.T) {
	for _, o := range []Options{{0, 1, false}, {1, -1, false}} {
		if _, err := Generate(o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

func TestResourceList(t *testing.T) {
	for _, m := range []Mesh{mustRead(t, "../../examples/mcsps-test"), mustGenerate(t, Options{Clusters: 3, Services: 2})} {
		rl, err := fn.ParseResourceList(m.ResourceList())
		if err != nil {
			t.Fatal(err)
		}
		if rl.FunctionConfig.GetKind() != api.Kind {
			t.Errorf("functionConfig is a %s", rl.FunctionConfig.GetKind())
		}
		for _, it := range rl.Items {
			if it.GetAnnotation(api.CredentialsAnnotation) == "" {
				t.Errorf("item %s is not a credentials Secret", it.GetName())
			}
		}
		in, err := m.Input()
		if err != nil {
			t.Fatal(err)
		}
		if len(rl.Items) != len(in.Creds) {
			t.Errorf("%d items, %d credentials", len(rl.Items), len(in.Creds))
		}
	}
}

func mustRead(t *testing.T, dir string) Mesh {
	m, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustGenerate(t *testing.T, o Options) Mesh {
	t.Helper()
	m, err := Generate(o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
