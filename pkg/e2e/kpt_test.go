package e2e

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/meshgen/meshgen/pkg/synth"
)

// kptInput imitates the ResourceList kpt hands a function for the package at pkg, and returns
// the paths of its items. Only TestImageBinary uses it: kpt cannot run the image here (there
// is no container engine); every other kpt test runs the real kpt.
func kptInput(t *testing.T, pkg, configPath string) ([]byte, map[string]bool) {
	t.Helper()
	r := kio.LocalPackageReader{PackagePath: pkg, PreserveSeqIndent: true, MatchFilesGlob: append(kio.MatchAll, "Kptfile")}
	nodes, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]bool{}
	var fc *yaml.RNode
	for _, n := range nodes {
		p := n.GetAnnotations()[kioutil.PathAnnotation]
		paths[p] = true
		if p == configPath {
			fc = n.Copy()
		}
	}
	if fc == nil {
		t.Fatalf("no %s in the package", configPath)
	}
	var in bytes.Buffer
	w := kio.ByteWriter{Writer: &in, KeepReaderAnnotations: true, WrappingKind: kio.ResourceListKind, WrappingAPIVersion: kio.ResourceListAPIVersion, FunctionConfig: fc}
	if err := w.Write(nodes); err != nil {
		t.Fatal(err)
	}
	return in.Bytes(), paths
}

// snapshot hashes every file of a package, by relative path.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		m[rel] = fmt.Sprintf("%x", sha256.Sum256(b))
		return nil
	})
	return m
}

// ids lists every object of a package with its file and index, to prove that nothing was
// duplicated, renamed or moved.
func ids(t *testing.T, root string) map[string]string {
	t.Helper()
	nodes, err := (&kio.LocalPackageReader{PackagePath: root, MatchFilesGlob: append(kio.MatchAll, "Kptfile")}).Read()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, n := range nodes {
		a := n.GetAnnotations()
		loc := a[kioutil.PathAnnotation] + "#" + a[kioutil.IndexAnnotation]
		id := n.GetApiVersion() + " " + n.GetKind() + " " + n.GetNamespace() + "/" + n.GetName() + " @" + loc
		if _, dup := m[loc]; dup {
			t.Errorf("two objects at %s", loc)
		}
		m[loc] = id
	}
	return m
}

