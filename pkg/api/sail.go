package api

import (
	"fmt"
	"slices"
	"strings"
)

// The Istio releases each Sail operator release installs: the versions of its
// pkg/istioversion/versions.yaml (github.com/istio-ecosystem/sail-operator, at the release's tag)
// that are neither end-of-life (eol: true, which Sail refuses to install) nor aliases
// (v1.30-latest) nor pre-releases, as ranges of patches; newest release first. Sail's API
// sailoperator.io/v1 starts at 1.0.0 (0.x served v1alpha1). The ranges have gaps where Sail
// left a patch out (1.27.0 has no 1.26.1).
var SailReleases = []SailRelease{
	{"1.30.3", "1.28.0-1.28.10 1.29.0-1.29.6 1.30.0-1.30.3"},
	{"1.30.0", "1.28.0-1.28.7 1.29.0-1.29.3 1.30.0"},
	{"1.29.2", "1.27.0-1.27.9 1.28.0-1.28.6 1.29.0-1.29.2"},
	{"1.29.1", "1.27.0-1.27.8 1.28.0-1.28.5 1.29.0-1.29.1"},
	{"1.29.0", "1.27.0-1.27.7 1.28.0-1.28.4 1.29.0"},
	{"1.28.3", "1.26.0-1.26.8 1.27.0-1.27.5 1.28.0-1.28.3"},
	{"1.28.2", "1.26.0-1.26.8 1.27.0-1.27.5 1.28.0-1.28.2"},
	{"1.28.1", "1.26.0-1.26.7 1.27.0-1.27.4 1.28.0-1.28.1"},
	{"1.28.0", "1.26.0-1.26.6 1.27.0-1.27.3 1.28.0"},
	{"1.27.3", "1.24.0-1.24.6 1.25.1-1.25.5 1.26.0-1.26.6 1.27.0-1.27.3"},
	{"1.27.2", "1.24.0-1.24.6 1.25.1-1.25.5 1.26.0-1.26.5 1.27.0-1.27.2"},
	{"1.27.1", "1.24.0-1.24.6 1.25.1-1.25.5 1.26.0 1.26.2-1.26.4 1.27.0-1.27.1"},
	{"1.27.0", "1.24.0-1.24.6 1.25.1-1.25.4 1.26.0 1.26.2-1.26.3 1.27.0"},
	{"1.26.3", "1.24.0-1.24.6 1.25.1-1.25.3 1.26.0-1.26.3"},
	{"1.26.2", "1.24.0-1.24.6 1.25.1-1.25.3 1.26.0-1.26.2"},
	{"1.26.1", "1.24.0-1.24.6 1.25.1-1.25.3 1.26.0-1.26.1"},
	{"1.26.0", "1.24.0-1.24.6 1.25.1-1.25.3 1.26.0"},
	{"1.25.2", "1.21.6 1.22.5-1.22.8 1.23.2-1.23.5 1.24.0-1.24.4 1.25.1-1.25.2"},
	{"1.25.1", "1.21.6 1.22.5-1.22.8 1.23.2-1.23.5 1.24.0-1.24.4 1.25.1"},
	{"1.0.0", "1.23.0 1.23.3-1.23.5 1.24.1-1.24.3"},
}

// SailRelease is one release of the Sail operator and the Istio versions it installs.
type SailRelease struct {
	Release string
	// Istio holds ranges of patches of one minor line ("1.28.0-1.28.10") or single releases.
	Istio string
}

// Installs reports whether the release installs Istio version (MAJOR.MINOR.PATCH, no "v").
func (r SailRelease) Installs(version string) bool {
	v, ok := ParseSemver(version)
	if !ok || strings.Contains(version, "-") {
		return false
	}
	for _, rg := range strings.Fields(r.Istio) {
		lo, hi, _ := strings.Cut(rg, "-")
		if hi == "" {
			hi = lo
		}
		a, _ := ParseSemver(lo)
		b, _ := ParseSemver(hi)
		if v.Major == a.Major && v.Minor == a.Minor && !v.Less(a) && !b.Less(v) {
			return true
		}
	}
	return false
}

// SailFor is the newest Sail release that installs every one of the Istio versions, if any:
// one Sail operator runs in a cluster and installs each of its control planes (a canary's too).
func SailFor(versions ...string) (SailRelease, bool) {
	for _, r := range SailReleases {
		if !slices.ContainsFunc(versions, func(v string) bool { return !r.Installs(v) }) {
			return r, true
		}
	}
	return SailRelease{}, false
}

