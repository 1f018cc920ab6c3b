package gen

import (
	"encoding/json"
	"fmt"
	"path"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// rendered is a mesh's output as the GitOps checks read it: each object's and file's JSON by
// its tree path, and the folders that hold objects or files.
type rendered struct {
	cfg     *api.MeshConfig
	docs    map[string]map[string]any
	folders map[string]bool
}

func render(t *testing.T, in *api.Input) *rendered {
	t.Helper()
	r := &rendered{cfg: in.Config, docs: map[string]map[string]any{}, folders: map[string]bool{}}
	put := func(p string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		r.docs[p] = m
		r.folders[path.Dir(p)] = true
	}
	err := Each(in, "", func(f *Folder) error {
		for _, o := range f.Objects {
			r.folders[path.Dir(o.Path())] = true
			if len(o.Docs()) == 0 { // a remote secret's kubeconfig is the sinks' to encode
				put(o.Path(), o.Body)
			}
		}
		for _, fl := range f.Files {
			if fl.Value != nil {
				put(path.Join(f.Name, fl.Name), fl.Value)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func str(v any, keys ...string) string {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

// folderPhase is the phase of a folder in a cluster's (a phase folder), or of a release's
// folder (flux/<release>, fleet/<release>): the release's phase.
func (r *rendered) folderPhase(cl *api.Cluster, dir string) Phase {
	if p := PhaseOfFolder(dir); p != PhaseNone {
		return p
	}
	for _, rel := range (&gen{cfg: r.cfg}).helmReleasesOf(cl) {
		if path.Base(dir) == rel.name {
			return releasePhase(&rel)
		}
	}
	return PhaseNone
}

// helmReleasesOf is releases for a gen that only knows the config.
func (g *gen) helmReleasesOf(cl *api.Cluster) []helmRelease {
	g.multiNetwork = g.cfg.Spec.MultiNetwork()
	return g.releases(cl)
}

// inRepo maps a path in the repository to the tree's (dropping spec.gitops.path), "" when it
// lies outside the tree.
func (r *rendered) inRepo(p string) string {
	rel := strings.TrimPrefix(path.Clean(p), "./")
	if base := r.cfg.Spec.GitOps.Path; base != "." {
		var ok bool
		if rel, ok = strings.CutPrefix(rel, base+"/"); !ok {
			return ""
		}
	}
	return rel
}

// present are the phases of a cluster that have a folder or a release.
func (r *rendered) present(cl *api.Cluster) map[Phase]bool {
	out := map[Phase]bool{}
	for _, p := range Phases {
		if r.folders[cl.Name+"/"+p.Folder()] {
			out[p] = true
		}
	}
	for _, rel := range (&gen{cfg: r.cfg}).helmReleasesOf(cl) {
		out[releasePhase(&rel)] = true
	}
	return out
}

// previous is the last present phase before p, PhaseNone for the first.
func previous(present map[Phase]bool, p Phase) Phase {
	for q := p - 1; q > PhaseNone; q-- {
		if present[q] {
			return q
		}
	}
	return PhaseNone
}

func (r *rendered) cluster(name string) *api.Cluster {
	for i := range r.cfg.Spec.Clusters {
		if c := &r.cfg.Spec.Clusters[i]; c.Name == name {
			return c
		}
	}
	return nil
}

// values reads the helm values file of a cluster's release, nil if there is none.
func (r *rendered) values(cl, release string) map[string]any {
	return r.docs[cl+"/helm/"+release+".values.yaml"]
}

// gitopsProblems checks the GitOps tool's output against the tree: every path it names is a
// folder of the tree, every phase and release of every cluster is rolled out, each step waits
// for exactly the phase before it that has any, and every release's values are its values
// file's.
func gitopsProblems(r *rendered) []string {
	var out []string
	bad := func(p, format string, args ...any) { out = append(out, p+": "+fmt.Sprintf(format, args...)) }
	gs := &r.cfg.Spec.GitOps
	covered := map[string]bool{} // <cluster>/<phase or release>
	var roots, children []string
	for p, d := range r.docs {
		switch kind := str(d, "kind"); {
		case kind == kApplication.Kind && str(d, "spec", "destination", "server") != "":
			roots = append(roots, p)
		case kind == kApplication.Kind:
			children = append(children, p)
			cl := r.cluster(str(d, "spec", "destination", "name"))
			if cl == nil {
				bad(p, "destination %q is no cluster", str(d, "spec", "destination", "name"))
				continue
			}
			wave, _ := strconv.Atoi(str(d, "metadata", "annotations", syncWave))
			var step string
			if chart := str(d, "spec", "source", "chart"); chart != "" {
				step = str(d, "spec", "source", "helm", "releaseName")
				if v := r.values(cl.Name, step); !reflect.DeepEqual(v, d["spec"].(map[string]any)["source"].(map[string]any)["helm"].(map[string]any)["valuesObject"]) {
					bad(p, "valuesObject differs from helm/%s.values.yaml", step)
				}
			} else {
				dir := r.inRepo(str(d, "spec", "source", "path"))
				if !r.folders[dir] || str(d, "spec", "source", "repoURL") != gs.RepoURL {
					bad(p, "source %s %s is not a folder of the tree in %s", str(d, "spec", "source", "repoURL"), str(d, "spec", "source", "path"), gs.RepoURL)
					continue
				}
				step = path.Base(dir)
			}
			if want := r.folderPhase(cl, step); wave != int(want) {
				bad(p, "sync wave %d, the phase of %s is %d", wave, step, want)
			}
			covered[cl.Name+"/"+step] = true
		case kind == kFluxKustomization.Kind:
			cl := r.cluster(strings.Split(p, "/")[0])
			dir := r.inRepo(str(d, "spec", "path"))
			if !r.folders[dir] || !strings.HasPrefix(dir, cl.Name+"/") {
				bad(p, "path %s is not a folder of the cluster", str(d, "spec", "path"))
				continue
			}
			step := path.Base(dir)
			covered[cl.Name+"/"+step] = true
			phase := r.folderPhase(cl, step)
			prev := previous(r.present(cl), phase)
			deps, _ := d["spec"].(map[string]any)["dependsOn"].([]any)
			for _, dep := range deps {
				name := strings.TrimPrefix(str(dep, "name"), r.cfg.Metadata.Name+"-")
				if got := r.folderPhase(cl, name); got != prev {
					bad(p, "depends on %s of phase %s, want phase %s", name, got, prev)
				}
			}
			if prev != PhaseNone && len(deps) == 0 {
				bad(p, "waits for nothing, want phase %s", prev)
			}
			if rel := str(d, "metadata", "name"); strings.HasSuffix(dir, "/"+step) && PhaseOfFolder(step) == PhaseNone {
				h := r.docs[cl.Name+"/flux/"+step+"/flux-system_helmrelease_"+rel+".yaml"]
				if h == nil {
					bad(p, "no HelmRelease %s in its folder", rel)
				} else if !reflect.DeepEqual(r.values(cl.Name, step), h["spec"].(map[string]any)["values"]) {
					bad(p, "HelmRelease values differ from helm/%s.values.yaml", step)
				}
			}
		case kind == kGitRepo.Kind:
			cl := r.cluster(strings.TrimPrefix(str(d, "metadata", "name"), r.cfg.Metadata.Name+"-"))
			paths, _ := d["spec"].(map[string]any)["paths"].([]any)
			for _, x := range paths {
				dir := r.inRepo(x.(string))
				f := r.docs[dir+"/"+fleetFile]
				if f == nil || !strings.HasPrefix(dir, cl.Name+"/") {
					bad(p, "path %s is no bundle of the cluster", x)
					continue
				}
				step := path.Base(dir)
				covered[cl.Name+"/"+step] = true
				phase := r.folderPhase(cl, step)
				if got := str(f, "labels", PhaseLabel); got != phase.Folder() {
					bad(dir+"/"+fleetFile, "label %s, want %s", got, phase.Folder())
				}
				prev := previous(r.present(cl), phase)
				deps, _ := f["dependsOn"].([]any)
				switch {
				case prev == PhaseNone && len(deps) > 0, prev != PhaseNone && len(deps) != 1:
					bad(dir+"/"+fleetFile, "%d dependencies, want phase %s", len(deps), prev)
				case len(deps) == 1 && str(deps[0], "selector", "matchLabels", PhaseLabel) != prev.Folder():
					bad(dir+"/"+fleetFile, "depends on phase %s, want %s", str(deps[0], "selector", "matchLabels", PhaseLabel), prev)
				}
				if h := f["helm"]; h != nil && !reflect.DeepEqual(r.values(cl.Name, step), h.(map[string]any)["values"]) {
					bad(dir+"/"+fleetFile, "helm values differ from helm/%s.values.yaml", step)
				}
			}
		}
	}
	out = append(out, rootProblems(r, roots, children)...)
	if gs.Tool == api.GitOpsNone {
		return out
	}
	for i := range r.cfg.Spec.Clusters {
		cl := &r.cfg.Spec.Clusters[i]
		for _, p := range Phases {
			if r.folders[cl.Name+"/"+p.Folder()] && !covered[cl.Name+"/"+p.Folder()] {
				bad(cl.Name, "phase %s is rolled out by no %s object", p, gs.Tool)
			}
		}
		for _, rel := range (&gen{cfg: r.cfg}).helmReleasesOf(cl) {
			if !covered[cl.Name+"/"+rel.name] {
				bad(cl.Name, "release %s is installed by no %s object", rel.name, gs.Tool)
			}
		}
	}
	return out
}

// rootProblems checks Argo CD's app of apps: one root with argocd and none else, syncing the
// hub folder of the repository into Argo CD's namespace of the hub cluster with prune and
// self-heal, from outside that folder (it does not manage itself), and every child
// Application in that folder.
func rootProblems(r *rendered, roots, children []string) []string {
	var out []string
	bad := func(p, format string, args ...any) { out = append(out, p+": "+fmt.Sprintf(format, args...)) }
	gs := &r.cfg.Spec.GitOps
	if want := map[bool]int{true: 1}[gs.Tool == api.GitOpsArgoCD]; len(roots) != want {
		bad(gs.Tool, "%d root Applications %v, want %d", len(roots), roots, want)
	}
	for _, p := range roots {
		d := r.docs[p]
		dir := r.inRepo(str(d, "spec", "source", "path"))
		switch {
		case dir != api.ArgoCDFolder || str(d, "spec", "source", "repoURL") != gs.RepoURL || str(d, "spec", "source", "targetRevision") != gs.Revision:
			bad(p, "source %s %s@%s, want the hub folder %s of %s@%s", str(d, "spec", "source", "repoURL"), str(d, "spec", "source", "path"),
				str(d, "spec", "source", "targetRevision"), api.ArgoCDFolder, gs.RepoURL, gs.Revision)
		case path.Dir(p) == dir:
			bad(p, "lies in the folder it syncs: it would manage itself")
		case str(d, "spec", "destination", "server") != inCluster || str(d, "spec", "destination", "namespace") != argoCDNamespace || str(d, "metadata", "namespace") != argoCDNamespace:
			bad(p, "destination %v, want %s namespace %s", d["spec"].(map[string]any)["destination"], inCluster, argoCDNamespace)
		}
		sp, _ := d["spec"].(map[string]any)["syncPolicy"].(map[string]any)
		if a, _ := sp["automated"].(map[string]any); a["prune"] != true || a["selfHeal"] != true {
			bad(p, "automated %v, want prune and selfHeal as the children", a)
		}
		for _, c := range children {
			if path.Dir(c) != dir {
				bad(c, "an Application outside %s/, which the root %s syncs", dir, p)
			}
		}
	}
	return out
}

// TestGitOps: every tool, on a mesh of every installer, rolls out exactly the tree's phase
// folders and releases, in phase order, with the values files' values; Argo CD's root syncs
// the hub folder holding every child. Negative controls: a path off the tree, a wrong wave, a
// wrong dependency, changed values and each broken root (elsewhere, in its own folder,
// missing, not pruning, another namespace, a child outside its folder) are each reported.
func TestGitOps(t *testing.T) {
	meshes := map[string]*api.Input{}
	for _, ex := range []string{"three-sites", "cert-manager", "mcsps-test", "single-network", "ambient"} {
		for _, tool := range []string{api.GitOpsArgoCD, api.GitOpsFlux, api.GitOpsFleet} {
			in := example(t, ex)
			in.Config.Spec.GitOps = api.GitOps{Tool: tool, RepoURL: "https://git.example.com/mesh.git", Revision: "main", Path: "clusters/prod", FluxSource: "mesh"}
			meshes[ex+"/"+tool] = in
		}
	}
	istioctl := example(t, "three-sites")
	istioctl.Config.Spec.Istio.Installer = api.InstallerIstioctl
	meshes["three-sites/argocd/istioctl"] = istioctl
	for name, in := range meshes {
		r := render(t, in)
		for _, p := range gitopsProblems(r) {
			t.Errorf("%s: %s", name, p)
		}
	}

	r := render(t, meshes["three-sites/argocd"])
	breaks := map[string]func(d map[string]any){
		"path off the tree": func(d map[string]any) {
			if str(d, "spec", "source", "path") != "" {
				d["spec"].(map[string]any)["source"].(map[string]any)["path"] = "clusters/prod/fra/9-later"
			}
		},
		"wrong wave": func(d map[string]any) { d["metadata"].(map[string]any)["annotations"].(map[string]any)[syncWave] = "1" },
		"changed values": func(d map[string]any) {
			if h, ok := d["spec"].(map[string]any)["source"].(map[string]any)["helm"].(map[string]any); ok {
				h["valuesObject"].(map[string]any)["global"].(map[string]any)["network"] = "elsewhere"
			}
		},
	}
	for name, b := range breaks {
		caught := false
		for p, d := range r.docs {
			if str(d, "kind") != kApplication.Kind || !strings.Contains(p, "shop-fra-") {
				continue
			}
			if name == "changed values" && !strings.HasSuffix(p, "istiod.yaml") || name == "wrong wave" && !strings.HasSuffix(p, "4-traffic.yaml") ||
				name == "path off the tree" && !strings.HasSuffix(p, "3-gateways.yaml") {
				continue
			}
			saved, _ := json.Marshal(d)
			b(d)
			caught = len(gitopsProblems(r)) > 0
			json.Unmarshal(saved, &d)
			for k := range d {
				r.docs[p][k] = d[k]
			}
		}
		if !caught {
			t.Errorf("argocd: %s passes", name)
		}
	}
	if ps := gitopsProblems(r); len(ps) > 0 {
		t.Fatalf("the checks left the output changed: %v", ps)
	}
	rootBreaks := map[string]func(r *rendered, root string){
		"root syncing a cluster's folder": func(r *rendered, root string) {
			r.docs[root]["spec"].(map[string]any)["source"].(map[string]any)["path"] = "clusters/prod/fra"
		},
		"root in the folder it syncs": func(r *rendered, root string) {
			r.docs[path.Join(api.ArgoCDFolder, path.Base(root))] = r.docs[root]
			delete(r.docs, root)
		},
		"no root":          func(r *rendered, root string) { delete(r.docs, root) },
		"root not pruning": func(r *rendered, root string) { delete(r.docs[root]["spec"].(map[string]any), "syncPolicy") },
		"root in another namespace": func(r *rendered, root string) {
			r.docs[root]["spec"].(map[string]any)["destination"].(map[string]any)["namespace"] = "default"
		},
		"child outside the root's folder": func(r *rendered, root string) {
			p := "argocd/argocd_application_shop-fra-4-traffic.yaml"
			r.docs["argocd/more/"+path.Base(p)] = r.docs[p]
			delete(r.docs, p)
		},
	}
	for name, b := range rootBreaks {
		r := render(t, meshes["three-sites/argocd"])
		root := path.Join(api.ArgoCDFolder, ArgoCDRoot, "argocd_application_shop.yaml")
		if r.docs[root] == nil {
			t.Fatalf("no root Application at %s", root)
		}
		b(r, root)
		if len(gitopsProblems(r)) == 0 {
			t.Errorf("argocd: %s passes", name)
		}
	}
	fl := render(t, meshes["three-sites/flux"])
	for p, d := range fl.docs {
		if str(d, "kind") == kFluxKustomization.Kind && strings.HasSuffix(p, "shop-4-traffic.yaml") {
			d["spec"].(map[string]any)["dependsOn"] = []any{map[string]any{"name": "shop-1-base"}}
		}
	}
	if len(gitopsProblems(fl)) == 0 {
		t.Error("flux: 4-traffic depending on 1-base passes")
	}
	fe := render(t, meshes["three-sites/fleet"])
	for p, d := range fe.docs {
		if strings.HasSuffix(p, "fleet/istiod/"+fleetFile) {
			d["helm"].(map[string]any)["values"].(map[string]any)["revision"] = "canary"
		}
	}
	if len(gitopsProblems(fe)) == 0 {
		t.Error("fleet: changed istiod values pass")
	}
}

// readmeOrder checks the commands of a cluster's README roll it out in order: the first phase,
// the wait for cacerts (certManager), the installer's commands, the other phases in order.
func readmeOrder(readme string, certManager bool) error {
	var lines []string
	_, block, _ := strings.Cut(readme, "## Rollout")
	for _, l := range strings.Split(block, "\n") {
		if strings.HasPrefix(l, "kubectl ") || strings.HasPrefix(l, "helm ") || strings.HasPrefix(l, "istioctl ") {
			lines = append(lines, l)
		}
	}
	at := func(prefix string) int {
		for i, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return i
			}
		}
		return -1
	}
	base, install := at("kubectl apply -k 1-base"), max(at("helm "), at("istioctl "))
	if base != 0 || install < 0 {
		return fmt.Errorf("1-base at %d, the installer's first command at %d: %q", base, install, lines)
	}
	if w := at("kubectl -n "); certManager && (w != 1 || install < w) {
		return fmt.Errorf("the wait for cacerts at %d: %q", w, lines)
	}
	last := install
	for _, p := range Phases[1:] {
		if i := at("kubectl apply -k " + p.Folder()); i >= 0 {
			if i < last {
				return fmt.Errorf("%s at %d, before %d: %q", p, i, last, lines)
			}
			last = i
		}
	}
	return nil
}

// TestReadmeRollout: every cluster's README of every example (each GitOps tool among them)
// rolls the cluster out in order. Negative control: the first phase moved last is caught.
func TestReadmeRollout(t *testing.T) {
	for _, ex := range []string{"three-sites", "cert-manager", "mcsps-test", "external-secrets", "ambient"} {
		in := example(t, ex)
		err := Each(in, "", func(f *Folder) error {
			for _, fl := range f.Files {
				if fl.Name != "README.md" {
					continue
				}
				cm := in.Config.Spec.Trust.Mode == api.TrustCertManager
				if err := readmeOrder(string(fl.Data), cm); err != nil {
					t.Errorf("%s/%s: %v", ex, f.Name, err)
				}
				broken := strings.Replace(string(fl.Data), "kubectl apply -k 1-base\n", "", 1) + "kubectl apply -k 1-base\n"
				if readmeOrder(broken, cm) == nil {
					t.Errorf("%s/%s: 1-base last passes", ex, f.Name)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
