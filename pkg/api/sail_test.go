package api

import (
	"strings"
	"testing"
)

// TestSailFor: the newest Sail release that installs a version, and none for versions that
// no release installs (gaps, end-of-life lines, newer lines, pre-releases).
func TestSailFor(t *testing.T) {
	for version, want := range map[string]string{
		"1.30.3":        "1.30.3",
		"1.30.1":        "1.30.3",
		"1.28.0":        "1.30.3",
		"1.27.9":        "1.29.2",
		"1.26.8":        "1.28.3",
		"1.24.2":        "1.27.3",
		"1.25.1":        "1.27.3",
		"1.21.6":        "1.25.2",
		"1.23.0":        "1.0.0",
		"1.23.1":        "",
		"1.25.0":        "",
		"1.27.10":       "",
		"1.31.0":        "",
		"1.30.0-beta.1": "",
		"1.12.0":        "",
	} {
		r, ok := SailFor(version)
		if ok != (want != "") || r.Release != want {
			t.Errorf("SailFor(%s) = %q, %v; want %q", version, r.Release, ok, want)
		}
	}
}

// TestSailReleases holds the table to its form: newest release first, every range one minor
// line, low to high.
func TestSailReleases(t *testing.T) {
	for i, r := range SailReleases {
		v, ok := ParseSemver(r.Release)
		if !ok {
			t.Fatalf("release %q", r.Release)
		}
		if i > 0 {
			if p, _ := ParseSemver(SailReleases[i-1].Release); !v.Less(p) {
				t.Errorf("%s after %s: not newest first", r.Release, SailReleases[i-1].Release)
			}
		}
		for _, rg := range strings.Fields(r.Istio) {
			lo, hi, ok := strings.Cut(rg, "-")
			if !ok {
				hi = lo
			}
			a, okA := ParseSemver(lo)
			b, okB := ParseSemver(hi)
			if !okA || !okB || a.Major != b.Major || a.Minor != b.Minor || b.Less(a) {
				t.Errorf("%s: range %s-%s", r.Release, lo, hi)
			}
		}
	}
}
