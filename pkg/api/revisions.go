package api

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Canary is a second control plane beside spec.istio's, of a newer release and its own
// revision: step one of a canary upgrade. It has no settings of its own besides these two, so
// what must be mesh-wide (mesh ID, networks, hub, profile, CNI) cannot differ between the two.
type Canary struct {
	Version  string `json:"version"`
	Revision string `json:"revision"`
}

// Rev is one control plane of every cluster: a release and its revision.
type Rev struct{ Version, Revision string }

// DefaultTag is the revision tag Istio treats specially: its webhook also injects namespaces
// labelled istio-injection=enabled and pods labelled sidecar.istio.io/inject=true, and the
// default validating webhook (istiod-default-validator) calls its revision.
const DefaultTag = "default"

// MaxCanarySkew is how many minor releases a canary may be ahead: Istio's canary upgrade
// supports at most two ("upgrading across more than two minor versions is not supported").
const MaxCanarySkew = 2

// Revisions are the mesh's control planes, spec.istio's first, then the canary's.
func (ist *Istio) Revisions() []Rev {
	rs := []Rev{{ist.Version, ist.Revision}}
	if c := ist.Canary; c != nil {
		rs = append(rs, Rev{c.Version, c.Revision})
	}
	return rs
}

// Gateways is the control plane the gateways and the CNI agent run on: the one the default
// tag points at, else spec.istio's. Istio upgrades gateways in place, one per cluster, not a
// copy per revision; they move with the default tag, so that when the old control plane is
// removed nothing is connected to it any more.
func (ist *Istio) Gateways() Rev {
	for _, r := range ist.Revisions() {
		if r.Revision != "" && ist.Tags[DefaultTag] == r.Revision {
			return r
		}
	}
	return ist.Revisions()[0]
}

// TagsOf lists the tags that point at revision, sorted.
func (ist *Istio) TagsOf(revision string) []string {
	var ts []string
	for _, t := range slices.Sorted(maps.Keys(ist.Tags)) {
		if ist.Tags[t] == revision {
			ts = append(ts, t)
		}
	}
	return ts
}

// Injection is the label that selects a namespace's control plane: its tag (the default
// tag unless it names another) when the mesh has tags, else the revision, else
// istio-injection. With tags, moving a tag moves the namespace without relabelling it.
func (s *Spec) Injection(ns *Namespace) (key, value string) {
	ist := &s.Istio
	switch {
	case len(ist.Tags) > 0 && ns.Tag != "":
		return RevisionLabel, ns.Tag
	case len(ist.Tags) > 0:
		return RevisionLabel, DefaultTag
	case ist.Revision != "":
		return RevisionLabel, ist.Revision
	}
	return InjectionLabel, "enabled"
}

// The namespace labels that select a control plane.
const (
	RevisionLabel  = "istio.io/rev"
	InjectionLabel = "istio-injection"
)

// validateRevisions checks the canary, the tags and the namespaces' tags: a tag points at a
// revision of the mesh, two control planes never share a revision, and the canary's release is
// one the installer can install and Istio can upgrade to.
func validateRevisions(es *Errors, s *Spec) {
	ist := &s.Istio
	if s.Ambient() && (ist.Canary != nil || len(ist.Tags) > 0) {
		// Ambient refuses revisions (validateAmbient), which canaries and tags build on.
		es.add("spec.istio", "canary and tags are not supported with spec.dataplane ambient, which has no revisions")
		return
	}
	if c := ist.Canary; c != nil {
		p := "spec.istio.canary"
		if ist.Revision == "" {
			es.add("spec.istio.revision", "required with %s: two control planes need a revision each, and a control plane without one cannot be removed on its own later", p)
		}
		if name(es, p+".revision", c.Revision, dnsLabel) && c.Revision == ist.Revision {
			es.add(p+".revision", "%q is spec.istio.revision too: two control planes cannot share a revision (their istiod, webhooks and Services would be one)", c.Revision)
		}
		validateCanaryVersion(es, ist)
		if len(ist.Tags) == 0 {
			es.add("spec.istio.tags", "required with %s: namespaces select a tag, and moving the tags to %q is what moves them to the canary", p, c.Revision)
		}
	}
	if len(ist.Tags) > 0 && ist.Revision == "" {
		es.add("spec.istio.tags", "need spec.istio.revision: a tag points at a named revision")
	}
	var revs []string
	for _, r := range ist.Revisions() {
		if r.Revision != "" {
			revs = append(revs, r.Revision)
		}
	}
	for _, t := range slices.Sorted(maps.Keys(ist.Tags)) {
		p := "spec.istio.tags." + t
		if !name(es, p, t, dnsLabel) {
			continue
		}
		switch r := ist.Tags[t]; {
		case slices.Contains(revs, t):
			es.add(p, "%q is a revision: a tag cannot have a revision's name (istio.io/rev: %s would select both)", t, t)
		case !slices.Contains(revs, r):
			es.add(p, "points at unknown revision %q; the mesh has %s", r, orNone(revs))
		}
	}
	for i, ns := range s.Namespaces {
		p := fmt.Sprintf("spec.namespaces[%d].tag", i)
		switch _, known := ist.Tags[ns.Tag]; {
		case ns.Tag != "" && len(ist.Tags) == 0:
			es.add(p, "needs spec.istio.tags, which has no tag %q", ns.Tag)
		case ns.Tag != "" && !known:
			es.add(p, "unknown tag %q; spec.istio.tags has %s", ns.Tag, strings.Join(slices.Sorted(maps.Keys(ist.Tags)), ", "))
		case ns.Tag == "" && len(ist.Tags) > 0 && ist.Tags[DefaultTag] == "":
			es.add(p, "required: spec.istio.tags has no %q tag to fall back on", DefaultTag)
		}
	}
}

// validateCanaryVersion holds the canary's release to what the installer installs and to the
// upgrades Istio supports: not older than spec.istio.version (the mesh-wide objects are written
// for that one, which the canary must serve too), at most MaxCanarySkew minors ahead.
func validateCanaryVersion(es *Errors, ist *Istio) {
	p := "spec.istio.canary.version"
	c := ist.Canary
	v, ok := ParseSemver(c.Version)
	switch {
	case c.Version == "":
		es.add(p, "required (for example 1.26.0)")
		return
	case !ok:
		es.add(p, "must be a release like 1.26.0, got %q", c.Version)
		return
	}
	if ist.Installer == InstallerOperator && !v.Less(OperatorRemoved) {
		es.add(p, "%q cannot be installed by spec.istio.installer %s: the in-cluster operator was removed in %d.%d.0; use helm or istioctl for both revisions",
			c.Version, ist.Installer, OperatorRemoved.Major, OperatorRemoved.Minor)
	}
	cur, ok := ParseSemver(ist.Version)
	switch {
	case !ok:
	case v.Less(cur):
		es.add(p, "%q is older than spec.istio.version %q: a canary upgrades; the objects of the mesh are written for spec.istio.version", c.Version, ist.Version)
	case v.Major != cur.Major || v.Minor-cur.Minor > MaxCanarySkew:
		es.add(p, "%q is more than %d minor releases ahead of spec.istio.version %q, which Istio's canary upgrade does not support; upgrade in steps", c.Version, MaxCanarySkew, ist.Version)
	}
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
