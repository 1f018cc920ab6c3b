package gen

import (
	"strings"

	"github.com/meshgen/meshgen/pkg/api"
)

// An installer writes what installs Istio into one cluster, in steps at their places in the
// cluster's sequence (gen.each): the control plane, the east-west gateway (only when the mesh
// spans networks), and the cluster's README with the commands, in order. It writes objects, or
// files (Helm values, IstioOperator files) through g.file.
type installer struct {
	controlPlane func(*gen, *api.Cluster)
	eastWest     func(*gen, *api.Cluster)
	readme       func(*gen, *api.Cluster)
}

// installers by spec.istio.installer. Another installer is one file with its two functions and
// a row here, and its value in api.Installers; TestInstallersCoverAPI holds the two together.
var installers = map[string]installer{
	api.InstallerOperator: {controlPlane: (*gen).operatorControlPlane, eastWest: (*gen).operatorEastWest, readme: (*gen).operatorReadme},
	api.InstallerHelm:     {controlPlane: (*gen).helmControlPlane, eastWest: (*gen).helmEastWest, readme: (*gen).helmReadme},
	api.InstallerIstioctl: {controlPlane: (*gen).istioctlControlPlane, eastWest: (*gen).istioctlEastWest, readme: (*gen).istioctlReadme},
	api.InstallerSail:     {controlPlane: (*gen).sailControlPlane, eastWest: (*gen).helmEastWest, readme: (*gen).sailReadme},
}

// install is the mesh's installer.
func (g *gen) install(*api.Cluster) installer {
	return installers[g.cfg.Spec.Istio.Installer]
}

// installerInfo is what the user must do to install Istio, for gen.Info: one line.
func installerInfo(c *api.MeshConfig) []string {
	g := &gen{cfg: c}
	ist := &c.Spec.Istio
	switch ist.Installer {
	case api.InstallerOperator:
		return []string{"meshgen: spec.istio.installer operator: every cluster needs the Istio operator running before its IstioOperators are applied (" +
			strings.Join(g.operatorInits(), "; ") + "); each cluster's README.md says so"}
	case api.InstallerHelm:
		if c.Spec.Ambient() {
			return []string{ambientInfo(c)}
		}
		return []string{"meshgen: spec.istio.installer helm: Istio " + ist.Version + " is not applied with the objects: install the charts base, istiod and gateway (" +
			EastWestRelease + ") from " + HelmRepo + " with the values under <cluster>/helm/, in the order and with the helm commands of each cluster's README.md, after its first phase (1-base) and before the others; spec.gitops.tool argocd, flux or fleet installs them in that order"}
	case api.InstallerIstioctl:
		return []string{"meshgen: spec.istio.installer istioctl: Istio " + ist.Version + " is not applied with the objects: run istioctl install -f with the IstioOperator files under <cluster>/istioctl/ (local-config, not applied), in the order of each cluster's README.md, after its first phase (1-base) and before the others"}
	case api.InstallerSail:
		return []string{sailInfo(c)}
	}
	return nil
}
