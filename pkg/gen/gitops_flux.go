package gen

import "github.com/meshgen/meshgen/pkg/api"

// Flux runs in each cluster. Its objects live in <cluster>/flux/, which the cluster's
// kustomization.yaml does not list: it is what Flux is pointed at (flux bootstrap --path).
// One Kustomization per step: a phase folder, or a Helm release's folder flux/<release>/ with
// its HelmRelease, each waiting (dependsOn) for the steps of the phase before and for its own
// objects to be ready (wait), so istiod starts after cacerts and the CRDs, and the traffic
// objects come after the gateways.

const (
	fluxDir       = "flux"
	fluxNamespace = "flux-system"
	// fluxInterval is how often Flux reconciles; fluxRetry how soon after a failure.
	fluxInterval = "10m"
	fluxRetry    = "1m"
	fluxTimeout  = "10m"
	// createReplace: the base chart of older releases carries the CRDs in crds/, which Helm
	// installs once and never upgrades unless told.
	createReplace = "CreateReplace"
)

func (g *gen) flux(cl *api.Cluster, steps []step) {
	mesh := g.cfg.Metadata.Name
	repo := mesh + "-istio"
	if len(g.releases(cl)) > 0 {
		hr := &helmRepository{object: g.meta(fluxNamespace, repo)}
		hr.Spec.Interval, hr.Spec.URL = "1h", HelmRepo
		g.addIn(cl.Name, fluxDir, kHelmRepository, hr)
	}
	for _, s := range steps {
		k := &fluxKustomization{object: g.meta(fluxNamespace, mesh+"-"+s.name())}
		k.Spec = fluxKustomizationSpec{
			Interval: fluxInterval, RetryInterval: fluxRetry, Timeout: fluxTimeout,
			Path:      "./" + g.repoPath(cl, s.phase.Folder()),
			Prune:     true,
			Wait:      true,
			SourceRef: fluxRef{Kind: "GitRepository", Name: g.cfg.Spec.GitOps.FluxSource},
		}
		var after []fluxRef
		for _, b := range before(steps, s) {
			k.Spec.DependsOn = append(k.Spec.DependsOn, fluxRef{Name: mesh + "-" + b.name()})
			if b.release != nil {
				after = append(after, fluxRef{Name: mesh + "-" + b.name(), Namespace: fluxNamespace})
			}
		}
		if r := s.release; r != nil {
			dir := fluxDir + "/" + r.name
			k.Spec.Path = "./" + g.repoPath(cl, dir)
			h := &fluxHelmRelease{object: g.meta(fluxNamespace, mesh+"-"+r.name)}
			h.Spec = fluxHelmReleaseSpec{
				Interval: fluxInterval, ReleaseName: r.name, TargetNamespace: r.namespace, StorageNamespace: r.namespace,
				DependsOn: after,
				Install:   &fluxInstall{CreateNamespace: true},
				Values:    r.values,
			}
			h.Spec.Chart.Spec.Chart, h.Spec.Chart.Spec.Version = r.chart, g.cfg.Spec.Istio.Version
			h.Spec.Chart.Spec.SourceRef = fluxRef{Kind: "HelmRepository", Name: repo}
			if r.chart == "base" {
				h.Spec.Install.CRDs, h.Spec.Upgrade = createReplace, &fluxUpgrade{CRDs: createReplace}
			}
			g.addIn(cl.Name, dir, kHelmRelease, h)
		}
		g.addIn(cl.Name, fluxDir, kFluxKustomization, k)
	}
}
