package api

import (
	"cmp"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
)

// The GitOps tools meshgen writes the rollout order for (spec.gitops.tool).
const (
	// GitOpsNone: the phase folders only; each cluster's README says the order.
	GitOpsNone = "none"
	// GitOpsArgoCD: Argo CD in a hub cluster, Applications in the hub folder ArgoCDFolder.
	GitOpsArgoCD = "argocd"
	// GitOpsFlux: Flux in every cluster, its objects in <cluster>/flux/.
	GitOpsFlux = "flux"
	// GitOpsFleet: Rancher's Fleet, a fleet.yaml per bundle and GitRepos in FleetFolder.
	GitOpsFleet = "fleet"
)

// GitOpsTools are the values of spec.gitops.tool.
var GitOpsTools = []string{GitOpsNone, GitOpsArgoCD, GitOpsFlux, GitOpsFleet}

// Hub folders: the output folders of a GitOps tool's own objects, applied to the cluster the
// tool runs in (Argo CD's, Fleet's manager). A cluster cannot have their names.
const (
	ArgoCDFolder = "argocd"
	FleetFolder  = "fleet"
)

// Defaults of spec.gitops.
const (
	// DefaultRevision is the branch the tools follow: Fleet follows a branch, so a branch.
	DefaultRevision = "main"
	// DefaultGitOpsPath is the tree's folder in the repository: its root.
	DefaultGitOpsPath = "."
	// DefaultFluxSource is the GitRepository flux bootstrap creates.
	DefaultFluxSource = "flux-system"
)

// GitOps is spec.gitops: the tool that rolls the tree out, and where the tree is in Git, which
// the tool's objects that point back at the repository need.
type GitOps struct {
	// Tool is one of GitOpsTools.
	Tool string `json:"tool,omitempty"`
	// RepoURL is the Git repository the tree is committed to (https://, http://, ssh:// or
	// user@host:path).
	RepoURL string `json:"repoURL,omitempty"`
	// Revision is the branch to follow.
	Revision string `json:"revision,omitempty"`
	// Path is the tree's folder in the repository, relative to its root.
	Path string `json:"path,omitempty"`
	// FluxSource is the name of the GitRepository in flux-system that Flux reads the
	// repository through (flux only).
	FluxSource string `json:"fluxSource,omitempty"`
}

// HubFolder is the folder of the mesh's GitOps tool's own objects, "" when it has none.
func HubFolder(s *Spec) string {
	switch s.GitOps.Tool {
	case GitOpsArgoCD:
		return ArgoCDFolder
	case GitOpsFleet:
		return FleetFolder
	}
	return ""
}

// GitOpsCluster is the name the GitOps tool knows a cluster by: Argo CD's cluster name, Fleet's
// Cluster.
func GitOpsCluster(cl *Cluster) string {
	if cl.GitOpsCluster != "" {
		return cl.GitOpsCluster
	}
	return cl.Name
}

func defaultGitOps(s *Spec) {
	g := &s.GitOps
	if g.Tool == "" {
		g.Tool = GitOpsNone
	}
	if g.Tool == GitOpsNone {
		return
	}
	if g.Revision == "" {
		g.Revision = DefaultRevision
	}
	if g.Path == "" {
		g.Path = DefaultGitOpsPath
	}
	if g.Tool == GitOpsFlux && g.FluxSource == "" {
		g.FluxSource = DefaultFluxSource
	}
}

var (
	// scpURL is Git's user@host:path form of an SSH URL.
	scpURL = regexp.MustCompile(`^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s:][^\s]*$`)
	// gitRef is a branch name as git check-ref-format allows it, with fewer characters.
	gitRef = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._/-]*$`)
	// toolCluster is a cluster's name in Argo CD (free text there) kept to what is safe in a
	// field of YAML and a Fleet target.
	toolCluster = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9_.:@/]*[A-Za-z0-9])?$`)
)

