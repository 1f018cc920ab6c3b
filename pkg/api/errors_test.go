package api

import (
	"reflect"
	"slices"
	"testing"
)

func TestFieldErrorString(t *testing.T) {
	for _, tt := range []struct {
		e    FieldError
		want string
	}{
		{FieldError{File: "m.yaml", Line: 3, Path: "spec.x", Msg: "bad"}, "m.yaml:3: spec.x: bad"},
		{FieldError{File: "m.yaml", Path: "spec.x", Msg: "bad"}, "m.yaml: spec.x: bad"},
		{FieldError{Line: 3, Path: "spec.x", Msg: "bad"}, "spec.x: bad"},
		{FieldError{File: "m.yaml", Line: 3, Msg: "bad"}, "m.yaml:3: bad"},
		{FieldError{Msg: "bad"}, "bad"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.e, got, tt.want)
		}
	}
	if got := (Errors{{Msg: "a"}, {Path: "p", Msg: "b"}}).Error(); got != "a\np: b" {
		t.Errorf("Errors: %q", got)
	}
}

// TestLocate: the deepest recorded prefix of an error's path gives its line; a line or file
// the error has already is kept.
func TestLocate(t *testing.T) {
	lines := map[string]int{"spec": 2, "spec.clusters": 5, "spec.clusters[1]": 7, "metadata": 1}
	es := Errors{
		{Path: "spec.clusters[1].name"},
		{Path: "spec.clusters[0].name"},
		{Path: "spec.meshID"},
		{Path: "kind"},
		{Path: "spec.clusters[1]", Line: 9},
		{File: "creds.yaml", Path: "metadata"},
	}
	es.Locate("m.yaml", lines)
	want := []struct {
		file string
		line int
	}{{"m.yaml", 7}, {"m.yaml", 5}, {"m.yaml", 2}, {"m.yaml", 0}, {"m.yaml", 9}, {"creds.yaml", 1}}
	for i, w := range want {
		if es[i].File != w.file || es[i].Line != w.line {
			t.Errorf("%s: %s:%d, want %s:%d", es[i].Path, es[i].File, es[i].Line, w.file, w.line)
		}
	}
	none := Errors{{Path: "spec"}}
	none.Locate("m.yaml", nil)
	if none[0].File != "m.yaml" || none[0].Line != 0 {
		t.Errorf("without lines: %+v", none[0])
	}
}

func TestErrorsSort(t *testing.T) {
	es := Errors{
		{File: "b.yaml", Line: 1, Path: "a"},
		{File: "a.yaml", Line: 9, Path: "a"},
		{File: "a.yaml", Line: 2, Path: "z"},
		{File: "a.yaml", Line: 2, Path: "b", Msg: "first"},
		{File: "a.yaml", Line: 2, Path: "b", Msg: "second"},
	}
	es.Sort()
	want := Errors{
		{File: "a.yaml", Line: 2, Path: "b", Msg: "first"},
		{File: "a.yaml", Line: 2, Path: "b", Msg: "second"},
		{File: "a.yaml", Line: 2, Path: "z"},
		{File: "a.yaml", Line: 9, Path: "a"},
		{File: "b.yaml", Line: 1, Path: "a"},
	}
	if !reflect.DeepEqual(es, want) {
		t.Errorf("sorted:\n%v\nwant:\n%v", es, want)
	}
}

// TestDefault: every default fills an empty field and leaves a set one alone.
func TestDefault(t *testing.T) {
	empty := MeshConfig{Metadata: Metadata{Name: "m"}, Spec: Spec{Rancher: &Rancher{Project: "p"}, Services: []Service{{}}}}
	Default(&empty)
	s := empty.Spec
	if s.MeshID != "m" || s.Istio.Hub != DefaultHub || s.Istio.Profile != DefaultProfile || s.ControlPlane.Namespace != DefaultNamespace ||
		s.Rancher.DisplayName != "p" || s.RemoteSecrets.Mode != RemoteSecretsInline || s.Trust.Mode != TrustExternal ||
		s.NetworkPolicies.Enabled == nil || !*s.NetworkPolicies.Enabled || !slices.Contains(s.NetworkPolicies.APIServerPorts, DefaultAPIServerPort) ||
		s.Services[0].Protocol != DefaultProtocol {
		t.Errorf("defaults not filled: %+v", s)
	}
	// Everything set, to other values than the defaults: Default keeps them all.
	f := false
	set := empty
	set.Spec.MeshID, set.Spec.Istio.Hub, set.Spec.Istio.Profile, set.Spec.ControlPlane.Namespace = "mesh", "hub", "minimal", "cp"
	set.Spec.Rancher = &Rancher{Project: "p", DisplayName: "P"}
	set.Spec.RemoteSecrets.Mode, set.Spec.Trust.Mode = RemoteSecretsNone, "x"
	set.Spec.NetworkPolicies.Enabled, set.Spec.NetworkPolicies.APIServerPorts = &f, []int{7443}
	set.Spec.Services = []Service{{Protocol: "grpc"}}
	c := set
	c.Spec.Rancher = &Rancher{Project: "p", DisplayName: "P"}
	c.Spec.Services = []Service{{Protocol: "grpc"}}
	Default(&c)
	if !reflect.DeepEqual(c, set) {
		t.Errorf("Default changed set fields:\n%+v\nwant\n%+v", c, set)
	}
}