func diffMaps(a, b map[string]string) string {
	var s []string
	for k, v := range a {
		if b[k] != v {
			s = append(s, "changed or removed: "+k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			s = append(s, "added: "+k)
		}
	}
	return strings.Join(s, "\n")
}

// kptTool finds the real kpt: MESHGEN_KPT or PATH. A missing kpt fails the test; only
// MESHGEN_SKIP_KPT=1 skips, loudly. kpt cannot come from the module proxy.
func kptTool(t *testing.T) string {
	t.Helper()
	if os.Getenv("MESHGEN_SKIP_KPT") == "1" {
		t.Skip("MESHGEN_SKIP_KPT=1: skipping the test that runs the real kpt")
	}
	p := os.Getenv("MESHGEN_KPT")
	if p == "" {
		var err error
		if p, err = exec.LookPath("kpt"); err != nil {
			t.Fatal("kpt not found: the kpt tests run the real kpt (1.0.0-beta.56 here). Install it with the cloud CLI " +
				"(gcloud components install kpt) or put the release binary from " +
				"https://github.com/kptdev/kpt/releases/tag/v1.0.0-beta.56 on PATH (or name it in MESHGEN_KPT); " +
				"MESHGEN_SKIP_KPT=1 skips these tests")
		}
	}
	kptVersionOnce.Do(func() {
		out, _ := exec.Command(p, "version").CombinedOutput()
		kptVersion = strings.TrimSpace(string(out))
	})
	t.Logf("kpt %s (%s)", kptVersion, p)
	return p
}

var (
	kptVersionOnce sync.Once
	kptVersion     string
)

// kptCheckout lays out what the README's kpt commands run on: bin/meshgen (built from this
// tree) and the given folders of the repository, in a temporary folder, its root.
func kptCheckout(t *testing.T, dirs ...string) string {
	t.Helper()
	root := t.TempDir()
	bin := meshgen(t)
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "bin", "meshgen"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if err := os.CopyFS(filepath.Join(root, d), os.DirFS(filepath.Join(repo, d))); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// kptFnRender runs kpt fn render --allow-exec PKG from dir, as the README says, and fails the
// test if kpt fails. It logs how long kpt took.
func kptFnRender(t *testing.T, kpt, dir, pkg string) string {
	t.Helper()
	start := time.Now()
	stdout, stderr, code := run(t, dir, nil, kpt, "fn", "render", "--allow-exec", pkg)
	t.Logf("kpt fn render --allow-exec %s: %v", pkg, time.Since(start).Round(time.Millisecond))
	if code != 0 {
		t.Fatalf("kpt fn render --allow-exec %s (in %s): exit %d\n%s%s", pkg, dir, code, stdout, stderr)
	}
	return stdout + stderr
}

// readmeKptCommands returns the kpt commands of the README's kpt section and where it says to
// run them, so that the tests run exactly those.
func readmeKptCommands(t *testing.T) []string {
	t.Helper()
	var cmds []string
	for _, l := range strings.Split(readmeText(t), "\n") {
		if strings.HasPrefix(l, "kpt ") {
			cmds = append(cmds, l)
		}
	}
	return cmds
}

// TestKptReadme runs the README's kpt commands literally, with the real kpt, from the
// repository root (of a copy: bin/meshgen and examples/kpt), as the README says to. The first
// render adds every cluster's files, exactly those meshgen render -o writes, and leaves the
// package's own files byte for byte (the Kptfile included: this kpt writes no status into
// it); the second render changes no file and no object.
func TestKptReadme(t *testing.T) {
	kpt := kptTool(t)
	// This test runs the first, TestKptRootPackage the second: a command added to the README
	// needs a test too.
	if cmds := readmeKptCommands(t); !slices.Equal(cmds, []string{"kpt fn render --allow-exec examples/kpt", "kpt fn render --allow-exec ."}) {
		t.Errorf("the README's kpt commands are %q; the tests run kpt fn render --allow-exec examples/kpt and kpt fn render --allow-exec .", cmds)
	}
	root := kptCheckout(t, "examples/kpt")
	pkg := filepath.Join(root, "examples", "kpt")
	user := snapshot(t, pkg)

	out := kptFnRender(t, kpt, root, "examples/kpt")
	if !meshgenResult.MatchString(out) {
		t.Errorf("kpt did not report meshgen's result:\n%s", out)
	}
	first := snapshot(t, pkg)
	for f, h := range user {
		if first[f] != h {
			t.Errorf("the render changed the package's own file %s", f)
		}
	}
	// kpt writes what meshgen render -o writes, file for file.
	tree := filepath.Join(t.TempDir(), "tree")
	if _, stderr, code := run(t, root, nil, meshgen(t), "render", "examples/kpt/meshconfig.yaml", "examples/kpt/credentials.yaml", "-o", tree); code != 0 {
		t.Fatalf("meshgen render: exit %d\n%s", code, stderr)
	}
	want := snapshot(t, tree)
	n := 0
	for f, h := range want {
		if filepath.Base(f) == "kustomization.yaml" || f == ".meshgen" {
			continue
		}
		n++
		if !listed(t, tree, f) {
			// A file that is not an object (a README, Helm values): kpt holds it as the
			// local-config ConfigMap that names it.
			if !kptFileConfigMap(t, pkg, f) {
				t.Errorf("%s: kpt wrote no local-config ConfigMap for this file", f)
			}
			continue
		}
		if first[f] != h {
			t.Errorf("%s: kpt wrote something else than meshgen render -o, or nothing", f)
		}
	}
	if len(first) != len(user)+n {
		t.Errorf("the package has %d files after the render, want %d: its own %d and %d generated", len(first), len(user)+n, len(user), n)
	}
	objs := ids(t, pkg)

	kptFnRender(t, kpt, root, "examples/kpt")
	if d := diffMaps(first, snapshot(t, pkg)); d != "" {
		t.Errorf("the second render changed files:\n%s", d)
	}
	if d := diffMaps(objs, ids(t, pkg)); d != "" {
		t.Errorf("the second render moved, renamed or duplicated objects:\n%s", d)
	}
}

// TestKptRenderRemoves: with the real kpt, a service or cluster taken out of the MeshConfig
// takes its files with it on the next render; the user's files stay.
func TestKptRenderRemoves(t *testing.T) {
	kpt := kptTool(t)
	root := kptCheckout(t, "examples/kpt")
	pkg := filepath.Join(root, "examples", "kpt")
	kptFnRender(t, kpt, root, "examples/kpt")
	app := snapshot(t, pkg)["app.yaml"]

	cfg := filepath.Join(pkg, "meshconfig.yaml")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	// Drop the service, its namespace and the issuer only it used.
	s = s[:strings.Index(s, "  namespaces:")]
	if err := os.WriteFile(cfg, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	kptFnRender(t, kpt, root, "examples/kpt")
	after := snapshot(t, pkg)
	for f := range after {
		if strings.Contains(f, "helloworld") || strings.Contains(f, "sample") || strings.Contains(f, "certificate") {
			t.Errorf("%s survived the removal of its service", f)
		}
	}
	if after["app.yaml"] != app {
		t.Error("the user's app.yaml changed")
	}

	// Drop the second cluster (and its credentials): its files go.
	s = strings.Replace(s, s[strings.Index(s, "  - name: mcsps-test-k8s-02"):strings.Index(s, "  remoteSecrets:")], "", 1)
	s = strings.Replace(s, "mode: inline", "mode: none", 1)
	if err := os.WriteFile(cfg, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(pkg, "credentials.yaml")); err != nil {
		t.Fatal(err)
	}
	kptFnRender(t, kpt, root, "examples/kpt")
	for f := range snapshot(t, pkg) {
		if strings.HasPrefix(f, "mcsps-test-k8s-02/") || strings.Contains(f, "c-pzk8b") || strings.Contains(f, "remote-secret") {
			t.Errorf("%s survived the removal of its cluster", f)
		}
	}
	// kpt removes the files, not the folder (the README says so).
	if es, err := os.ReadDir(filepath.Join(pkg, "mcsps-test-k8s-02")); err == nil {
		t.Logf("kpt left mcsps-test-k8s-02/ with %d entries", len(es))
	}
	if _, err := os.Stat(filepath.Join(pkg, "mcsps-test-k8s-01", "2-istiod", "istio-system_istiooperator_mcsps-test.yaml")); err != nil {
		t.Errorf("the remaining cluster lost its files: %v", err)
	}
	if snapshot(t, pkg)["app.yaml"] != app {
		t.Error("the user's app.yaml changed")
	}
}

// repoCopy copies the checkout (without .git, and without bin and out, which Git ignores)
// into a temporary folder and adds bin/meshgen built from this tree.
func repoCopy(t *testing.T) string {
	t.Helper()
	root := kptCheckout(t)
	err := filepath.WalkDir(repo, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(repo, p)
		if d.IsDir() {
			if rel == ".git" || rel == "bin" || rel == "out" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(root, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(root, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestKptRootPackage runs kpt fn render --allow-exec . with the real kpt from the root of a
// copy of the checkout. The root is a package with no pipeline of its own, .krmignore keeps
// the Go code, the test data and the other examples out, and examples/kpt is rendered as its
// subpackage: its generated files appear and no other file changes. A second render changes
// nothing.
func TestKptRootPackage(t *testing.T) {
	kpt := kptTool(t)
	kf, err := os.ReadFile(filepath.Join(repo, "Kptfile"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(kf, []byte("\npipeline:")) {
		t.Error("the root Kptfile has a pipeline: it would run meshgen a second time on examples/kpt")
	}
	root := repoCopy(t)
	// What kpt reads as the root package and its subpackages: the root Kptfile and
	// examples/kpt alone, or .krmignore misses a folder (pkg/, testdata/, examples/*).
	src, stderr, code := run(t, root, nil, kpt, "fn", "source", ".")
	if code != 0 {
		t.Fatalf("kpt fn source .: exit %d\n%s", code, stderr)
	}
	nodes, err := (&kio.ByteReader{Reader: strings.NewReader(src)}).Read()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		if p := n.GetAnnotations()[kioutil.PathAnnotation]; p != "Kptfile" && !strings.HasPrefix(p, "examples/kpt/") {
			t.Errorf("kpt reads %s %s from %s as part of the root package; add its folder to .krmignore", n.GetKind(), n.GetName(), p)
		}
	}
	if len(nodes) < 5 {
		t.Errorf("kpt fn source . gives %d resources, want the root Kptfile and examples/kpt's", len(nodes))
	}
	before := snapshot(t, root)
	out := kptFnRender(t, kpt, root, ".")
	if !meshgenResult.MatchString(out) {
		t.Errorf("kpt did not render examples/kpt:\n%s", out)
	}
	first := snapshot(t, root)
	added := 0
	for f, h := range first {
		switch {
		case before[f] == h:
		case before[f] != "":
			t.Errorf("the render changed %s", f)
		case !strings.HasPrefix(f, "examples/kpt/"):
			t.Errorf("the render added %s outside examples/kpt", f)
		default:
			added++
		}
	}
	for f := range before {
		if first[f] == "" {
			t.Errorf("the render removed %s", f)
		}
	}
	if added < 30 {
		t.Errorf("the render added %d files to examples/kpt, want one per generated object", added)
	}
	kptFnRender(t, kpt, root, ".")
	if d := diffMaps(first, snapshot(t, root)); d != "" {
		t.Errorf("the second render changed files:\n%s", d)
	}

	// The control: without .krmignore, kpt reads the test data (invalid YAML on purpose) as
	// resources of the root package and fails on it (after rendering examples/kpt: kpt renders
	// subpackages first).
	if err := os.Remove(filepath.Join(root, ".krmignore")); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := run(t, root, nil, kpt, "fn", "render", "--allow-exec", ".")
	if code == 0 {
		t.Errorf("without .krmignore kpt fn render . succeeded: the check above proves nothing")
	}
	msg := stdout + stderr
	t.Logf("without .krmignore: exit %d: ...%s", code, msg[max(0, len(msg)-300):])
}

func readmeText(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repo, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestKptFleet renders a fleet of 40 clusters and 60 services (13,200 objects) twice with the
// real kpt. On the second render kpt sends the whole package back, meshgen's output included
// (14.7 MB as a ResourceList, over the 8 MiB that once was the limit): it must be read, and
// change nothing.
func TestKptFleet(t *testing.T) {
	kpt := kptTool(t)
	root := kptCheckout(t)
	pkg := filepath.Join(root, "fleet")
	m, err := synth.Generate(synth.Options{Clusters: 40, Services: 60})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	kptfile := "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: fleet\n  annotations:\n    config.kubernetes.io/local-config: \"true\"\n" +
		"pipeline:\n  mutators:\n    - exec: bin/meshgen\n      configPath: mesh.yaml\n"
	for name, b := range map[string][]byte{"Kptfile": []byte(kptfile), "mesh.yaml": m.Config, "credentials.yaml": m.Credentials} {
		if err := os.WriteFile(filepath.Join(pkg, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	user := snapshot(t, pkg)
	out := kptFnRender(t, kpt, root, "fleet")
	n := fleetObjects(t, out)
	first := snapshot(t, pkg)
	if len(first) != len(user)+n {
		t.Errorf("%d files after the first render, want %d", len(first), len(user)+n)
	}
	for f, h := range user {
		if first[f] != h {
			t.Errorf("the render changed the package's own file %s", f)
		}
	}
	out = kptFnRender(t, kpt, root, "fleet")
	if m := fleetObjects(t, out); m != n {
		t.Errorf("the second render reports %d objects, the first %d", m, n)
	}
	if d := diffMaps(first, snapshot(t, pkg)); d != "" {
		t.Errorf("the second render changed files:\n%.4000s", d)
	}
}

// meshgenResult is the info result meshgen gives kpt after a render of the kpt example; the
// count changes with the generator, the sentence does not.
var meshgenResult = regexp.MustCompile(`meshgen: [0-9]+ objects for mesh mcsps-test`)

// fleetObjects reads the object count from meshgen's result in kpt's output; a 40 × 60 fleet
// has at least 13,200 objects (5.5 per service and cluster), whatever the generator adds.
func fleetObjects(t *testing.T, out string) int {
	t.Helper()
	m := regexp.MustCompile(`meshgen: ([0-9]+) objects for mesh synth`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("kpt did not report meshgen's result:\n%.2000s", out)
	}
	n, _ := strconv.Atoi(m[1])
	if n < 13200 {
		t.Fatalf("meshgen reports %d objects for a 40 × 60 fleet, want at least 13200", n)
	}
	return n
}

// listed tells whether the tree's file f (cluster/name) is an object in its kustomization.
func listed(t *testing.T, tree, f string) bool {
	t.Helper()
	dir, name := filepath.Split(f)
	b, err := os.ReadFile(filepath.Join(tree, dir, "kustomization.yaml"))
	if err != nil {
		return true
	}
	return strings.Contains(string(b), "- "+name+"\n")
}

// kptFileConfigMap tells whether kpt wrote the ConfigMap that carries the file f of a cluster.
func kptFileConfigMap(t *testing.T, pkg, f string) bool {
	t.Helper()
	cluster, name, _ := strings.Cut(filepath.ToSlash(f), "/")
	cms, _ := filepath.Glob(filepath.Join(pkg, cluster, "configmap_meshgen-file-*.yaml"))
	for _, cm := range cms {
		b, err := os.ReadFile(cm)
		if err == nil && strings.Contains(string(b), "meshgen.dev/file: "+name+"\n") {
			return true
		}
	}
	return false
}
