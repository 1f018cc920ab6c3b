package gen

import (
	"fmt"

	"github.com/meshgen/meshgen/pkg/api"
)

// The istioctl installer: the operator installer's two IstioOperators as files for istioctl
// install (<cluster>/istioctl/<name>.yaml), marked local-config and not in the kustomization,
// so nothing applies them; the cluster's README has the commands. Every version.

// LocalConfig is the annotation that keeps kustomize, kpt and meshgen's own sinks from
// applying a file.
const LocalConfig = "config.kubernetes.io/local-config"

func (g *gen) istioctlFile(cl *api.Cluster, op *istioOperator) {
	op.TypeMeta = TypeMeta{APIVersion: kIstioOperator.APIVersion(g.istioAPI), Kind: kIstioOperator.Kind}
	op.Annotations[LocalConfig] = "true"
	g.file(cl.Name, File{Name: istioctlFile(op), Value: op})
}

func istioctlFile(op *istioOperator) string { return "istioctl/" + op.Name + ".yaml" }

func (g *gen) istioctlControlPlane(cl *api.Cluster) {
	for _, r := range g.cfg.Spec.Istio.Revisions() {
		g.istioctlFile(cl, g.controlPlane(cl, r))
	}
}

func (g *gen) istioctlEastWest(cl *api.Cluster) { g.istioctlFile(cl, g.eastWestGateway(cl)) }

func (g *gen) istioctlReadme(cl *api.Cluster) {
	g.readme(cl, fmt.Sprintf("Istio %s is installed with istioctl (spec.istio.installer: istioctl). meshgen applies none of it:\n"+
		"the files under istioctl/ are IstioOperators for istioctl install, marked local-config and\n"+
		"not in kustomization.yaml. The rollout below runs istioctl install with them, with the\n"+
		"istioctl of Istio %s, after the first phase; a GitOps tool cannot: run them by hand once\n"+
		"the first phase is in place.%s",
		g.cfg.Spec.Istio.Version, g.cfg.Spec.Istio.Version, g.revisionNote()), g.istioctlCommands(cl))
}

// istioctlCommands install each control plane, then the east-west gateway when there is one.
// With two revisions each command says which release's istioctl runs it.
func (g *gen) istioctlCommands(cl *api.Cluster) []string {
	ist := &g.cfg.Spec.Istio
	out := g.ambientPrerequisites()
	install := func(r api.Rev, op *istioOperator) {
		if ist.Canary != nil {
			out = append(out, "# with the istioctl of Istio "+r.Version)
		}
		out = append(out, "istioctl install -y -f "+istioctlFile(op))
	}
	for _, r := range g.installOrder() {
		install(r, g.controlPlane(cl, r))
	}
	if g.hasEastWest(cl) && !g.ambient() {
		install(ist.Gateways(), g.eastWestGateway(cl))
	}
	return out
}
