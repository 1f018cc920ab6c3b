package gen

// Phase is the step of a cluster's rollout an object belongs to. A fresh cluster comes up by
// applying the phases in order: what a phase's objects need (their namespaces, their CRDs,
// istiod, the gateways) exists once the phases before it are in place. The tree writes each
// phase into its own folder (Folder), and the GitOps tools' objects order those folders.
type Phase uint8

// The phases, in rollout order. PhaseNone is a hub folder's (rancher), which has no phases.
const (
	PhaseNone Phase = iota
	// PhaseBase: namespaces, limits, trust (cacerts from cert-manager), the reader account, the
	// network policies, and the Istio CRDs (the base chart): everything istiod needs at start.
	PhaseBase
	// PhaseIstiod: the control plane.
	PhaseIstiod
	// PhaseGateways: the east-west gateway, the cross-network Gateway, the remote secrets and
	// what carries them (external-secrets), the ingress gateway.
	PhaseGateways
	// PhaseTraffic: the mesh's routing and security objects, ingress, certificates and DNS:
	// custom resources whose CRDs come with Istio or are prerequisites.
	PhaseTraffic
)

// Phases are the phases of a cluster folder, in rollout order.
var Phases = []Phase{PhaseBase, PhaseIstiod, PhaseGateways, PhaseTraffic}

var phaseFolders = [...]string{PhaseBase: "1-base", PhaseIstiod: "2-istiod", PhaseGateways: "3-gateways", PhaseTraffic: "4-traffic"}

// Folder is the phase's folder inside a cluster's folder; "" for PhaseNone.
func (p Phase) Folder() string {
	if int(p) >= len(phaseFolders) {
		return ""
	}
	return phaseFolders[p]
}

func (p Phase) String() string {
	if p == PhaseNone {
		return "none"
	}
	return p.Folder()
}

// PhaseOfFolder is the phase whose folder is name, PhaseNone when there is none.
func PhaseOfFolder(name string) Phase {
	for _, p := range Phases {
		if p.Folder() == name {
			return p
		}
	}
	return PhaseNone
}
