package gen

import (
	"fmt"
	"path"
	"strings"

	"github.com/meshgen/meshgen/pkg/api"
)

// The GitOps tools (spec.gitops.tool) roll a cluster out in the order of its phases. What a
// tool rolls out is a list of steps: each phase's folder, and each Helm release at the phase it
// belongs to (the base chart's CRDs with the namespaces, istiod with the control plane, the
// gateways with the gateways). A step waits for every step of the phase before it that has
// any; the tools say so their own way (gitops_argocd.go, gitops_flux.go, gitops_fleet.go).
// With every tool, each cluster's README lists the prerequisites and the same order by hand.

// step is one unit of a cluster's rollout: a phase folder, or a Helm release.
type step struct {
	phase Phase
	// release is the Helm release of the step; nil for the phase's folder.
	release *helmRelease
	// istioCRs: the folder holds custom resources of Istio's CRDs, which arrive with the base
	// chart (or the operator) in the same rollout.
	istioCRs bool
}

// gitopsState is what the GitOps steps keep while the folders are generated.
type gitopsState struct {
	// clusters are the generated clusters with their steps, for the hub folder.
	clusters []hubCluster
	// readme is the installer's part of the cluster's README (installer.readme), written
	// with the rollout once the cluster's objects are all there.
	readme *readmePart
}

type hubCluster struct {
	cl    *api.Cluster
	steps []step
}

type readmePart struct {
	intro    string
	commands []string
	// after holds commands that must run once a phase is applied, before the next one: Sail's
	// gateways, which need the istiod of 2-istiod.
	after map[Phase][]string
}

// releasePhase is the phase a chart's release belongs to.
func releasePhase(r *helmRelease) Phase {
	switch r.chart {
	case "base":
		return PhaseBase
	case "istiod", "cni", "ztunnel":
		return PhaseIstiod
	}
	return PhaseGateways
}

// releases are the cluster's chart releases a GitOps tool installs: the helm installer's, and
// Sail's gateways (Sail installs no gateways).
func (g *gen) releases(cl *api.Cluster) []helmRelease {
	switch g.cfg.Spec.Istio.Installer {
	case api.InstallerHelm:
		return g.helmReleases(cl)
	case api.InstallerSail:
		return g.sailGateways(cl)
	}
	return nil
}

// steps lists the cluster's steps in rollout order, from the objects generated so far (all of
// them: gitops runs last in the cluster's sequence). Within a phase the folder comes first.
func (g *gen) steps(cl *api.Cluster) []step {
	have := map[Phase]bool{}
	crs := map[Phase]bool{}
	if g.folder != nil {
		for _, o := range g.folder.Objects {
			if o.Dir != "" || o.Phase == PhaseNone {
				continue
			}
			have[o.Phase] = true
			if group, _, _ := strings.Cut(o.APIVersion, "/"); strings.HasSuffix(group, ".istio.io") {
				crs[o.Phase] = true
			}
		}
	}
	rs := g.releases(cl)
	var out []step
	for _, p := range Phases {
		if have[p] {
			out = append(out, step{phase: p, istioCRs: crs[p]})
		}
		for i := range rs {
			if releasePhase(&rs[i]) == p {
				out = append(out, step{phase: p, release: &rs[i]})
			}
		}
	}
	return out
}

// before are the steps s waits for: those of the last phase before s's that has any.
func before(steps []step, s step) []step {
	prev := PhaseNone
	for _, o := range steps {
		if o.phase < s.phase && o.phase > prev {
			prev = o.phase
		}
	}
	var out []step
	for _, o := range steps {
		if prev != PhaseNone && o.phase == prev {
			out = append(out, o)
		}
	}
	return out
}

// name is the step's part of the tools' object names: the phase folder or the release.
func (s step) name() string {
	if s.release != nil {
		return s.release.name
	}
	return s.phase.Folder()
}

// repoPath is the folder of the cluster's phase in the repository, relative to its root.
func (g *gen) repoPath(cl *api.Cluster, elem ...string) string {
	return path.Join(append([]string{g.cfg.Spec.GitOps.Path, cl.Name}, elem...)...)
}

// gitops ends a cluster's sequence: the tool's objects and files for the cluster, the README,
// and the cluster's steps kept for the hub folder.
func (g *gen) gitops(cl *api.Cluster) {
	steps := g.steps(cl)
	switch g.cfg.Spec.GitOps.Tool {
	case api.GitOpsFlux:
		g.flux(cl, steps)
	case api.GitOpsFleet:
		g.fleetBundles(cl, steps)
	}
	if api.HubFolder(&g.cfg.Spec) != "" {
		g.ops.clusters = append(g.ops.clusters, hubCluster{cl: cl, steps: steps})
	}
	g.writeReadme(cl, steps)
}

// gitopsHub writes the hub folder of the tool from the clusters' steps.
func (g *gen) gitopsHub() {
	switch g.cfg.Spec.GitOps.Tool {
	case api.GitOpsArgoCD:
		g.argoCD()
	case api.GitOpsFleet:
		g.fleetRepos()
	}
	g.ops.clusters = nil
}

