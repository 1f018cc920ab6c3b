package gen

import (
	"fmt"

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

// sailName is the Istio's name: the revision, or default. Sail turns the name default into
// the empty revision and any other name into values.revision itself, so values carry none.
func (g *gen) sailName() string {
	if r := g.cfg.Spec.Istio.Revision; r != "" {
		return r
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

// sailIstio is the cluster's Istio: the helm installer's istiod values without what Sail sets
// (revision, global.istioNamespace) or takes from spec (profile).
func (g *gen) sailIstio(cl *api.Cluster) *sailIstio {
	ist := &g.cfg.Spec.Istio
	o := &sailIstio{object: g.meta("", g.sailName())}
	gl := g.global(cl)
	v := &istiodValues{Global: &helmGlobal{Hub: ist.Hub, Tag: ist.Version, MeshID: gl.MeshID, MultiCluster: gl.MultiCluster, Network: gl.Network}}
	if ist.CNI {
		v.Pilot = &pilotValues{CNI: &component{Enabled: true}}
	}
	o.Spec = sailIstioSpec{Version: api.SailVersion(ist.Version), Namespace: g.cpNamespace(), Profile: g.sailProfile(),
		UpdateStrategy: &sailUpdateStrategy{Type: "InPlace"}, Values: v}
	return o
}

// sailControlPlane adds the Istio, the IstioCNI when CNI is on (in the control-plane
// namespace, as the other installers put the CNI agent, which is privileged there already),
// and the ingress gateway's values; helmEastWest writes the east-west gateway's.
func (g *gen) sailControlPlane(cl *api.Cluster) {
	ist := &g.cfg.Spec.Istio
	if ist.CNI {
		cni := &sailIstioCNI{object: g.meta("", "default")}
		cni.Spec = sailCNISpec{Version: api.SailVersion(ist.Version), Namespace: g.cpNamespace(), Profile: g.sailProfile(),
			Values: &baseValues{Global: &helmGlobal{Hub: ist.Hub, Tag: ist.Version}}}
		g.add(cl.Name, kSailIstioCNI, cni)
	}
	g.add(cl.Name, kSailIstio, g.sailIstio(cl))
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
	r, _ := api.SailFor(c.Spec.Istio.Version)
	return "helm upgrade --install sail-operator sail-operator --repo " + SailRepo + " --version " + r.Release +
		" --namespace sail-operator --create-namespace --wait"
}

func (g *gen) sailReadme(cl *api.Cluster) {
	r, _ := api.SailFor(g.cfg.Spec.Istio.Version)
	// The Istio is an object of 2-istiod; the gateways wait for its istiod, before 3-gateways.
	after := []string{"kubectl wait --for=condition=Ready istios.sailoperator.io/" + g.sailName() + " --timeout=10m"}
	for _, gw := range g.sailGateways(cl) {
		after = append(after, g.helmCommand(gw))
	}
	g.readme(cl, fmt.Sprintf("Istio %s is installed by the Sail operator (spec.istio.installer: sail) from the Istio\n"+
		"object %s in %s/ (and the IstioCNI default there when CNI is on). Prerequisite: the Sail\n"+
		"operator %s, the newest release that installs Istio %s: from its Helm chart as below,\n"+
		"or on OpenShift from OperatorHub; its chart brings the Istio CRDs. Sail installs no\n"+
		"gateways: the files under helm/ are the values of the gateway chart releases, installed\n"+
		"once istiod is ready, before the phases that follow (a GitOps tool installs them as releases).",
		g.cfg.Spec.Istio.Version, g.sailName(), PhaseIstiod.Folder(), r.Release, g.cfg.Spec.Istio.Version), []string{sailOperatorInstall(g.cfg)})
	g.ops.readme.after = map[Phase][]string{PhaseIstiod: after}
}

// sailInfo is the sail installer's info line.
func sailInfo(c *api.MeshConfig) string {
	return "meshgen: spec.istio.installer sail: every cluster needs the Sail operator running before its Istio object is applied (" +
		sailOperatorInstall(c) + "); the gateways are Helm releases with the values under <cluster>/helm/, installed once istiod is ready; each cluster's README.md has the commands in order"
}
