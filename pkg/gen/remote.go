package gen

import (
	"encoding/json"
	"net/netip"

	networking "istio.io/api/networking/v1alpha3"

	"github.com/meshgen/meshgen/pkg/api"
)

// Primary-remote (api/primary.go): a remote gets the remote profile, which installs no istiod
// but a Service named istiod whose endpoint is the primary's east-west address, and the
// injection webhook behind it; the primary exposes its istiod on its east-west gateway and
// runs it with EXTERNAL_ISTIOD, so it manages the remotes whose control-plane namespace names
// it in topology.istio.io/controlPlaneClusters. Istio's "Install Primary-Remote" guides do the
// same, for clusters on one network and on two.

// Annotation of a remote's control-plane namespace: the primary's istiod (EXTERNAL_ISTIOD)
// patches the remote's webhooks and writes its namespaces' root-certificate ConfigMaps only for
// a remote that names it here (Istio 1.14 on; older releases ignore it).
const controlPlaneClusters = "topology.istio.io/controlPlaneClusters"

// externalIstiod is istiod's switch to manage remote clusters as well as its own. The pilot
// env map holds it in every release; global.externalIstiod only in newer charts.
var externalIstiod = map[string]string{"EXTERNAL_ISTIOD": "true"}

// hasEastWest tells whether the cluster gets an east-west gateway: every cluster when the mesh
// spans networks, and a primary with remotes on one network, whose remotes reach its istiod
// there.
func (g *gen) hasEastWest(cl *api.Cluster) bool {
	return g.multiNetwork || g.exposesIstiod(cl)
}

// exposesIstiod: the cluster is a primary with remotes.
func (g *gen) exposesIstiod(cl *api.Cluster) bool { return len(g.cfg.Spec.Remotes(cl)) > 0 }

// remotePilot is a remote's primary istiod address: its east-west gateway's.
func (g *gen) remotePilot(cl *api.Cluster) string {
	if p := g.cfg.Spec.Cluster(cl.Primary); p != nil {
		return p.EastWestAddress
	}
	return ""
}

// injectionPath is the path of a remote's injection webhook on the primary's istiod: the
// injector gives the remote's pods the remote's cluster ID and network from it, not its own.
func injectionPath(cl *api.Cluster) string {
	return "/inject/cluster/" + cl.Name + "/net/" + cl.Network
}

// helmTopology sets the istiod chart's values of a remote, or of a primary with remotes.
func (g *gen) helmTopology(cl *api.Cluster, iv *istiodValues) {
	switch {
	case cl.Remote():
		iv.Profile = api.ProfileRemote
		iv.Global.RemotePilotAddress = g.remotePilot(cl)
		// As Istio's guide installs a remote with Helm: the remote's own Istio configuration
		// is validated by the primary's istiod through the webhook this installs.
		iv.Global.ConfigCluster = true
		iv.IstiodRemote = &istiodRemote{InjectionPath: injectionPath(cl)}
	case g.exposesIstiod(cl):
		if iv.Pilot == nil {
			iv.Pilot = &pilotValues{}
		}
		iv.Pilot.Env = externalIstiod
	}
}

// operatorTopology sets the control-plane IstioOperator of a remote, or of a primary with
// remotes (operator and istioctl installers).
func (g *gen) operatorTopology(cl *api.Cluster, op *istioOperator) {
	switch {
	case cl.Remote():
		op.Spec.Profile = api.ProfileRemote
		op.Spec.Values.Global.RemotePilotAddress = g.remotePilot(cl)
		op.Spec.Values.IstiodRemote = &istiodRemote{InjectionPath: injectionPath(cl)}
	case g.exposesIstiod(cl):
		op.Spec.Values.Pilot = &pilotValues{Env: externalIstiod}
	}
}

// remoteNamespace names the remote's primary on its control-plane namespace.
func (g *gen) remoteNamespace(cl *api.Cluster, ns *namespace) {
	if cl.Remote() {
		ns.Annotations[controlPlaneClusters] = cl.Primary
	}
}

