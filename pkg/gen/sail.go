package gen

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/meshgen/meshgen/pkg/api"
)

// The sail installer: a sailoperator.io/v1 Istio per cluster (and IstioCNI when CNI is on),
// applied with the cluster's folder, that the Sail operator installs with Istio's own charts;
// spec.values are those charts' values, so they are the helm installer's istiod values. Sail
// installs no gateways: they are the helm installer's gateway releases, installed once istiod
// is ready. The Sail operator itself is a prerequisite (its Helm chart ships the Istio CRDs).

// SailRepo is the Helm repository of the Sail operator's chart.
const SailRepo = "https://istio-ecosystem.github.io/sail-operator"

// sailoperator.io/v1 Istio, cluster-scoped.
type sailIstio struct {
	object `json:",inline"`
	Spec   sailIstioSpec `json:"spec"`
}

type sailIstioSpec struct {
	Version   string `json:"version"`
	Namespace string `json:"namespace"`
	Profile   string `json:"profile,omitempty"`
	// UpdateStrategy is InPlace, stated: only then is the IstioRevision named after the Istio,
	// which makes the Istio's name the revision (RevisionBased appends the version).
	UpdateStrategy *sailUpdateStrategy `json:"updateStrategy,omitempty"`
	Values         *istiodValues       `json:"values,omitempty"`
}

type sailUpdateStrategy struct {
	Type string `json:"type"`
}

// sailoperator.io/v1 IstioCNI, cluster-scoped; Sail accepts only the name default.
type sailIstioCNI struct {
	object `json:",inline"`
	Spec   sailCNISpec `json:"spec"`
}

type sailCNISpec struct {
	Version   string      `json:"version"`
	Namespace string      `json:"namespace"`
	Profile   string      `json:"profile,omitempty"`
	Values    *baseValues `json:"values,omitempty"`
}

// sailoperator.io/v1 IstioRevisionTag, cluster-scoped: Sail installs the tag's webhook
// (istio-revision-tag-<tag>) for the revision of its target, and for the tag default also the
// default validating webhook and the injection of istio-injection=enabled namespaces.
type sailRevisionTag struct {
	object `json:",inline"`
	Spec   sailRevisionTagSpec `json:"spec"`
}

type sailRevisionTagSpec struct {
	TargetRef sailTargetRef `json:"targetRef"`
}

type sailTargetRef struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// sailName is the name of a revision's Istio: the revision, or default. Sail turns the name
// default into the empty revision and any other name into values.revision itself, so values
// carry none.
func sailName(r api.Rev) string {
	if r.Revision != "" {
		return r.Revision
	}
	return "default"
}

// sailProfile is the profile to set: none for the default one, which Sail always applies.
func (g *gen) sailProfile() string {
	if p := g.cfg.Spec.Istio.Profile; p != api.DefaultProfile {
		return p
	}
	return ""
}

// sailIstio is the Istio of one revision: the helm installer's istiod values of that revision
// without what Sail sets (revision, global.istioNamespace, revisionTags from the
// IstioRevisionTags) or takes from spec (profile).
func (g *gen) sailIstio(cl *api.Cluster, r api.Rev) *sailIstio {
	ist := &g.cfg.Spec.Istio
	o := &sailIstio{object: g.meta("", sailName(r))}
	gl := g.global(cl)
	v := &istiodValues{Global: &helmGlobal{Hub: ist.Hub, Tag: r.Version, MeshID: gl.MeshID, MultiCluster: gl.MultiCluster, Network: gl.Network}}
	if ist.CNI {
		v.Pilot = &pilotValues{CNI: &component{Enabled: true}}
	}
	o.Spec = sailIstioSpec{Version: api.SailVersion(r.Version), Namespace: g.cpNamespace(), Profile: g.sailProfile(),
		UpdateStrategy: &sailUpdateStrategy{Type: "InPlace"}, Values: v}
	return o
}

