package gen

import "github.com/meshgen/meshgen/pkg/api"

// Fleet (Rancher's continuous delivery) turns every folder with a fleet.yaml into a bundle.
// Each phase folder gets one (its kustomization.yaml is what Fleet deploys), each Helm release
// a folder fleet/<release>/ with a fleet.yaml naming the chart, version and values. Every bundle
// carries the mesh, cluster and phase as labels and depends (a selector) on the bundles of the
// phase before. The hub folder api.FleetFolder holds a GitRepo per cluster, in Fleet's
// workspace, listing exactly those folders: the cluster's own folder, whose kustomization.yaml
// holds every phase, would otherwise be one more bundle with all of them.

// fleetWorkspace is the namespace of Rancher's (and Fleet's multi-cluster) GitRepos.
const fleetWorkspace = "fleet-default"

// fleetFile is the bundle file of a folder.
const fleetFile = "fleet.yaml"

func (g *gen) fleetLabels(cl *api.Cluster, p Phase) map[string]string {
	return map[string]string{MeshAnnotation: g.cfg.Metadata.Name, ClusterLabel: cl.Name, PhaseLabel: p.Folder()}
}

// fleetDir is a step's folder inside the cluster's.
func fleetDir(s step) string {
	if s.release != nil {
		return "fleet/" + s.release.name
	}
	return s.phase.Folder()
}

func (g *gen) fleetBundles(cl *api.Cluster, steps []step) {
	for _, s := range steps {
		f := &fleetYAML{Labels: g.fleetLabels(cl, s.phase)}
		if bs := before(steps, s); len(bs) > 0 {
			f.DependsOn = []fleetDependency{{Selector: labelSelector{MatchLabels: g.fleetLabels(cl, bs[0].phase)}}}
		}
		if r := s.release; r != nil {
			f.DefaultNamespace = r.namespace
			f.Helm = &fleetHelm{Repo: HelmRepo, Chart: r.chart, Version: g.cfg.Spec.Istio.Version, ReleaseName: r.name, Values: r.values}
		}
		g.file(cl.Name, File{Name: fleetDir(s) + "/" + fleetFile, Value: f})
	}
}

func (g *gen) fleetRepos() {
	gs := &g.cfg.Spec.GitOps
	for _, h := range g.ops.clusters {
		r := &gitRepo{object: g.hubMeta(fleetWorkspace, h.cl, "")}
		r.Spec = gitRepoSpec{Repo: gs.RepoURL, Branch: gs.Revision, Targets: []fleetTarget{{ClusterName: api.GitOpsCluster(h.cl)}}}
		for _, s := range h.steps {
			r.Spec.Paths = append(r.Spec.Paths, g.repoPath(h.cl, fleetDir(s)))
		}
		g.add(api.FleetFolder, kGitRepo, r)
	}
}
