package gen

import (
	"strings"
	"testing"
)

// TestSailReadme holds the Sail installer's README paragraph to the mesh's control planes: one
// Istio object is "is … object default", two are "are … objects A and B", and the note on
// IstioRevisionTags and deleting an old revision appears exactly when the mesh has tags.
func TestSailReadme(t *testing.T) {
	for _, c := range []struct {
		example, want string
		tags          bool
	}{
		{"sail", "Istio 1.30.3 is installed by the Sail operator (spec.istio.installer: sail) from the Istio object default in 2-istiod/", false},
		{"sail-canary/step1", "Istio 1.29.6 and 1.30.3 are installed by the Sail operator (spec.istio.installer: sail) from the Istio objects 1-29-6 and 1-30-3 in 2-istiod/", true},
		{"sail-canary/step3", "Istio 1.30.3 is installed by the Sail operator (spec.istio.installer: sail) from the Istio object 1-30-3 in 2-istiod/", true},
	} {
		for cl, f := range clusterFolders(t, example(t, c.example)) {
			md := strings.Join(strings.Fields(readmeOf(f)), " ")
			if !strings.Contains(md, c.want) {
				t.Errorf("%s, %s: README lacks %q", c.example, cl, c.want)
			}
			if got := strings.Contains(md, "The tags are IstioRevisionTag objects"); got != c.tags {
				t.Errorf("%s, %s: README notes IstioRevisionTags: %v, want %v", c.example, cl, got, c.tags)
			}
		}
	}
}