// SailRelease is the Sail release that installs the mesh's control planes (spec.istio's and
// the canary's).
func (ist *Istio) SailRelease() (SailRelease, bool) {
	var vs []string
	for _, r := range ist.Revisions() {
		vs = append(vs, r.Version)
	}
	return SailFor(vs...)
}

// SailVersion is Istio's version as Sail's spec.version spells it.
func SailVersion(version string) string { return "v" + version }

// SailProfiles are the profiles Sail's Istio accepts (its CRD's enum): istioctl's without
// minimal, which Sail does not ship.
var SailProfiles = slices.DeleteFunc(slices.Clone(Profiles), func(p string) bool { return p == "minimal" })

// validateSail refuses what the Sail operator cannot install: a version no Sail release
// installs, a canary that the Sail release of spec.istio.version does not install beside it,
// and a profile Sail does not know.
func validateSail(es *Errors, ist *Istio) {
	if ist.Installer != InstallerSail {
		return
	}
	if v, ok := ParseSemver(ist.Version); ok {
		if r, ok := SailFor(ist.Version); ok {
			validateSailCanary(es, ist, r)
		} else {
			newest := SailReleases[0]
			line := ""
			if r, rg, ok := sailLine(v); ok {
				line = fmt.Sprintf("; of %d.%d, Sail %s installs %s", v.Major, v.Minor, r.Release, rg)
			}
			es.add("spec.istio.version", "installer sail: no Sail operator release installs Istio %q: the newest, Sail %s, installs %s (Sail %s to %s together: %s, with gaps)%s; use one of those, or the helm installer",
				ist.Version, newest.Release, sailSpan(newest), SailReleases[len(SailReleases)-1].Release, newest.Release, sailSpan(SailReleases...), line)
		}
	}
	if !slices.Contains(SailProfiles, ist.Profile) && slices.Contains(Profiles, ist.Profile) {
		es.add("spec.istio.profile", "installer sail: the Sail operator knows the profiles %s, got %q", strings.Join(SailProfiles, ", "), ist.Profile)
	}
}

// validateSailCanary refuses a canary that no Sail release installs together with
// spec.istio.version: both control planes are one operator's. r is the newest release that
// installs spec.istio.version. validateCanaryVersion checks the rest of the canary's version.
func validateSailCanary(es *Errors, ist *Istio, r SailRelease) {
	c := ist.Canary
	if c == nil {
		return
	}
	v, ok := ParseSemver(c.Version)
	cur, _ := ParseSemver(ist.Version)
	if !ok || v.Less(cur) {
		return // validateCanaryVersion says what is wrong with it
	}
	if _, ok := SailFor(ist.Version, c.Version); !ok {
		es.add("spec.istio.canary.version", "installer sail: no Sail operator release installs both %q and spec.istio.version %q, and one Sail operator installs both control planes of a cluster; Sail %s, the newest that installs %q, installs %s",
			c.Version, ist.Version, r.Release, ist.Version, strings.ReplaceAll(strings.Join(strings.Fields(r.Istio), ", "), "-", " to "))
	}
}

// sailLine is the newest Sail release that installs some release of v's minor line, and the
// patches of that line it installs.
func sailLine(v Semver) (SailRelease, string, bool) {
	prefix := fmt.Sprintf("%d.%d.", v.Major, v.Minor)
	for _, r := range SailReleases {
		var rgs []string
		for _, rg := range strings.Fields(r.Istio) {
			if strings.HasPrefix(rg, prefix) {
				rgs = append(rgs, strings.Replace(rg, "-", " to ", 1))
			}
		}
		if len(rgs) > 0 {
			return r, strings.Join(rgs, ", "), true
		}
	}
	return SailRelease{}, "", false
}

// sailSpan is the oldest to the newest Istio version of the releases.
func sailSpan(rs ...SailRelease) string {
	var lo, hi Semver
	var los, his string
	for i, r := range rs {
		fs := strings.Fields(r.Istio)
		a, _, _ := strings.Cut(fs[0], "-")
		_, b, ok := strings.Cut(fs[len(fs)-1], "-")
		if !ok {
			b = fs[len(fs)-1]
		}
		av, _ := ParseSemver(a)
		bv, _ := ParseSemver(b)
		if i == 0 || av.Less(lo) {
			lo, los = av, a
		}
		if i == 0 || hi.Less(bv) {
			hi, his = bv, b
		}
	}
	return los + " to " + his
}
