package gen

import "github.com/meshgen/meshgen/pkg/api"

// An installer writes what installs Istio into one cluster, in two steps at their places in
// the cluster's sequence (gen.each): the control plane, and the east-west gateway. It writes
// objects, or files (Helm values, a README with the commands) through g.file.
type installer struct {
	controlPlane func(*gen, *api.Cluster)
	eastWest     func(*gen, *api.Cluster)
}

// installers by spec.istio.installer. Another installer is one file with its two functions and
// a row here, and its value in api.Installers; TestInstallersCoverAPI holds the two together.
var installers = map[string]installer{
	api.InstallerOperator: {controlPlane: (*gen).controlPlane, eastWest: (*gen).eastWestGateway},
}

// install is the mesh's installer.
func (g *gen) install(*api.Cluster) installer {
	return installers[g.cfg.Spec.Istio.Installer]
}
