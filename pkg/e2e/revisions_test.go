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
// them: the real chart writes the MutatingWebhookConfiguration istio-revision-tag-<tag> (and its
// Service, in charts that have one) from istiod's revisionTags, calling that revision's istiod,
// and base's defaultRevision sends istiod-default-validator to the default tag's istiod.
func checkRevisionTags(t *testing.T, where, dir string, rs []helmRelease, got map[string]string) (tags int) {
	t.Helper()
	for _, r := range rs {
		b, err := os.ReadFile(filepath.Join(dir, r.values))
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Revision        string   `json:"revision"`
			RevisionTags    []string `json:"revisionTags"`
			DefaultRevision string   `json:"defaultRevision"`
		}
		if err := yaml.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %s: %v", where, r.values, err)
		}
		docs := strings.Split(got[r.name], "\n---\n")
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
				t.Errorf("%s: %s renders no webhook istio-revision-tag-%s", where, r.name, tag)
			case !calls(wh, v.Revision):
				t.Errorf("%s: %s: istio-revision-tag-%s does not call istiod-%s", where, r.name, tag, v.Revision)
			case !regexp.MustCompile(`(?m)^\s+- "?` + regexp.QuoteMeta(tag) + `"?$`).MatchString(wh):
				t.Errorf("%s: %s: istio-revision-tag-%s does not select istio.io/rev=%s", where, r.name, tag, tag)
			}
		}
		if v.DefaultRevision != "" && !calls(doc("ValidatingWebhookConfiguration", "istiod-default-validator"), v.DefaultRevision) {
			t.Errorf("%s: %s: istiod-default-validator does not call istiod-%s", where, r.name, v.DefaultRevision)
		}
	}
	return tags
}
