package gen

import (
	"path"
	"strconv"

	"github.com/meshgen/meshgen/pkg/api"
)

// Argo CD runs once, in a hub cluster, with the mesh's clusters registered by name. The hub
// folder api.ArgoCDFolder holds per cluster one Application per phase folder and per Helm
// release, each at the sync wave of its phase, and in its subfolder ArgoCDRoot the root
// Application (app of apps) that syncs them. Waves order Applications only as resources of a
// parent Application, and only when Argo CD assesses an Application's health, which it
// stopped doing by default in 1.8: the README says how to restore it.

// Where the Applications live and the project they belong to: Argo CD's defaults.
const (
	argoCDNamespace = "argocd"
	argoCDProject   = "default"
)

// Argo CD's sync options and annotations meshgen sets.
const (
	syncWave = "argocd.argoproj.io/sync-wave"
	// skipDryRun: Istio's custom resources are checked against their CRD before a sync; the
	// CRDs arrive with the base chart (or the operator) in an earlier wave of the same rollout.
	skipDryRun = "SkipDryRunOnMissingResource=true"
	// serverSideApply: Istio's CRDs are too large for the last-applied annotation.
	serverSideApply = "ServerSideApply=true"
	createNamespace = "CreateNamespace=true"
)

// ArgoCDRoot is the hub folder's subfolder of the root Application, which the hub folder's
// kustomization.yaml does not list: the root is applied once by hand (the bootstrap) and does
// not manage itself, so that no sync of it can change or prune the Application that syncs.
const ArgoCDRoot = "root"

// inCluster is Argo CD's name for the cluster it runs in, the root's destination.
const inCluster = "https://kubernetes.default.svc"

func (g *gen) argoCD() {
	for _, h := range g.ops.clusters {
		for _, s := range h.steps {
			g.add(api.ArgoCDFolder, kApplication, g.application(h.cl, s))
		}
	}
	g.addIn(api.ArgoCDFolder, ArgoCDRoot, kApplication, g.argoCDRoot())
}

// argoCDRootFile is the root's file in the tree, for the bootstrap command.
func (g *gen) argoCDRootFile() string {
	return Object{Cluster: api.ArgoCDFolder, Dir: ArgoCDRoot, Namespace: argoCDNamespace, Kind: kApplication.Kind, Name: g.cfg.Metadata.Name}.Path()
}

// argoCDRoot is the app of apps, named after the mesh: it syncs the hub folder into Argo CD's
// namespace of the hub cluster, the child Applications in the order of their waves. Prune and
// self-heal as the children: an Application of a cluster or release that is gone is removed
// (without a finalizer, so what it installed stays in its cluster).
func (g *gen) argoCDRoot() *application {
	gs := &g.cfg.Spec.GitOps
	return &application{object: g.meta(argoCDNamespace, g.cfg.Metadata.Name), Spec: applicationSpec{
		Project:     argoCDProject,
		Source:      appSource{RepoURL: gs.RepoURL, TargetRevision: gs.Revision, Path: path.Join(gs.Path, api.ArgoCDFolder)},
		Destination: appDestination{Server: inCluster, Namespace: argoCDNamespace},
		SyncPolicy:  &syncPolicy{Automated: &automated{Prune: true, SelfHeal: true}},
	}}
}

func (g *gen) application(cl *api.Cluster, s step) *application {
	gs := &g.cfg.Spec.GitOps
	a := &application{object: g.hubMeta(argoCDNamespace, cl, s.name())}
	a.Annotations[syncWave] = strconv.Itoa(int(s.phase))
	a.Spec = applicationSpec{
		Project:     argoCDProject,
		Destination: appDestination{Name: api.GitOpsCluster(cl)},
		SyncPolicy:  &syncPolicy{Automated: &automated{Prune: true, SelfHeal: true}},
	}
	if r := s.release; r != nil {
		a.Spec.Source = appSource{RepoURL: HelmRepo, Chart: r.chart, TargetRevision: g.cfg.Spec.Istio.Version,
			Helm: &appHelm{ReleaseName: r.name, ValuesObject: r.values}}
		a.Spec.Destination.Namespace = r.namespace
		a.Spec.SyncPolicy.SyncOptions = []string{createNamespace}
		switch r.chart {
		case "base":
			a.Spec.SyncPolicy.SyncOptions = append(a.Spec.SyncPolicy.SyncOptions, serverSideApply)
			fallthrough
		case "istiod":
			// istiod sets the failure policy of its validating webhooks once it runs: not a drift.
			a.Spec.IgnoreDifferences = []ignoreDifferences{{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration",
				JQPathExpressions: []string{".webhooks[]?.failurePolicy"}}}
		}
		return a
	}
	a.Spec.Source = appSource{RepoURL: gs.RepoURL, TargetRevision: gs.Revision, Path: g.repoPath(cl, s.phase.Folder())}
	if s.istioCRs {
		a.Spec.SyncPolicy.SyncOptions = []string{skipDryRun}
	}
	return a
}
