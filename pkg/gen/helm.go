package gen

import (
	"fmt"

	"github.com/meshgen/meshgen/pkg/api"
)

// The helm installer: the values of Istio's charts as plain files (<cluster>/helm/<release>.values.yaml),
// and the helm commands that install them in order in the cluster's README. Nothing of it is
// applied with the phases: the GitOps tools install the releases (gitops.go) with the same
// values inline.

// HelmRepo is the repository of Istio's released charts.
const HelmRepo = "https://istio-release.storage.googleapis.com/charts"

// Release names of the east-west and the ingress gateway; the charts' own for the rest.
const (
	EastWestRelease = "istio-eastwestgateway"
	IngressRelease  = "istio-ingressgateway"
)

// helmRelease is one chart release of a cluster: what helm upgrade --install gets.
type helmRelease struct {
	name, chart, namespace string
	// version is the chart's, the Istio release of the revision it installs.
	version string
	values  any
}

func (r helmRelease) file() string { return "helm/" + r.name + ".values.yaml" }

// Values of the istiod chart (istio-control/istio-discovery): the same settings as the operator's
// control-plane IstioOperator.
type istiodValues struct {
	Profile      string       `json:"profile,omitempty"`
	Revision     string       `json:"revision,omitempty"`
	RevisionTags []string     `json:"revisionTags,omitempty"`
	Global       *helmGlobal  `json:"global"`
	Pilot        *pilotValues `json:"pilot,omitempty"`
	// Env are istiod's environment variables (ambient's multi-network switch).
	Env map[string]string `json:"env,omitempty"`
	// IstiodRemote is a remote's injection webhook (remote.go).
	IstiodRemote *istiodRemote `json:"istiodRemote,omitempty"`
}

type helmGlobal struct {
	Hub          string        `json:"hub,omitempty"`
	Tag          string        `json:"tag,omitempty"`
	MeshID       string        `json:"meshID,omitempty"`
	MultiCluster *multiCluster `json:"multiCluster,omitempty"`
	Network      string        `json:"network,omitempty"`
	// IstioNamespace is where istiod runs (base chart, gateways: istiod's address).
	IstioNamespace string `json:"istioNamespace,omitempty"`
	// A remote's primary istiod, and the remote as a config cluster (remote.go).
	RemotePilotAddress string `json:"remotePilotAddress,omitempty"`
	ConfigCluster      bool   `json:"configCluster,omitempty"`
}

type pilotValues struct {
	CNI *component        `json:"cni,omitempty"`
	Env map[string]string `json:"env,omitempty"`
}

// Values of the base chart (the CRDs and the cluster-wide objects) and the cni chart.
type baseValues struct {
	Profile  string `json:"profile,omitempty"`
	Revision string `json:"revision,omitempty"`
	// DefaultRevision (base chart): the revision istiod-default-validator calls.
	DefaultRevision string      `json:"defaultRevision,omitempty"`
	Global          *helmGlobal `json:"global"`
}

// Values of the gateway chart. networkGateway makes the chart label the Service and the pods
// with the network and set ISTIO_META_REQUESTED_NETWORK_VIEW; the chart refuses the network
// label in labels too (a duplicate key), so labels holds app and istio only.
type gatewayChartValues struct {
	Revision       string            `json:"revision,omitempty"`
	NetworkGateway string            `json:"networkGateway,omitempty"`
	Labels         map[string]string `json:"labels"`
	Service        *gatewayService   `json:"service,omitempty"`
}

// helmReleases are the cluster's releases in the order they must be installed.
func (g *gen) helmReleases(cl *api.Cluster) []helmRelease {
	ist := &g.cfg.Spec.Istio
	ns := g.cpNamespace()
	// The charts know the profiles besides the default one (no profile: files/profile-<name>.yaml).
	profile := ist.Profile
	if profile == api.DefaultProfile {
		profile = ""
	}
	if cl.Remote() {
		profile = api.ProfileRemote // the base chart's remote profile, as Istio's guide installs it
	}
	global := func(version string) *helmGlobal {
		return &helmGlobal{Hub: ist.Hub, Tag: version, IstioNamespace: ns}
	}
	// The base chart (the CRDs) of the newest release, first; the CNI agent and the gateways
	// on the revision of the gateways (see revisions.go).
	gw, base := ist.Gateways(), g.newest()
	rs := []helmRelease{{name: "istio-base", chart: "base", namespace: ns, version: base.Version,
		values: &baseValues{Profile: profile, Revision: gw.Revision, DefaultRevision: g.defaultRevision(), Global: global(base.Version)}}}
	if ist.CNI {
		rs = append(rs, helmRelease{name: "istio-cni", chart: "cni", namespace: ns, version: gw.Version,
			values: &baseValues{Profile: profile, Revision: gw.Revision, Global: global(gw.Version)}})
	}
	for _, r := range ist.Revisions() {
		gl := global(r.Version)
		gl.MeshID, gl.MultiCluster, gl.Network = g.cfg.Spec.MeshID, &multiCluster{ClusterName: cl.Name, Enabled: true}, cl.Network
		iv := &istiodValues{Profile: profile, Revision: r.Revision, RevisionTags: g.revisionTags(r), Global: gl}
		if ist.CNI {
			iv.Pilot = &pilotValues{CNI: &component{Enabled: true}}
		}
		g.helmTopology(cl, iv)
		rs = append(rs, helmRelease{name: revisionName("istiod", r), chart: "istiod", namespace: ns, version: r.Version, values: iv})
	}
	rs = g.ambientReleases(rs)
	if g.hasEastWest(cl) && !g.ambient() {
		rs = append(rs, g.helmEastWestRelease(cl))
	}
	if g.anyIngress() {
		rs = append(rs, g.helmIngressRelease())
	}
	return rs
}