// sailControlPlane adds an Istio per revision (a canary upgrade is two Istios, each InPlace
// and named after its revision: see the README's canary section), an IstioRevisionTag per tag,
// the IstioCNI when CNI is on (in the control-plane namespace, as the other installers put the
// CNI agent, which is privileged there already; on the gateways' release, as with helm), and
// the ingress gateway's values; helmEastWest writes the east-west gateway's.
func (g *gen) sailControlPlane(cl *api.Cluster) {
	ist := &g.cfg.Spec.Istio
	if ist.CNI {
		gw := ist.Gateways()
		cni := &sailIstioCNI{object: g.meta("", "default")}
		cni.Spec = sailCNISpec{Version: api.SailVersion(gw.Version), Namespace: g.cpNamespace(), Profile: g.sailProfile(),
			Values: &baseValues{Global: &helmGlobal{Hub: ist.Hub, Tag: gw.Version}}}
		g.add(cl.Name, kSailIstioCNI, cni)
	}
	for _, r := range ist.Revisions() {
		g.add(cl.Name, kSailIstio, g.sailIstio(cl, r))
	}
	for _, t := range slices.Sorted(maps.Keys(ist.Tags)) {
		// The target is the Istio, not its IstioRevision: with InPlace both have the revision's
		// name, and Sail follows an Istio's active revision.
		tag := &sailRevisionTag{object: g.meta("", t), Spec: sailRevisionTagSpec{TargetRef: sailTargetRef{Kind: kSailIstio.Kind, Name: ist.Tags[t]}}}
		g.add(cl.Name, kSailRevisionTag, tag)
	}
	if g.anyIngress() {
		r := g.helmIngressRelease()
		g.file(cl.Name, File{Name: r.file(), Value: r.values})
	}
}

// sailGateways are the gateway releases, east-west first.
func (g *gen) sailGateways(cl *api.Cluster) []helmRelease {
	var rs []helmRelease
	if g.multiNetwork {
		rs = append(rs, g.helmEastWestRelease(cl))
	}
	if g.anyIngress() {
		rs = append(rs, g.helmIngressRelease())
	}
	return rs
}

// sailOperatorInstall installs the Sail operator release that installs the mesh's Istio.
func sailOperatorInstall(c *api.MeshConfig) string {
	r, _ := c.Spec.Istio.SailRelease()
	return "helm upgrade --install sail-operator sail-operator --repo " + SailRepo + " --version " + r.Release +
		" --namespace sail-operator --create-namespace --wait"
}

func (g *gen) sailReadme(cl *api.Cluster) {
	ist := &g.cfg.Spec.Istio
	r, _ := ist.SailRelease()
	// The Istios are objects of 2-istiod; the gateways wait for their istiods, before 3-gateways.
	var after, names []string
	for _, rev := range ist.Revisions() {
		names = append(names, sailName(rev))
		after = append(after, "kubectl wait --for=condition=Ready istios.sailoperator.io/"+sailName(rev)+" --timeout=10m")
	}
	for _, gw := range g.sailGateways(cl) {
		after = append(after, g.helmCommand(gw))
	}
	g.readme(cl, fmt.Sprintf("Istio %s installed by the Sail operator (spec.istio.installer: sail) from the Istio\n"+
		"%s in %s/ (and the IstioCNI default there when CNI is on). Prerequisite: the Sail\n"+
		"operator %s, the newest release that installs Istio %s: from its Helm chart as below,\n"+
		"or on OpenShift from OperatorHub; its chart brings the Istio CRDs. Sail installs no\n"+
		"gateways: the files under helm/ are the values of the gateway chart releases, installed\n"+
		"once istiod is ready, before the phases that follow (a GitOps tool installs them as releases).%s",
		sailVersions(ist)+verb(len(names)), plural("object", names), PhaseIstiod.Folder(), r.Release, sailVersions(ist), g.sailRevisionNote()), []string{sailOperatorInstall(g.cfg)})
	g.ops.readme.after = map[Phase][]string{PhaseIstiod: after}
}

// plural is "object a" or "objects a and b".
func plural(noun string, names []string) string {
	if len(names) > 1 {
		noun += "s"
	}
	return noun + " " + strings.Join(names, " and ")
}

// verb is " is" or " are" for n control planes.
func verb(n int) string {
	if n > 1 {
		return " are"
	}
	return " is"
}

// sailVersions are the Istio releases of the mesh's control planes, for the README.
func sailVersions(ist *api.Istio) string {
	var vs []string
	for _, r := range ist.Revisions() {
		vs = append(vs, r.Version)
	}
	return strings.Join(vs, " and ")
}

// sailRevisionNote is revisionNote with the IstioRevisionTags and how a revision goes: Sail
// uninstalls a control plane when its Istio is deleted, and meshgen deletes nothing.
func (g *gen) sailRevisionNote() string {
	n := g.revisionNote()
	if n == "" {
		return ""
	}
	return n + "\nThe tags are IstioRevisionTag objects in " + PhaseIstiod.Folder() + "/. A revision that a later render no longer has\n" +
		"keeps running until you delete its Istio (kubectl delete istios.sailoperator.io <revision>,\n" +
		"once nothing runs on it; a GitOps tool that prunes does it when the render drops it)."
}

// sailInfo is the sail installer's info line.
func sailInfo(c *api.MeshConfig) string {
	return "meshgen: spec.istio.installer sail: every cluster needs the Sail operator running before its Istio object is applied (" +
		sailOperatorInstall(c) + "); the gateways are Helm releases with the values under <cluster>/helm/, installed once istiod is ready; each cluster's README.md has the commands in order"
}
