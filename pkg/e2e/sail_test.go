package e2e

// The sail installer's Istio, rendered as the Sail operator renders it: Sail passes spec.values
// to Istio's istiod chart after applying the profile and its overrides (values.revision from
// the Istio's name, the name default being no revision; global.istioNamespace from
// spec.namespace), so the real helm template of the pinned chart with those values is what
// Sail installs, minus image digests, which meshgen's hub and tag turn off anyway.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func isSailIstio(o object) bool {
	return o.kind() == "Istio" && strings.HasPrefix(o.str("apiVersion"), "sailoperator.io/")
}

// sailValues are the istiod chart values Sail computes from an Istio: spec.values with its
// overrides, and the profile, which the chart applies itself from the same profile files.
func sailValues(o object) map[string]any {
	values, _ := o.get("spec", "values").(map[string]any)
	v := map[string]any{}
	for k, x := range values {
		v[k] = x
	}
	rev := o.name()
	if rev == "default" {
		rev = ""
	}
	v["revision"] = rev
	g, _ := v["global"].(map[string]any)
	gl := map[string]any{}
	for k, x := range g {
		gl[k] = x
	}
	gl["istioNamespace"] = o.str("spec", "namespace")
	v["global"] = gl
	if p := o.str("spec", "profile"); p != "" {
		v["profile"] = p
	}
	return v
}

// sailTemplate renders the Istio in file with helm template of the pinned istiod chart,
// release <name>-istiod as Sail names it.
func sailTemplate(t *testing.T, file string) []byte {
	t.Helper()
	src := os.Getenv("MESHGEN_ISTIO_SRC")
	if src == "" {
		t.Skip("MESHGEN_ISTIO_SRC is not set: eval \"$(bash .ci/tools)\" first")
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var ist object
	for _, o := range decodeObjects(t, file, b) {
		if isSailIstio(o) {
			ist = o
		}
	}
	if ist == nil {
		t.Fatalf("%s: no Sail Istio", file)
	}
	vb, err := json.Marshal(sailValues(ist))
	if err != nil {
		t.Fatal(err)
	}
	vf := filepath.Join(t.TempDir(), "values.json")
	if err := os.WriteFile(vf, vb, 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := run(t, filepath.Dir(file), nil, tool(t, "helm"), "template", ist.name()+"-istiod",
		filepath.Join(src, "manifests", "charts", helmCharts["istiod"]), "--namespace", ist.str("spec", "namespace"), "-f", vf)
	if code != 0 {
		t.Fatalf("helm template of the Sail Istio %s: exit %d\n%s", file, code, stderr)
	}
	return []byte(stdout)
}

// sailIstioFile is the file of the cluster's Sail Istio, if it has one.
func sailIstioFile(t *testing.T, dir string) string {
	t.Helper()
	for _, f := range inPhases(dir, "*.yaml") {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range decodeObjects(t, f, b) {
			if isSailIstio(o) {
				return f
			}
		}
	}
	return ""
}
