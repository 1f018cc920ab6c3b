package e2e

// TestAPIServerPhases rolls each cluster of a render out as a fresh cluster would take it:
// only the CRDs the cluster really has at each step, the phase folders applied in order with
// a server-side dry run and then for real. A phase that uses a kind whose CRD arrives only
// with a later phase fails here, as it fails an Argo CD or Flux sync of a fresh cluster.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/meshgen/meshgen/internal/invariant"
	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/synth"
)

// The phase after which Istio's own CRDs exist, per installer ("" is before the first phase).
// The phase names are the render's (pkg/sink's tree): 1-base holds the helm base chart,
// 2-istiod the control plane.
var istioCRDsAfter = map[string]string{
	// The base chart, installed in 1-base, brings them.
	api.InstallerHelm: "1-base",
	// The operator installs them when it reconciles the control plane's IstioOperator.
	api.InstallerOperator: "2-istiod",
	// The cluster's README has the user run istioctl install before applying anything.
	api.InstallerIstioctl: "",
	// The Sail operator installs them when it reconciles 2-istiod's Istio; Sail's own CRDs
	// (testdata/crds) are prerequisites. The literal is api.InstallerSail, which is on its way.
	"sail": "2-istiod",
}

// phase is one folder of a cluster's rollout, in order.
type phase struct {
	name, dir string
}

// rollout is what one cluster gets: CRDs from the start, its phases, and the CRDs that
// arrive after each phase (keyed by phase name).
type rollout struct {
	cluster string
	first   []crdSet
	phases  []phase
	after   map[string][]crdSet
}

func TestAPIServerPhases(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	examples, err := invariant.ExampleNames(root)
	if err != nil || len(examples) == 0 {
		t.Fatalf("no examples/*/mesh.yaml under %s (%v)", root, err)
	}
	tools := requireKubeTools(t)
	for _, ex := range examples {
		dir := filepath.Join(root, "examples", filepath.FromSlash(ex))
		t.Run(ex, func(t *testing.T) {
			m, err := synth.Read(dir)
			if err != nil {
				t.Fatal(err)
			}
			in, out := renderMesh(t, m)
			checkPhases(t, tools, in, out)
		})
	}
	t.Run("synthetic", func(t *testing.T) {
		m, err := synth.Generate(synth.Options{Clusters: 2, Services: 6})
		if err != nil {
			t.Fatal(err)
		}
		in, out := renderMesh(t, m)
		checkPhases(t, tools, in, out)
	})

	// Negative controls: the same walk must fail, naming the phase, the file and the kind.
	t.Run("controls/virtualservice-in-1-base", func(t *testing.T) {
		r := controlRollout(t, root, "three-sites", api.InstallerHelm)
		file := moveFirst(t, r, "VirtualService", "4-traffic", "1-base")
		wantFailure(t, startFleet(t, tools, []string{r.cluster})[0].roll(t, r), "1-base", file, "VirtualService")
	})
	t.Run("controls/operator-without-istiooperator-crd", func(t *testing.T) {
		r := controlRollout(t, root, "istio-1.22", api.InstallerOperator)
		r.first = slices.DeleteFunc(r.first, func(s crdSet) bool { return s.serves(istioOperatorGroup) })
		wantFailure(t, startFleet(t, tools, []string{r.cluster})[0].roll(t, r), "2-istiod", "istiooperator", "IstioOperator")
	})
}

// controlRollout renders an example for a negative control and plans its first cluster's
// rollout; the example must use the installer the control is about.
func controlRollout(t *testing.T, root, example, installer string) rollout {
	t.Helper()
	m, err := synth.Read(filepath.Join(root, "examples", example))
	if err != nil {
		t.Fatal(err)
	}
	in, out := renderMesh(t, m)
	if got := in.Spec.Istio.Installer; got != installer {
		t.Fatalf("%s uses the %s installer; this control needs %s", example, got, installer)
	}
	return planRollout(t, in, out, in.Spec.Clusters[0].Name)
}