// helmIngressRelease is the ingress gateway's release: only when a service has ingress.
func (g *gen) helmIngressRelease() helmRelease {
	gw := g.cfg.Spec.Istio.Gateways()
	return helmRelease{name: IngressRelease, chart: "gateway", namespace: g.cpNamespace(), version: gw.Version, values: &gatewayChartValues{
		Revision: gw.Revision,
		Labels:   map[string]string{"istio": ingressSelector["istio"], "app": IngressRelease},
	}}
}

// helmEastWestRelease is the east-west gateway's release: only when the mesh spans networks.
func (g *gen) helmEastWestRelease(cl *api.Cluster) helmRelease {
	gw := g.cfg.Spec.Istio.Gateways()
	return helmRelease{name: EastWestRelease, chart: "gateway", namespace: g.cpNamespace(), version: gw.Version, values: &gatewayChartValues{
		Revision:       gw.Revision,
		NetworkGateway: cl.Network,
		Labels:         map[string]string{"istio": "eastwestgateway", "app": EastWestRelease},
		Service:        &gatewayService{Ports: eastWestPorts()},
	}}
}

// eastWestPorts are the east-west gateway's Service ports, in every installer.
func eastWestPorts() []servicePort {
	return []servicePort{
		gatewayPort("status-port", statusPort),
		gatewayPort("tls", mtlsPort),
		gatewayPort("tls-istiod", istiodPort),
		gatewayPort("tls-webhook", webhookPort),
	}
}

func (g *gen) anyIngress() bool {
	for i := range g.cfg.Spec.Services {
		if g.cfg.Spec.Services[i].Ingress != nil {
			return true
		}
	}
	return false
}

// helmControlPlane writes the values of every release of the cluster but the east-west
// gateway's, which helmEastWest writes; helmReadme the README.
func (g *gen) helmControlPlane(cl *api.Cluster) {
	for _, r := range g.helmReleases(cl) {
		if r.name != EastWestRelease {
			g.file(cl.Name, File{Name: r.file(), Value: r.values})
		}
	}
}

func (g *gen) helmEastWest(cl *api.Cluster) {
	r := g.helmEastWestRelease(cl)
	g.file(cl.Name, File{Name: r.file(), Value: r.values})
}

func (g *gen) helmReadme(cl *api.Cluster) {
	first := "the control-plane namespace " + g.cpNamespace() + " and cacerts"
	if cl.Remote() {
		first = "the control-plane namespace " + g.cpNamespace() + "; a remote has no cacerts"
	}
	g.readme(cl, fmt.Sprintf("Istio %s is installed with Helm (spec.istio.installer: helm): the files under helm/ are the\n"+
		"values of each chart release, not objects. A GitOps tool (spec.gitops.tool) installs the\n"+
		"releases with the same values inline; without one, the helm commands of the rollout below\n"+
		"do, after the first phase (%s), in their order.%s",
		g.cfg.Spec.Istio.Version, first, g.revisionNote()), g.helmCommands(cl))
}

// helmCommands are the helm commands that install the cluster's releases, in order, run from
// the cluster's folder after its first phase, which holds the control-plane namespace.
func (g *gen) helmCommands(cl *api.Cluster) []string {
	var out []string
	out = append(out, g.ambientPrerequisites()...)
	for _, r := range g.helmReleases(cl) {
		out = append(out, g.helmCommand(r))
	}
	return out
}

// helmCommand installs one release of Istio's charts, run from the cluster's folder.
func (g *gen) helmCommand(r helmRelease) string {
	return fmt.Sprintf("helm upgrade --install %s %s --repo %s --version %s --namespace %s -f %s --wait",
		r.name, r.chart, HelmRepo, r.version, r.namespace, r.file())
}

// readme keeps the installer's part of the cluster's README: what installs Istio, and the
// commands that do it, in order. gitops writes the README once the cluster is complete, with
// the commands at their place in the rollout (writeReadme).
func (g *gen) readme(cl *api.Cluster, intro string, commands []string) {
	intro, commands = g.remoteReadme(cl, intro, commands)
	g.ops.readme = &readmePart{intro: intro, commands: commands}
}