// hubMeta is the metadata of a hub object of the cluster's, named <mesh>-<cluster>[-<part>].
func (g *gen) hubMeta(namespace string, cl *api.Cluster, part string) object {
	name := g.cfg.Metadata.Name + "-" + cl.Name
	if part != "" {
		name += "-" + part
	}
	o := g.meta(namespace, name)
	o.Labels[ClusterLabel] = cl.Name
	return o
}

// ClusterLabel names, on a GitOps tool's object, the cluster it rolls out.
const ClusterLabel = "meshgen.dev/cluster"

// PhaseLabel names, on a Fleet bundle, the phase it belongs to.
const PhaseLabel = "meshgen.dev/phase"

// writeReadme writes the cluster's README: prerequisites, how Istio is installed (the
// installer's part) and the rollout, in order, with the tool and by hand.
func (g *gen) writeReadme(cl *api.Cluster, steps []step) {
	part := g.ops.readme
	g.ops.readme = nil
	if part == nil {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: cluster %s of mesh %s (network %s)\n\nWritten by meshgen; do not edit.\n\n", cl.Name, cl.Name, g.cfg.Spec.MeshID, cl.Network)
	b.WriteString("## Prerequisites\n\nmeshgen installs none of these; they must be in place before the rollout:\n\n")
	for _, p := range g.prerequisites(cl) {
		b.WriteString("- " + p + "\n")
	}
	b.WriteString("\n## Installing Istio\n\n" + part.intro + "\n\n## Rollout\n\n")
	b.WriteString(g.rolloutIntro(cl, steps))
	b.WriteString("\n\n```sh\n")
	for _, c := range g.byHand(cl, steps, part) {
		b.WriteString(c + "\n")
	}
	b.WriteString("```\n\n`kubectl apply -k .` applies every phase at once, where the CRDs and Istio are in place already.\n")
	g.file(cl.Name, File{Name: "README.md", Data: []byte(b.String())})
}

// byHand are the commands that roll the cluster out without a GitOps tool, from its folder: the
// first phase (namespaces, trust), the installer's commands, the other phases, each followed by
// what the installer runs after it.
func (g *gen) byHand(cl *api.Cluster, steps []step, part *readmePart) []string {
	install := part.commands
	var out []string
	done := false
	for _, s := range steps {
		if s.release != nil {
			continue
		}
		if s.phase > PhaseBase && !done {
			out, done = append(out, install...), true
		}
		out = append(out, "kubectl apply -k "+s.phase.Folder())
		if s.phase == PhaseBase && g.cfg.Spec.Trust.Mode == api.TrustCertManager && !cl.Remote() {
			out = append(out, fmt.Sprintf("kubectl -n %s wait --for=condition=Ready certificate/%s --timeout=10m", g.cpNamespace(), CACertsSecret))
		}
		out = append(out, part.after[s.phase]...)
	}
	if !done {
		out = append(out, install...)
	}
	return out
}

// rolloutIntro says who rolls the cluster out, in which order, ending before the commands by
// hand.
func (g *gen) rolloutIntro(cl *api.Cluster, steps []step) string {
	var names []string
	for _, s := range steps {
		if s.release == nil {
			names = append(names, s.phase.Folder()+"/")
		}
	}
	order := strings.Join(names, ", ")
	gs := &g.cfg.Spec.GitOps
	switch gs.Tool {
	case api.GitOpsArgoCD:
		return fmt.Sprintf("Argo CD rolls this cluster out (spec.gitops.tool: argocd) from the hub folder %s/: one Application per\n"+
			"phase folder (%s) and per Helm release, for the cluster registered in Argo CD as %s,\n"+
			"ordered by sync waves and synced by the root Application (app of apps) %s, applied once to\n"+
			"the hub: kubectl apply -f %s. The waves order\n"+
			"the Applications only where Argo CD assesses an Application's health, which it stopped doing\n"+
			"by default in 1.8: restore the check in argocd-cm (see \"Argo CD\" in meshgen's README).\n"+
			"Without Argo CD, the same by hand, from this folder:",
			api.ArgoCDFolder, order, api.GitOpsCluster(cl), g.cfg.Metadata.Name, path.Join(g.cfg.Spec.GitOps.Path, g.argoCDRootFile()))
	case api.GitOpsFlux:
		return fmt.Sprintf("Flux rolls this cluster out (spec.gitops.tool: flux) from flux/, which is not part of this folder's\n"+
			"kustomization.yaml: point Flux at it (flux bootstrap ... --path=%s), through the\n"+
			"GitRepository %s. Its Kustomizations apply the phase folders (%s) and the Helm releases\n"+
			"in order, each waiting for the phase before. Without Flux, the same by hand, from this folder:",
			g.repoPath(cl, fluxDir), gs.FluxSource, order)
	case api.GitOpsFleet:
		return fmt.Sprintf("Fleet rolls this cluster out (spec.gitops.tool: fleet) through the GitRepo %s in the hub folder\n"+
			"%s/, for the cluster registered in Fleet as %s: every phase folder (%s) and every\n"+
			"Helm release under fleet/ is a bundle (its fleet.yaml), waiting for the bundles of the phase\n"+
			"before. Without Fleet, the same by hand, from this folder:",
			g.cfg.Metadata.Name+"-"+cl.Name, api.FleetFolder, api.GitOpsCluster(cl), order)
	}
	return fmt.Sprintf("Apply the phases in order (spec.gitops.tool: none), each once the one before is in place: %s,\n"+
		"with Istio installed after the first. From this folder:", order)
}

// prerequisites are what the cluster's objects need that meshgen does not install, with the
// versions the output needs.
func (g *gen) prerequisites(cl *api.Cluster) []string {
	kinds := map[string]bool{}
	issuers := map[string]bool{}
	if g.folder != nil {
		for _, o := range g.folder.Objects {
			kinds[o.Kind] = true
			if o.Kind == kClusterIssuer.Kind {
				issuers[o.Name] = true
			}
		}
	}
	s := &g.cfg.Spec
	var out []string
	if kinds[kCertificate.Kind] || kinds[kClusterIssuer.Kind] {
		out = append(out, "cert-manager 1.0 or later (its cert-manager.io/v1 API; meshgen's tests use v1.21), for the Certificates and ClusterIssuers")
	}
	for _, is := range s.Issuers {
		if issuers[is.Name] && is.ACME != nil && is.ACME.DNS01Webhook != nil {
			w := is.ACME.DNS01Webhook
			out = append(out, fmt.Sprintf("the cert-manager DNS-01 webhook of the ClusterIssuer %s: group %s, solver %s", is.Name, w.GroupName, w.SolverName))
		}
	}
	switch {
	case kinds[kDNSEndpoint.Kind]:
		out = append(out, fmt.Sprintf("external-dns with --source=crd --crd-source-apiversion=%s --crd-source-kind=%s (and the DNSEndpoint CRD) and --annotation-prefix=%s (see \"external-dns\" in meshgen's README)",
			kDNSEndpoint.APIVersion(""), kDNSEndpoint.Kind, s.DNS.AnnotationPrefix))
	case g.anyIngress() && s.DNS.EndpointCluster == "" && cl.IngressAddress != "":
		out = append(out, "external-dns with --source=istio-gateway and --annotation-prefix="+s.DNS.AnnotationPrefix+" (see \"external-dns\" in meshgen's README)")
	}
	if st := s.RemoteSecrets.Store; st != nil && (kinds[kPushSecret.Kind] || kinds[kExternalSecret.Kind]) {
		out = append(out, fmt.Sprintf("external-secrets v0.16 or later (ExternalSecret external-secrets.io/v1, PushSecret v1alpha1) and its %s %s", st.Kind, st.Name))
	}
	// A remote needs no CA of its own (see trust).
	if s.Trust.Mode == api.TrustExternal && !cl.Remote() {
		out = append(out, fmt.Sprintf("the Secret %s in namespace %s, before istiod starts (meshgen certs writes it)", CACertsSecret, g.cpNamespace()))
	}
	if s.Trust.Mode == api.TrustCertManager && !cl.Remote() {
		out = append(out, fmt.Sprintf("the mesh's root key pair as the Secret %s in namespace %s (meshgen certs writes it)", api.RootCAName(g.cfg), api.CertManagerNamespace))
	}
	if cl.Remote() {
		out = append(out, fmt.Sprintf("%s's trust in place (its %s): this cluster has no CA of its own; %s's istiod signs its workloads' certificates and writes the mesh's root into its istio-ca-root-cert ConfigMaps", cl.Primary, CACertsSecret, cl.Primary))
	}
	if g.ambient() && s.GitOps.Tool != api.GitOpsNone {
		// By hand, the rollout's commands install them; no GitOps tool object does.
		out = append(out, "the Gateway API CRDs "+GatewayAPIVersion+" (no Istio chart installs them; the first command after 1-base below)")
	}
	if s.Istio.Installer == api.InstallerOperator {
		out = append(out, "the Istio operator of Istio "+s.Istio.Version+": "+strings.Join(g.operatorInits(), "; "))
	}
	if s.Istio.Installer == api.InstallerSail {
		out = append(out, "the Sail operator, which brings the Istio CRDs: "+sailOperatorInstall(g.cfg))
	}
	switch s.GitOps.Tool {
	case api.GitOpsArgoCD:
		out = append(out, fmt.Sprintf("Argo CD 2.8 or later (spec.source.helm.valuesObject) in the hub cluster, with this cluster registered as %s", api.GitOpsCluster(cl)))
	case api.GitOpsFlux:
		out = append(out, "Flux 2.3 or later in this cluster (helm.toolkit.fluxcd.io/v2), bootstrapped from "+s.GitOps.RepoURL)
	case api.GitOpsFleet:
		out = append(out, fmt.Sprintf("Fleet (Rancher's continuous delivery), with this cluster registered as %s in the workspace %s", api.GitOpsCluster(cl), fleetWorkspace))
	}
	return out
}
