package api

import (
	"reflect"
	"strings"
	"testing"
)

// quantityFields finds every field of t that holds a Kubernetes quantity (its JSON name ends
// in cpu or memory), with its path, so that a new one cannot slip past validation.
func quantityFields(t reflect.Type, path string, f func(path string, index []int)) {
	var walk func(t reflect.Type, path string, index []int)
	walk = func(t reflect.Type, path string, index []int) {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			name := strings.Split(sf.Tag.Get("json"), ",")[0]
			p, idx := path+"."+name, append(append([]int(nil), index...), i)
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			switch {
			case ft.Kind() == reflect.Struct:
				walk(ft, p, idx)
			case ft.Kind() == reflect.String && (strings.HasSuffix(strings.ToLower(name), "cpu") || strings.HasSuffix(strings.ToLower(name), "memory")):
				f(strings.TrimPrefix(p, "."), idx)
			}
		}
	}
	walk(t, path, nil)
}

// set reaches the field by index, allocating nil pointers on the way, and sets it.
func set(v reflect.Value, index []int, s string) {
	for _, i := range index {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	v.SetString(s)
}

// TestEveryQuantityValidated: each quantity field, set to something Kubernetes would refuse,
// gives an error at its own path, and a valid quantity there none (64Gi: above what istiod
// requests, which a limit must not be below).
func TestEveryQuantityValidated(t *testing.T) {
	n := 0
	quantityFields(reflect.TypeOf(MeshConfig{}), "", func(path string, index []int) {
		n++
		t.Run(path, func(t *testing.T) {
			c, cs := baseConfig(t)
			set(reflect.ValueOf(c).Elem(), index, "64Gi")
			if es := Validate(c, cs); es != nil {
				t.Fatalf("a valid quantity refused: %v", es)
			}
			set(reflect.ValueOf(c).Elem(), index, "12 cores")
			es := Validate(c, cs)
			if len(es) != 1 || es[0].Path != path {
				t.Errorf("want one error at %s, got %v", path, es)
			}
		})
	})
	// limitRange default and defaultRequest (2 each), Rancher's container limit (4) and two
	// quotas (2 each): a count that drops means the walk lost fields.
	if n != 12 {
		t.Errorf("found %d quantity fields, want 12", n)
	}
}