func validateGitOps(es *Errors, s *Spec) {
	g := &s.GitOps
	if !oneOf(es, "spec.gitops.tool", g.Tool, GitOpsTools...) || g.Tool == GitOpsNone {
		for i, cl := range s.Clusters {
			if cl.GitOpsCluster != "" {
				es.add(fmt.Sprintf("spec.clusters[%d].gitopsCluster", i), "set, but spec.gitops.tool is %q: only argocd and fleet name clusters", g.Tool)
			}
		}
		if g.Tool == GitOpsNone && (g.RepoURL != "" || g.FluxSource != "") {
			es.add("spec.gitops.tool", "%q, but spec.gitops has repository settings: set the tool (argocd, flux or fleet) or remove them", g.Tool)
		}
		return
	}
	switch u, err := url.Parse(g.RepoURL); {
	case g.RepoURL == "":
		es.add("spec.gitops.repoURL", "required with spec.gitops.tool %s: the tool's objects point at the repository the tree is committed to", g.Tool)
	case scpURL.MatchString(g.RepoURL) && g.Tool != GitOpsFlux:
	case err != nil || (u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "ssh") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(g.RepoURL, " \t\n"):
		form := "https://host/org/repo.git, ssh://git@host/org/repo.git or git@host:org/repo.git"
		if g.Tool == GitOpsFlux {
			form = "https://host/org/repo.git or ssh://git@host/org/repo.git (Flux takes no git@host:path)"
		}
		es.add("spec.gitops.repoURL", "must be a Git URL like %s, got %q", form, g.RepoURL)
	case u.User != nil:
		if _, hasPassword := u.User.Password(); hasPassword {
			es.add("spec.gitops.repoURL", "carries a password: give the tool its credentials its own way, never in the tree")
		}
	}
	if !gitRef.MatchString(g.Revision) || strings.Contains(g.Revision, "..") || strings.HasSuffix(g.Revision, "/") || strings.HasSuffix(g.Revision, ".lock") {
		es.add("spec.gitops.revision", "must be a branch name like main, got %q", g.Revision)
	}
	if p := g.Path; path.Clean(p) != p || path.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") || strings.ContainsAny(p, "\\ \t\n") {
		es.add("spec.gitops.path", "must be a clean relative path in the repository, like . or clusters/prod, got %q", p)
	}
	if g.Tool == GitOpsFlux {
		name(es, "spec.gitops.fluxSource", g.FluxSource, dnsSubdomain)
	} else if g.FluxSource != "" {
		es.add("spec.gitops.fluxSource", "only with spec.gitops.tool flux")
	}
	hub := HubFolder(s)
	for i, cl := range s.Clusters {
		p := fmt.Sprintf("spec.clusters[%d]", i)
		if hub != "" && cl.Name == hub {
			es.add(p+".name", "%q is reserved for the %s objects with spec.gitops.tool %s", hub, g.Tool, g.Tool)
		}
		switch c := cl.GitOpsCluster; {
		case c == "":
		case g.Tool == GitOpsFlux:
			es.add(p+".gitopsCluster", "set, but Flux runs in each cluster: only argocd and fleet name clusters")
		case g.Tool == GitOpsFleet:
			name(es, p+".gitopsCluster", c, dnsSubdomain)
		case len(c) > 253 || !toolCluster.MatchString(c):
			es.add(p+".gitopsCluster", "must be the cluster's name in Argo CD (letters, digits, '-', '_', '.', ':', '@', '/'), got %q", c)
		}
	}
}

// MaxArgoCDName bounds the names of the Applications meshgen writes. Argo CD's label tracking
// (the default before Argo CD 3.0, and still a choice in argocd-cm) writes an Application's
// name as the value of the label app.kubernetes.io/instance on every object it syncs, the
// children of the root included; a label value has at most 63 characters, and with a longer
// name every sync fails (argoproj/argo-cd#10843, #14637). Annotation tracking, 3.0's default,
// has no such limit, but meshgen cannot know which method the hub uses: names that fit work
// with every method.
const MaxArgoCDName = 63

// ArgoCDName is the longest name of the Applications meshgen writes for a cluster, the
// <mesh>-<cluster>-<part> of package gen with the longest part, and the field that sets that
// part ("" for a fixed one). The parts are the phase folders, of which 3-gateways is the
// longest and taken to be there, and the Helm releases of the helm and sail installers
// (gen's TestArgoCDNames holds the two to the names gen writes).
func ArgoCDName(c *MeshConfig, cl *Cluster) (name, field string) {
	s := &c.Spec
	part := "3-gateways"
	longer := func(p, f string) {
		if len(p) > len(part) {
			part, field = p, f
		}
	}
	helm := s.Istio.Installer == InstallerHelm
	if helm || s.Istio.Installer == InstallerSail {
		if slices.ContainsFunc(s.Services, func(svc Service) bool { return svc.Ingress != nil }) {
			longer("istio-ingressgateway", "")
		}
		if s.MultiNetwork() || helm && len(s.Remotes(cl)) > 0 {
			if !helm || !s.Ambient() {
				longer("istio-eastwestgateway", "")
			}
		}
	}
	// The revisions last: a revision's release as long as a fixed part is not what to shorten.
	for i, r := range s.Istio.Revisions() {
		if helm && r.Revision != "" {
			longer("istiod-"+r.Revision, []string{"spec.istio.revision", "spec.istio.canary.revision"}[i])
		}
	}
	return c.Metadata.Name + "-" + cl.Name + "-" + part, field
}

// validateArgoCDNames refuses Application names over MaxArgoCDName, at the field to shorten:
// the revision or metadata.name when no cluster name could fit (once), else each cluster's
// name. The root Application is named metadata.name, a DNS label, which always fits.
func validateArgoCDNames(es *Errors, c *MeshConfig) {
	if c.Spec.GitOps.Tool != GitOpsArgoCD {
		return
	}
	said := map[string]bool{}
	for i := range c.Spec.Clusters {
		cl := &c.Spec.Clusters[i]
		n, field := ArgoCDName(c, cl)
		if len(n) <= MaxArgoCDName {
			continue
		}
		at := fmt.Sprintf("spec.clusters[%d].name", i)
		fields := []string{"metadata.name", at}
		if len(n)-len(cl.Name)+1 > MaxArgoCDName { // not even a one-letter cluster name fits
			at, fields = cmp.Or(field, "metadata.name"), []string{"metadata.name"}
		}
		if field != "" {
			fields = append(fields, field)
		}
		if said[at] {
			continue
		}
		said[at] = true
		es.add(at, "makes the Argo CD Application %q %d characters long, over the %d of a label value (Argo CD's label tracking writes the name into the label app.kubernetes.io/instance, and every sync would fail): shorten %s by %d in all",
			n, len(n), MaxArgoCDName, strings.Join(fields, " or "), len(n)-MaxArgoCDName)
	}
}