// exposeIstiod writes, in a primary with remotes, Istio's expose-istiod Gateway and
// VirtualService (samples/multicluster/expose-istiod.yaml): TLS passthrough on the east-west
// gateway's 15012 (xDS and certificates) and 15017 (webhooks) to istiod's 15012 and 443.
func (g *gen) exposeIstiod(cl *api.Cluster) {
	if !g.exposesIstiod(cl) {
		return
	}
	host := g.istiodService() + "." + g.cpNamespace() + ".svc.cluster.local"
	gw := &gateway{object: g.meta(g.cpNamespace(), "istiod-gateway")}
	gw.Spec = g.spec(specKey{kind: "istiod-gateway"}, func() json.Marshaler {
		server := func(name string, port uint32) *networking.Server {
			return &networking.Server{
				Port:  &networking.Port{Number: port, Name: name, Protocol: "TLS"},
				Tls:   &networking.ServerTLSSettings{Mode: networking.ServerTLSSettings_PASSTHROUGH},
				Hosts: []string{"*"},
			}
		}
		return &networking.Gateway{
			Selector: eastWestSelector,
			Servers:  []*networking.Server{server("tls-istiod", istiodPort), server("tls-istiodwebhook", webhookPort)},
		}
	})
	// Istiod must run before anything can be passed to it: with the gateways.
	g.addAt(cl.Name, PhaseGateways, kGateway, gw)

	vs := &virtualService{object: g.meta(g.cpNamespace(), "istiod-vs")}
	vs.Spec = g.spec(specKey{kind: "istiod-vs"}, func() json.Marshaler {
		route := func(from, to uint32) *networking.TLSRoute {
			return &networking.TLSRoute{
				Match: []*networking.TLSMatchAttributes{{Port: from, SniHosts: []string{"*"}}},
				Route: []*networking.RouteDestination{{Destination: &networking.Destination{Host: host, Port: &networking.PortSelector{Number: to}}}},
			}
		}
		return &networking.VirtualService{
			Hosts:    []string{"*"},
			Gateways: []string{"istiod-gateway"},
			Tls:      []*networking.TLSRoute{route(istiodPort, istiodPort), route(webhookPort, istiodWebhookService)},
		}
	})
	g.addAt(cl.Name, PhaseGateways, kVirtualService, vs)
}

// istiodWebhookService is the port of istiod's Service that serves the webhooks (15017 on
// the pod).
const istiodWebhookService = 443

// istiodService is the name of istiod's Service: istiod-<revision> with a revision.
func (g *gen) istiodService() string {
	if r := g.cfg.Spec.Istio.Revision; r != "" {
		return "istiod-" + r
	}
	return "istiod"
}

// istiodPeers are where a cluster's proxies reach istiod, for NetworkPolicies: istiod's pods
// in a primary; in a remote the primary's east-west address, a single address when it is an
// IP (NetworkPolicies see the address after the Service's translation), and anywhere when it
// is a name, which a NetworkPolicy cannot hold.
func (g *gen) istiodPeers(cl *api.Cluster, local networkPolicyPeer) []networkPolicyPeer {
	if !cl.Remote() {
		return []networkPolicyPeer{local}
	}
	if a, err := netip.ParseAddr(g.remotePilot(cl)); err == nil {
		return []networkPolicyPeer{{IPBlock: &ipBlock{CIDR: netip.PrefixFrom(a, a.BitLen()).String()}}}
	}
	return nil
}

// istiodRemote is the istiod chart's (and the IstioOperator's) istiodRemote values.
type istiodRemote struct {
	InjectionPath string `json:"injectionPath,omitempty"`
}

// remoteReadme adds to a remote's README what comes before its installation: the primary's.
// The control-plane namespace with its network and its primary, which the primary's istiod
// reads when it attaches the remote, is in the base phase, which the rollout applies first.
func (g *gen) remoteReadme(cl *api.Cluster, intro string, commands []string) (string, []string) {
	if !cl.Remote() {
		return intro, commands
	}
	intro = "This cluster is a remote of " + cl.Primary + ": it runs no istiod. Install " + cl.Primary + " first; its istiod,\n" +
		"exposed on its east-west gateway at " + g.remotePilot(cl) + " (15012, 15017), configures this cluster's\n" +
		"proxies and injects their sidecars, and reads this cluster's API server through its remote secret.\n\n" + intro
	// The rollout applies the base phase, with the namespace, before these commands.
	return intro, commands
}
