package gen

import (
	"maps"
	"slices"
	"strings"

	"github.com/meshgen/meshgen/pkg/api"
)

// Revisions and revision tags (spec.istio.canary, spec.istio.tags). Each control plane is
// installed with the tags that point at it in its istiod values (revisionTags, in the istiod
// chart and the IstioOperator values of every release from 1.12): the chart then writes the
// MutatingWebhookConfiguration istio-revision-tag-<tag> that sends the pods of namespaces
// labelled istio.io/rev=<tag> to that revision. Moving a tag is a change of two values, so it
// is declarative, and each step of a canary upgrade is a render.

// revisionName is the name of a revision's control plane, the IstioOperator's or the istiod
// release's: base, or base-<revision>. It depends on the revision only, so a control plane
// keeps its name from the render where it is the canary to the one where it is the only one.
func revisionName(base string, r api.Rev) string {
	if r.Revision == "" {
		return base
	}
	return base + "-" + r.Revision
}

// revisionTags are the tags pointing at r, for its istiod values.
func (g *gen) revisionTags(r api.Rev) []string {
	if r.Revision == "" {
		return nil
	}
	return g.cfg.Spec.Istio.TagsOf(r.Revision)
}

// defaultRevision is the revision the default tag points at: the base chart's defaultRevision,
// whose istiod-default-validator then calls that revision's istiod. Empty: the chart's own.
func (g *gen) defaultRevision() string { return g.cfg.Spec.Istio.Tags[api.DefaultTag] }

// newest is the newest control plane: the base chart (the CRDs) comes from its release, as
// Istio's upgrade guides install the new base before the new istiod.
func (g *gen) newest() api.Rev {
	rs := g.cfg.Spec.Istio.Revisions()
	return rs[len(rs)-1]
}

// ownsShared tells whether r's IstioOperator installs what a cluster has once, whatever the
// revisions: the CNI agent and the profile's ingress gateway. Only the gateways' revision does;
// two IstioOperators with one Deployment each would have two operators (or two istioctl
// installs) overwrite each other's.
func (g *gen) ownsShared(r api.Rev) bool {
	ist := &g.cfg.Spec.Istio
	return ist.Canary == nil || r == ist.Gateways()
}

// installOrder is the order istioctl installs the control planes in: the gateways' revision
// (the default tag's) first, so that it takes over the tags' webhooks and the shared
// components before the other one's install prunes what it no longer owns. istioctl prunes by
// the owner labels (install.operator.istio.io/owning-resource, istio.io/rev), which the
// taking install has already rewritten, so nothing is without an owner in between.
func (g *gen) installOrder() []api.Rev {
	ist := &g.cfg.Spec.Istio
	first := ist.Gateways()
	rs := []api.Rev{first}
	for _, r := range ist.Revisions() {
		if r != first {
			rs = append(rs, r)
		}
	}
	return rs
}

// meshNamespaces select the mesh's application namespaces by the injection labels they carry:
// one peer per distinct label, since namespaces may follow different tags.
func (g *gen) meshNamespaces() []networkPolicyPeer {
	s := &g.cfg.Spec
	sel := map[string]map[string]string{}
	for i := range s.Namespaces {
		k, v := g.injection(&s.Namespaces[i])
		sel[k+"="+v] = map[string]string{k: v}
	}
	if len(sel) == 0 {
		k, v := g.injection(&api.Namespace{})
		sel[k+"="+v] = map[string]string{k: v}
	}
	var ps []networkPolicyPeer
	for _, kv := range slices.Sorted(maps.Keys(sel)) {
		ps = append(ps, networkPolicyPeer{NamespaceSelector: &labelSelector{MatchLabels: sel[kv]}})
	}
	return ps
}

// revisionNote tells in the cluster's README which control planes this render installs and
// where the tags point; empty for a mesh without tags.
func (g *gen) revisionNote() string {
	ist := &g.cfg.Spec.Istio
	if len(ist.Tags) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n\nRevisions:")
	for _, r := range ist.Revisions() {
		b.WriteString(" " + r.Revision + " (Istio " + r.Version + ")")
		if ts := g.revisionTags(r); len(ts) > 0 {
			b.WriteString(", tags " + strings.Join(ts, ", "))
		}
		b.WriteString(";")
	}
	gw := ist.Gateways()
	b.WriteString(" the gateways run on " + gw.Revision + ".")
	if ist.Canary != nil {
		b.WriteString("\nThis is a canary upgrade: two control planes, each with its istiod values in this folder.\n" +
			"Run these commands in order; the tags move with the next render. Pods created while a\n" +
			"tag moves may miss injection, and moved pods keep their sidecar: restart workloads afterwards.")
	}
	return b.String()
}
