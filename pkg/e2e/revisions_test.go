package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// checkRevisionTags holds the rendered releases of one cluster to the tags their values give
// them (see revisionTagProblems) and returns how many tags it checked.
func checkRevisionTags(t *testing.T, where, dir string, rs []helmRelease, got map[string]string) (tags int) {
	t.Helper()
	for _, r := range rs {
		b, err := os.ReadFile(filepath.Join(dir, r.values))
		if err != nil {
			t.Fatal(err)
		}
		ps, n, err := revisionTagProblems(b, got[r.name])
		if err != nil {
			t.Fatalf("%s: %s: %v", where, r.values, err)
		}
		for _, p := range ps {
			t.Errorf("%s: %s: %s", where, r.name, p)
		}
		tags += n
	}
	return tags
}

// revisionTagProblems compares one release's values with what the real chart rendered from
// them: for each of istiod's revisionTags the MutatingWebhookConfiguration
// istio-revision-tag-<tag>, calling that revision's istiod and selecting istio.io/rev=<tag>;
// for base's defaultRevision, istiod-default-validator calling that revision's istiod.
func revisionTagProblems(values []byte, rendered string) (problems []string, tags int, err error) {
	var v struct {
		Revision        string   `json:"revision"`
		RevisionTags    []string `json:"revisionTags"`
		DefaultRevision string   `json:"defaultRevision"`
	}
	if err := yaml.Unmarshal(values, &v); err != nil {
		return nil, 0, err
	}
	docs := strings.Split(rendered, "\n---\n")
	// doc is the rendered object of that kind and name, empty when there is none.
	doc := func(kind, name string) string {
		for _, d := range docs {
			if strings.Contains(d, "kind: "+kind+"\n") && regexp.MustCompile(`(?m)^  name: "?`+regexp.QuoteMeta(name)+`"?$`).MatchString(d) {
				return d
			}
		}
		return ""
	}
	calls := func(d, rev string) bool {
		return regexp.MustCompile(`(?m)^\s+name: istiod-` + regexp.QuoteMeta(rev) + `$`).MatchString(d)
	}
	for _, tag := range v.RevisionTags {
		tags++
		wh := doc("MutatingWebhookConfiguration", "istio-revision-tag-"+tag)
		switch {
		case wh == "":
			problems = append(problems, "no webhook istio-revision-tag-"+tag)
		case !calls(wh, v.Revision):
			problems = append(problems, "istio-revision-tag-"+tag+" does not call istiod-"+v.Revision)
		case !regexp.MustCompile(`(?m)^\s+- "?` + regexp.QuoteMeta(tag) + `"?$`).MatchString(wh):
			problems = append(problems, "istio-revision-tag-"+tag+" does not select istio.io/rev="+tag)
		}
	}
	if v.DefaultRevision != "" && !calls(doc("ValidatingWebhookConfiguration", "istiod-default-validator"), v.DefaultRevision) {
		problems = append(problems, "istiod-default-validator does not call istiod-"+v.DefaultRevision)
	}
	return problems, tags, nil
}

// TestRevisionTagProblems proves the chart check can fail: a rendering without the tag's
// webhook, one whose webhook calls another revision, and a validator elsewhere.
func TestRevisionTagProblems(t *testing.T) {
	webhook := func(tag, rev string) string {
		return "apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata:\n  name: istio-revision-tag-" + tag +
			"\nwebhooks:\n- name: rev.namespace.sidecar-injector.istio.io\n  clientConfig:\n    service:\n      name: istiod-" + rev +
			"\n  namespaceSelector:\n    matchExpressions:\n    - key: istio.io/rev\n      operator: In\n      values:\n      - \"" + tag + "\"\n"
	}
	validator := func(rev string) string {
		return "kind: ValidatingWebhookConfiguration\nmetadata:\n  name: istiod-default-validator\nwebhooks:\n- clientConfig:\n    service:\n      name: istiod-" + rev + "\n"
	}
	istiod := []byte("revision: new\nrevisionTags: [default]\n")
	base := []byte("defaultRevision: new\n")
	for _, tc := range []struct {
		name     string
		values   []byte
		rendered string
		want     string
	}{
		{"the tag's webhook", istiod, webhook("default", "new"), ""},
		{"no webhook", istiod, "kind: Service\nmetadata:\n  name: istiod-new\n", "no webhook istio-revision-tag-default"},
		{"webhook calling the other revision", istiod, webhook("default", "old"), "does not call istiod-new"},
		{"webhook selecting another tag", istiod, strings.Replace(webhook("default", "new"), `- "default"`, `- "stable"`, 1), "does not select istio.io/rev=default"},
		{"the validator", base, validator("new"), ""},
		{"validator calling the other revision", base, validator("old"), "istiod-default-validator does not call istiod-new"},
	} {
		ps, _, err := revisionTagProblems(tc.values, "---\n"+tc.rendered)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(ps, "; "); tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%s: problems %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestIstioctlRevisionTags renders the canary example's first two steps with the istioctl
// installer and feeds each control plane's IstioOperator to the real istioctl manifest
// generate: the tags in values.revisionTags must come out as their webhooks, calling that
// revision, and the profile's ingress gateway only from the gateways' revision (the other one
// disables it, so two installs never overwrite one Deployment).
func TestIstioctlRevisionTags(t *testing.T) {
	istioctl := tool(t, "istioctl")
	for _, step := range []string{"step1", "step2"} {
		b, err := os.ReadFile(filepath.Join(repo, "examples", "canary", step, "mesh.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		mesh := filepath.Join(dir, "mesh.yaml")
		if err := os.WriteFile(mesh, []byte(strings.Replace(string(b), "installer: helm", "installer: istioctl", 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out")
		if _, stderr, code := run(t, dir, nil, meshgen(t), "render", mesh, "-o", out); code != 0 {
			t.Fatalf("%s: render: exit %d\n%s", step, code, stderr)
		}
		ops, _ := filepath.Glob(filepath.Join(out, "north", "istioctl", "harbor-*.yaml"))
		if len(ops) != 2 {
			t.Fatalf("%s: want two control-plane IstioOperators, got %v", step, ops)
		}
		ingress, tags := 0, 0
		for _, op := range ops {
			var iop struct {
				Spec struct {
					Revision string `json:"revision"`
					Values   struct {
						RevisionTags    []string `json:"revisionTags"`
						DefaultRevision string   `json:"defaultRevision"`
					} `json:"values"`
				} `json:"spec"`
			}
			b, _ := os.ReadFile(op)
			if err := yaml.Unmarshal(b, &iop); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := run(t, dir, nil, istioctl, "manifest", "generate", "-f", op)
			if code != 0 {
				t.Fatalf("%s: istioctl manifest generate -f %s: exit %d\n%s", step, filepath.Base(op), code, stderr)
			}
			values, _ := yaml.Marshal(map[string]any{"revision": iop.Spec.Revision, "revisionTags": iop.Spec.Values.RevisionTags})
			ps, n, err := revisionTagProblems(values, "---\n"+stdout)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				t.Errorf("%s: %s: %s", step, filepath.Base(op), p)
			}
			tags += n
			if strings.Contains(stdout, "\n  name: istio-ingressgateway\n") {
				ingress++
			}
		}
		if tags != 2 || ingress != 1 {
			t.Errorf("%s: %d tags rendered (want 2), ingress gateway from %d IstioOperators (want 1)", step, tags, ingress)
		}
	}
}
