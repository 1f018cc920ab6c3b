package gen

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/synth"
)

// TestKubeTypes holds the local Kubernetes structs (kube.go) to k8s.io/api: every such object
// the examples produce must decode into the upstream type with no unknown field and encode
// back to the same JSON. A misspelt field, a wrong omitempty or a wrong type fails here.
func TestKubeTypes(t *testing.T) {
	upstream := map[string]func() any{
		"Namespace":     func() any { return new(corev1.Namespace) },
		"LimitRange":    func() any { return new(corev1.LimitRange) },
		"Secret":        func() any { return new(corev1.Secret) },
		"Service":       func() any { return new(corev1.Service) },
		"NetworkPolicy": func() any { return new(netv1.NetworkPolicy) },
		// The remote secrets' source side (reader.go).
		"ServiceAccount":     func() any { return new(corev1.ServiceAccount) },
		"ClusterRole":        func() any { return new(rbacv1.ClusterRole) },
		"ClusterRoleBinding": func() any { return new(rbacv1.ClusterRoleBinding) },
	}
	seen := map[string]int{}
	var objs []Object
	for _, dir := range []string{"mcsps-test", "three-sites"} {
		objs = append(objs, generate(example(t, dir))...)
	}
	objs = append(objs, generate(input(3))...)
	for _, o := range objs {
		// Embedded documents are YAML, written by the output side; here any bytes will do.
		for _, d := range o.Docs() {
			d.YAML = []byte("kind: Config\n")
		}
		if typed, ok := upstream[o.Kind]; ok {
			conforms(t, o.Path(), o.Body, typed())
			seen[o.Kind]++
		}
		// The east-west gateway's IstioOperator carries core/v1 env vars and service ports.
		if op, ok := o.Body.(*istioOperator); ok && op.Spec.Components != nil {
			for _, c := range op.Spec.Components.IngressGateways {
				conforms(t, o.Path()+" env", c.K8s.Env, new([]corev1.EnvVar))
				conforms(t, o.Path()+" ports", c.K8s.Service.Ports, new([]corev1.ServicePort))
				seen["EnvVar+ServicePort"]++
			}
		}
	}
	for kind := range upstream {
		if seen[kind] == 0 {
			t.Errorf("no %s in the examples: nothing checked its local type", kind)
		}
	}
	if seen["EnvVar+ServicePort"] == 0 {
		t.Error("no east-west IstioOperator checked")
	}
	t.Logf("checked %v", seen)
}

func conforms(t *testing.T, what string, local, typed any) {
	t.Helper()
	b, err := json.Marshal(local)
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(typed); err != nil {
		t.Errorf("%s: %T rejects %s: %v", what, typed, b, err)
		return
	}
	back, err := json.Marshal(typed)
	if err != nil {
		t.Fatal(err)
	}
	want, got := generic(t, b), generic(t, back)
	// What the typed objects add on their own and manifests leave out (the local structs lack these fields).
	if m, ok := got.(map[string]any); ok {
		delete(m, "status")
		if md, ok := m["metadata"].(map[string]any); ok && md["creationTimestamp"] == nil {
			delete(md, "creationTimestamp")
		}
		if s, ok := m["spec"].(map[string]any); ok && len(s) == 0 {
			delete(m, "spec")
		}
	}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("%s: local JSON\n%s\nk8s.io/api writes\n%s", what, b, back)
	}
}

func generic(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// example loads examples/<dir>: mesh.yaml and its credentials, as the CLI does.
func example(t *testing.T, dir string) *api.Input {
	t.Helper()
	m, err := synth.Read(filepath.Join("..", "..", "examples", dir))
	if err != nil {
		t.Fatal(err)
	}
	in, err := m.Input()
	if err != nil {
		t.Fatal(err)
	}
	return in
}
