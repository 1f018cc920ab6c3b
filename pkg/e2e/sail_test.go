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
	return sailHelm(t, filepath.Dir(file), ist.name()+"-istiod", ist.str("spec", "namespace"), sailValues(ist))
}

// sailHelm renders the pinned istiod chart as Sail installs it: release name, namespace, values.
func sailHelm(t *testing.T, dir, release, namespace string, values map[string]any) []byte {
	t.Helper()
	src := os.Getenv("MESHGEN_ISTIO_SRC")
	vb, err := json.Marshal(values)
	if err != nil {
		t.Fatal(err)
	}
	vf := filepath.Join(t.TempDir(), "values.json")
	if err := os.WriteFile(vf, vb, 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := run(t, dir, nil, tool(t, "helm"), "template", release,
		filepath.Join(src, "manifests", "charts", helmCharts["istiod"]), "--namespace", namespace, "-f", vf)
	if code != 0 {
		t.Fatalf("helm template %s (Sail's istiod chart): exit %d\n%s", release, code, stderr)
	}
	return []byte(stdout)
}

// isSailRevisionTag: a sailoperator.io IstioRevisionTag (installer sail with spec.istio.tags).
func isSailRevisionTag(o object) bool {
	return o.kind() == "IstioRevisionTag" && strings.HasPrefix(o.str("apiVersion"), "sailoperator.io/")
}

// sailTag is the IstioRevisionTag in file and the Istio it targets, from the same folder
// (both are objects of 2-istiod); target is nil when no Istio there has the name.
func sailTag(t *testing.T, file string) (tag, target object) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range decodeObjects(t, file, b) {
		if isSailRevisionTag(o) {
			tag = o
		}
	}
	if tag == nil {
		t.Fatalf("%s: no IstioRevisionTag", file)
	}
	fs, _ := filepath.Glob(filepath.Join(filepath.Dir(file), "*.yaml"))
	for _, f := range fs {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range decodeObjects(t, f, b) {
			if isSailIstio(o) && tag.str("spec", "targetRef", "kind") == "Istio" && o.name() == tag.str("spec", "targetRef", "name") {
				target = o
			}
		}
	}
	return tag, target
}

// sailTagTemplate renders the IstioRevisionTag in file as Sail does: its revisiontags chart,
// which is the istiod chart's revision-tags templates, with the target Istio's values and
// revisionTags [tag], release <tag>-revisiontags.
func sailTagTemplate(t *testing.T, file string) []byte {
	t.Helper()
	tag, target := sailTag(t, file)
	if target == nil {
		t.Fatalf("%s: IstioRevisionTag %s targets %s %s, no Istio beside it", file, tag.name(), tag.str("spec", "targetRef", "kind"), tag.str("spec", "targetRef", "name"))
	}
	v := sailValues(target)
	v["revisionTags"] = []string{tag.name()}
	all := sailHelm(t, filepath.Dir(file), tag.name()+"-revisiontags", target.str("spec", "namespace"), v)
	var out []string
	for _, d := range strings.Split(string(all), "\n---\n") {
		if strings.Contains(d, "/templates/revision-tags") {
			out = append(out, d)
		}
	}
	return []byte("---\n" + strings.Join(out, "\n---\n") + "\n")
}

// TestSailRevisionTags renders each IstioRevisionTag of the sail examples as Sail does
// (sailTagTemplate). The tag's webhook must call the
// target's istiod and select istio.io/rev=<tag>, and every tag must target an Istio of the
// folder, so the namespaces labelled with it get the revision the MeshConfig names.
func TestSailRevisionTags(t *testing.T) {
	if os.Getenv("MESHGEN_ISTIO_SRC") == "" {
		t.Skip("MESHGEN_ISTIO_SRC is not set: eval \"$(bash .ci/tools)\" first")
	}
	tags := 0
	for _, ex := range exampleMeshes(t) {
		cfg := exampleConfig(t, ex)
		if cfg.Spec.Istio.Installer != "sail" || len(cfg.Spec.Istio.Tags) == 0 {
			continue
		}
		tree := renderTree(t, ex)
		for _, cl := range folders(t, tree) {
			dir := filepath.Join(tree, cl)
			var files []string
			for _, f := range inPhases(dir, "*.yaml") {
				if strings.Contains(filepath.Base(f), "istiorevisiontag_") {
					files = append(files, f)
				}
			}
			if len(files) != len(cfg.Spec.Istio.Tags) {
				t.Errorf("%s/%s: %d IstioRevisionTags, the MeshConfig has %d tags", ex, cl, len(files), len(cfg.Spec.Istio.Tags))
			}
			for _, f := range files {
				tag, target := sailTag(t, f)
				if target == nil {
					t.Errorf("%s/%s: IstioRevisionTag %s targets %s %s, no Istio of the folder", ex, cl, tag.name(), tag.str("spec", "targetRef", "kind"), tag.str("spec", "targetRef", "name"))
					continue
				}
				if want := cfg.Spec.Istio.Tags[tag.name()]; target.name() != want {
					t.Errorf("%s/%s: IstioRevisionTag %s targets %s, the MeshConfig says %s", ex, cl, tag.name(), target.name(), want)
				}
				vb, err := json.Marshal(map[string]any{"revision": sailValues(target)["revision"], "revisionTags": []string{tag.name()}})
				if err != nil {
					t.Fatal(err)
				}
				ps, n, err := revisionTagProblems(vb, string(sailTagTemplate(t, f)))
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range ps {
					t.Errorf("%s/%s: IstioRevisionTag %s: %s", ex, cl, tag.name(), p)
				}
				tags += n
			}
		}
	}
	if tags == 0 {
		t.Fatal("no IstioRevisionTag among the sail examples")
	}
	t.Logf("%d IstioRevisionTags rendered with the istiod chart", tags)
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
