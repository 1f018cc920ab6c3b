package invariant

import (
	"maps"
	"slices"
	"strings"
)

// controlPlane is one istiod a cluster's installer files install: its revision and the tags
// its values give it (revisionTags, from which the chart writes istio-revision-tag-<tag>).
type controlPlane struct {
	from, revision string
	tags           []string
}

// istiodValues are a cluster's istiod Helm values by file: helm/istiod.values.yaml, or
// helm/istiod-<revision>.values.yaml for a revision's release.
func (m *Mesh) istiodValues(cluster string) map[string]map[string]any {
	vs := map[string]map[string]any{}
	for name := range m.Installer[cluster] {
		rest, ok := strings.CutPrefix(name, "helm/istiod")
		if ok && (rest == ".values.yaml" || strings.HasPrefix(rest, "-") && strings.HasSuffix(rest, ".values.yaml")) {
			if d := m.doc(cluster, name); d != nil {
				vs[name] = d
			}
		}
	}
	return vs
}

// controlPlanes are the istiods of a cluster, from its IstioOperators (the profile empty is a
// gateway's), its Sail Istios and its istiod Helm values; and the revisions its east-west gateway runs on.
func (m *Mesh) controlPlanes(cluster string) (cps []controlPlane, gateways []string) {
	for _, o := range m.operators(cluster) {
		if str(o.Doc, "spec", "profile") == "empty" {
			gateways = append(gateways, str(o.Doc, "spec", "revision"))
			continue
		}
		cps = append(cps, controlPlane{o.id(), str(o.Doc, "spec", "revision"), strs(o.Doc, "spec", "values", "revisionTags")})
	}
	cps = append(cps, m.sailControlPlanes(cluster)...)
	vs := m.istiodValues(cluster)
	for _, f := range slices.Sorted(maps.Keys(vs)) {
		cps = append(cps, controlPlane{f, str(vs[f], "revision"), strs(vs[f], "revisionTags")})
	}
	if d := m.doc(cluster, "helm/istio-eastwestgateway.values.yaml"); d != nil {
		gateways = append(gateways, str(d, "revision"))
	}
	return cps, gateways
}

// resolve finds the control plane that injects the pods of a namespace labelled
// istio.io/rev=rev (or istio-injection=enabled, rev "" and legacy true): a revision's own
// name, or a tag exactly one control plane carries. The default tag also takes
// istio-injection=enabled, and the revision-less control plane is the default one.
func resolve(cps []controlPlane, rev string, legacy bool) (controlPlane, string) {
	if legacy {
		rev = "default"
	}
	var by []controlPlane
	for _, cp := range cps {
		if cp.revision == rev && !legacy || cp.revision == "" && rev == "default" || slices.Contains(cp.tags, rev) {
			by = append(by, cp)
		}
	}
	switch len(by) {
	case 0:
		return controlPlane{}, "no control plane has revision or tag " + rev
	case 1:
		return by[0], ""
	}
	var from []string
	for _, cp := range by {
		from = append(from, cp.from)
	}
	return controlPlane{}, rev + " is claimed by " + strings.Join(from, " and ")
}

// tags: every application namespace's istio.io/rev (a revision or a tag) or
// istio-injection=enabled resolves, in each cluster, to exactly one control plane installed in
// that cluster; every east-west gateway runs on a revision installed there; each tag of the
// MeshConfig points, in every cluster, at the revision it names, and the default validating
// webhook at the default tag's.
func tags(m *Mesh, r *report) {
	ist := &m.Config.Spec.Istio
	for _, cl := range m.clusters() {
		cps, gateways := m.controlPlanes(cl.Name)
		if len(cps) == 0 {
			continue // identity reports a cluster without a control plane
		}
		for _, o := range m.in(cl.Name, "Namespace") {
			l := labelsOf(o.Doc, "metadata", "labels")
			rev, hasRev := l["istio.io/rev"]
			legacy := l["istio-injection"] == "enabled"
			if !hasRev && !legacy {
				continue
			}
			if _, why := resolve(cps, rev, legacy); why != "" {
				r.add(cl.Name, "Namespace %s: %s", o.name(), why)
			}
		}
		for _, g := range gateways {
			if !slices.ContainsFunc(cps, func(cp controlPlane) bool { return cp.revision == g }) {
				r.add(cl.Name, "the east-west gateway runs on revision %q, which no control plane here has", g)
			}
		}
		// The default validating webhook goes where the default tag points (base's defaultRevision).
		want := ist.Tags["default"]
		for _, o := range m.operators(cl.Name) {
			if got := str(o.Doc, "spec", "values", "defaultRevision"); str(o.Doc, "spec", "profile") != "empty" && got != want {
				r.add(cl.Name, "%s: defaultRevision %q, the default tag points at %q", o.id(), got, want)
			}
		}
		if d := m.doc(cl.Name, "helm/istio-base.values.yaml"); d != nil && str(d, "defaultRevision") != want {
			r.add(cl.Name, "helm/istio-base.values.yaml: defaultRevision %q, the default tag points at %q", str(d, "defaultRevision"), want)
		}
		for _, t := range slices.Sorted(maps.Keys(ist.Tags)) {
			if cp, why := resolve(cps, t, false); why != "" {
				r.add(cl.Name, "tag %s: %s", t, why)
			} else if cp.revision != ist.Tags[t] {
				r.add(cl.Name, "tag %s points at %q, the MeshConfig says %q", t, cp.revision, ist.Tags[t])
			}
		}
	}
}