// renderMesh renders a mesh with meshgen render -o and returns its defaulted config and the
// tree.
func renderMesh(t *testing.T, m synth.Mesh) (*api.MeshConfig, string) {
	t.Helper()
	in, err := m.Input()
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	args := []string{"render", filepath.Join(src, "mesh.yaml")}
	if err := os.WriteFile(args[1], m.Config, 0o644); err != nil {
		t.Fatal(err)
	}
	if len(m.Credentials) > 0 {
		args = append(args, filepath.Join(src, "credentials.yaml"))
		if err := os.WriteFile(args[2], m.Credentials, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	args = append(args, "-o", out)
	if stdout, stderr, code := run(t, src, nil, meshgen(t), args...); code != 0 {
		t.Fatalf("meshgen %s: exit %d\n%s%s", strings.Join(args, " "), code, stdout, stderr)
	}
	return in.Config, out
}

// checkPhases rolls out every folder of the render, each on its own fresh API server: the
// mesh's clusters phase by phase, any other folder (rancher/, the management cluster's) in
// one step.
func checkPhases(t *testing.T, tools kubeTools, cfg *api.MeshConfig, out string) {
	t.Helper()
	folders := kustomizeFolders(t, out)
	fleet := startFleet(t, tools, folders)
	for i, f := range folders {
		t.Run(f, func(t *testing.T) {
			// Each cluster has its own API server; the mesh's fleet stops when all are done.
			t.Parallel()
			if err := fleet[i].roll(t, planRollout(t, cfg, out, f)); err != nil {
				t.Error(err)
			}
		})
	}
}

// planRollout reads the phases of one folder and decides which CRDs the cluster has when.
func planRollout(t *testing.T, cfg *api.MeshConfig, out, folder string) rollout {
	t.Helper()
	dir := filepath.Join(out, folder)
	r := rollout{cluster: folder, after: map[string][]crdSet{}}
	isCluster := slices.ContainsFunc(cfg.Spec.Clusters, func(c api.Cluster) bool { return c.Name == folder })
	for _, res := range kustomizationResources(t, dir) {
		if fi, err := os.Stat(filepath.Join(dir, res)); err == nil && fi.IsDir() {
			r.phases = append(r.phases, phase{name: res, dir: filepath.Join(dir, res)})
		}
	}
	switch {
	case len(r.phases) == 0 && isCluster:
		t.Fatalf("%s/kustomization.yaml lists no phase folders: a cluster's objects must come in phases", folder)
	case len(r.phases) == 0:
		r.phases = []phase{{name: ".", dir: dir}}
		// A hub folder's subfolders of its own (Argo CD's root/, applied once by hand).
		subs, _ := filepath.Glob(filepath.Join(dir, "*", "kustomization.yaml"))
		for _, k := range subs {
			r.phases = append(r.phases, phase{name: filepath.Base(filepath.Dir(k)), dir: filepath.Dir(k)})
		}
	}

	// Prerequisites: the projects that install them are there before meshgen's objects.
	groups := map[string]bool{}
	for _, p := range r.phases {
		for _, o := range phaseObjects(t, p.dir) {
			groups[apiGroup(o.APIVersion)] = true
		}
	}
	var operatorInit []crdSet
	for _, s := range prerequisiteCRDSets(t) {
		switch {
		case s.serves(istioOperatorGroup):
			operatorInit = append(operatorInit, s)
		case slices.ContainsFunc(s.groups, func(g string) bool { return groups[g] }):
			r.first = append(r.first, s)
		}
	}
	if !isCluster {
		return r
	}
	installer := cfg.Spec.Istio.Installer
	after, ok := istioCRDsAfter[installer]
	if !ok {
		t.Fatalf("no rollout of Istio's CRDs is known for the %q installer: add it to istioCRDsAfter", installer)
	}
	if after == "" {
		r.first = append(r.first, istioCRDSet)
	} else {
		if !slices.ContainsFunc(r.phases, func(p phase) bool { return p.name == after }) {
			t.Fatalf("%s: the %s installer brings Istio's CRDs with phase %s, which the folder does not have", folder, installer, after)
		}
		r.after[after] = append(r.after[after], istioCRDSet)
	}
	if installer == api.InstallerOperator {
		if len(operatorInit) == 0 {
			t.Fatalf("no CRD of group %s in testdata/crds: the operator installer's clusters need it", istioOperatorGroup)
		}
		r.first = append(r.first, operatorInit...)
	}
	return r
}

// roll applies the rollout on this (fresh) cluster: the first CRDs, then per phase a
// server-side dry run, the apply, and the CRDs the phase brings. The first failure ends it.
func (c *kubeCluster) roll(t *testing.T, r rollout) error {
	t.Helper()
	t.Logf("%s: the CRDs from the start: %s", r.cluster, setNames(r.first))
	for _, p := range r.phases {
		if sets := r.after[p.name]; len(sets) > 0 {
			t.Logf("%s: the CRDs after phase %s: %s", r.cluster, p.name, setNames(sets))
		}
	}
	c.applyCRDs(t, r.first...)
	c.createForeignNamespaces(t, r)
	for i, p := range r.phases {
		// A dry run creates nothing, so the phase's own namespaces would be missing for the
		// rest of it; kubectl apply -k creates them first, as kustomize sorts them first.
		c.applyNamespaces(t, kubeObjects(phaseObjects(t, p.dir)))
		apply := []string{"apply", "--server-side", "--field-manager=meshgen-e2e", "-k", p.dir}
		res := c.kubectl(t, nil, append(apply, "--dry-run=server", "--validate=strict")...)
		logWarnings(t, p.name+" dry run", res)
		if res.exitCode != 0 {
			if missing := c.missingKinds(t, r, i); missing != "" {
				return fmt.Errorf("%s: phase %s uses kinds the cluster does not have yet:\n%s", r.cluster, p.name, missing)
			}
			return fmt.Errorf("%s: phase %s: the server-side dry run failed (exit %d):\n%s", r.cluster, p.name, res.exitCode, rejections(res))
		}
		res = c.kubectl(t, nil, apply...)
		logWarnings(t, p.name+" apply", res)
		if res.exitCode != 0 {
			return fmt.Errorf("%s: phase %s: the apply failed after its dry run passed (exit %d):\n%s", r.cluster, p.name, res.exitCode, res.output())
		}
		if len(r.after[p.name]) > 0 {
			c.applyCRDs(t, r.after[p.name]...)
			// kubectl caches discovery; the next phase must see the CRDs just added.
			if err := os.RemoveAll(filepath.Join(c.dir, "kubectl-cache")); err != nil {
				t.Fatal(err)
			}
		}
	}
	return nil
}

func setNames(sets []crdSet) string {
	if len(sets) == 0 {
		return "none"
	}
	var names []string
	for _, s := range sets {
		names = append(names, s.name)
	}
	return strings.Join(names, "; ")
}

// createForeignNamespaces creates, bare, the namespaces the folder's objects use but none of
// its phases declares (such as Rancher's cluster-ID namespace): someone else owns them. A
// namespace a phase declares is left to that phase, so that using it earlier fails.
func (c *kubeCluster) createForeignNamespaces(t *testing.T, r rollout) {
	t.Helper()
	var objs []fileObject
	for _, p := range r.phases {
		objs = append(objs, phaseObjects(t, p.dir)...)
	}
	c.createBare(t, undeclaredNamespaces(kubeObjects(objs)))
}

// missingKinds names, for phase i, each file whose kind the API server does not serve, and
// when the rollout would bring its CRD; "" if every kind is served.
func (c *kubeCluster) missingKinds(t *testing.T, r rollout, i int) string {
	t.Helper()
	served := map[string]map[string]bool{} // apiVersion -> kinds
	var lines []string
	for _, o := range phaseObjects(t, r.phases[i].dir) {
		kinds, ok := served[o.APIVersion]
		if !ok {
			kinds = c.servedKinds(t, o.APIVersion)
			served[o.APIVersion] = kinds
		}
		if kinds[o.Kind] {
			continue
		}
		lines = append(lines, fmt.Sprintf("  %s: kind %s (%s): %s", o.file, o.Kind, o.APIVersion, r.arrival(apiGroup(o.APIVersion), i)))
	}
	return strings.Join(lines, "\n")
}

// arrival says when the rollout brings a group's CRDs, seen from phase i.
func (r rollout) arrival(group string, i int) string {
	for j, p := range r.phases {
		for _, s := range r.after[p.name] {
			if s.serves(group) {
				if j >= i {
					return fmt.Sprintf("its CRD arrives only after phase %s (%s)", p.name, s.name)
				}
			}
		}
	}
	return "no CRD for it is installed in this rollout"
}

// servedKinds asks the API server which kinds it serves at apiVersion (none when it does not
// serve the group version at all).
func (c *kubeCluster) servedKinds(t *testing.T, apiVersion string) map[string]bool {
	t.Helper()
	path := "/apis/" + apiVersion
	if !strings.Contains(apiVersion, "/") {
		path = "/api/" + apiVersion
	}
	kinds := map[string]bool{}
	res := c.kubectl(t, nil, "get", "--raw", path)
	if res.exitCode != 0 {
		return kinds
	}
	var list struct {
		Resources []struct{ Kind string } `json:"resources"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &list); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	for _, rs := range list.Resources {
		kinds[rs.Kind] = true
	}
	return kinds
}

// fileObject is one object of a phase and the file that holds it.
type fileObject struct {
	kubeObject
	file string // relative to the rendered tree's cluster folder
}

// phaseObjects reads the objects of the files a phase's kustomization lists: what kubectl
// apply -k sends, as meshgen's kustomizations have no transformers.
func phaseObjects(t *testing.T, dir string) []fileObject {
	t.Helper()
	var objs []fileObject
	for _, res := range kustomizationResources(t, dir) {
		p := filepath.Join(dir, res)
		if fi, err := os.Stat(p); err != nil || fi.IsDir() {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range docSeparator.Split(string(b), -1) {
			j, err := yaml.YAMLToJSON([]byte(doc))
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			var o kubeObject
			if err := json.Unmarshal(j, &o); err != nil || o.Kind == "" {
				continue
			}
			o.doc = []byte(doc)
			objs = append(objs, fileObject{kubeObject: o, file: filepath.Join(filepath.Base(dir), res)})
		}
	}
	return objs
}

func kubeObjects(objs []fileObject) []kubeObject {
	var ko []kubeObject
	for _, o := range objs {
		ko = append(ko, o.kubeObject)
	}
	return ko
}

// kustomizationResources is the resources list of dir/kustomization.yaml, in order.
func kustomizationResources(t *testing.T, dir string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		Resources []string `json:"resources"`
	}
	if err := yaml.Unmarshal(b, &k); err != nil {
		t.Fatalf("%s/kustomization.yaml: %v", dir, err)
	}
	return k.Resources
}

func apiGroup(apiVersion string) string {
	if g, _, ok := strings.Cut(apiVersion, "/"); ok {
		return g
	}
	return ""
}

// moveFirst moves the first file of kind from phase from into phase to, kustomizations
// included, and returns its path as phaseObjects names it after the move.
func moveFirst(t *testing.T, r rollout, kind, from, to string) string {
	t.Helper()
	dirs := map[string]string{}
	for _, p := range r.phases {
		dirs[p.name] = p.dir
	}
	if dirs[from] == "" || dirs[to] == "" {
		t.Fatalf("%s has no phase %s or %s", r.cluster, from, to)
	}
	for _, o := range phaseObjects(t, dirs[from]) {
		if o.Kind != kind {
			continue
		}
		name := filepath.Base(o.file)
		if err := os.Rename(filepath.Join(dirs[from], name), filepath.Join(dirs[to], name)); err != nil {
			t.Fatal(err)
		}
		setResources(t, dirs[from], slices.DeleteFunc(kustomizationResources(t, dirs[from]), func(s string) bool { return s == name }))
		setResources(t, dirs[to], append(kustomizationResources(t, dirs[to]), name))
		return filepath.Join(to, name)
	}
	t.Fatalf("%s: no %s in phase %s", r.cluster, kind, from)
	return ""
}

func setResources(t *testing.T, dir string, resources []string) {
	t.Helper()
	b, err := yaml.Marshal(map[string]any{
		"apiVersion": "kustomize.config.k8s.io/v1beta1",
		"kind":       "Kustomization",
		"resources":  resources,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// wantFailure checks that a rollout failed and that its message names each of want.
func wantFailure(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("the rollout passed; want a failure naming %s", strings.Join(want, ", "))
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("the failure does not name %q:\n%v", w, err)
		}
	}
	t.Logf("failed as it must:\n%v", err)
}
