package e2e

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// kptRender does what kpt fn render does with a one-step pipeline: read the package into a
// ResourceList (the Kptfile and every object with path annotations, the configPath object as
// functionConfig), run the function on stdin, write the items back by their paths, and delete
// the files whose items the function dropped.
func kptRender(t *testing.T, bin, pkg, configPath string) {
	t.Helper()
	in, before := kptInput(t, pkg, configPath)
	stdout, stderr, code := run(t, pkg, in, bin)
	if code != 0 {
		t.Fatalf("function: exit %d\n%s", code, stderr)
	}
	out, err := (&kio.ByteReader{Reader: strings.NewReader(stdout), OmitReaderAnnotations: true}).Read()
	if err != nil {
		t.Fatal(err)
	}
	after := map[string]bool{}
	for _, n := range out {
		p := n.GetAnnotations()[kioutil.PathAnnotation]
		if p == "" || strings.HasPrefix(p, "../") || filepath.IsAbs(p) || strings.Contains(p, "/../") {
			t.Fatalf("item %s/%s has a bad path annotation %q", n.GetKind(), n.GetName(), p)
		}
		after[p] = true
	}
	for p := range before {
		if !after[p] {
			if err := os.Remove(filepath.Join(pkg, p)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := (kio.LocalPackageWriter{PackagePath: pkg}).Write(out); err != nil {
		t.Fatal(err)
	}
	removeEmptyDirs(pkg)
}

// kptInput is the ResourceList kpt hands a function for the package at pkg, and the paths of
// its items.
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

func removeEmptyDirs(root string) {
	var dirs []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && p != root {
			dirs = append(dirs, p)
		}
		return nil
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		os.Remove(dirs[i])
	}
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

func kptPackage(t *testing.T) string {
	t.Helper()
	pkg := filepath.Join(t.TempDir(), "pkg")
	copyDir(t, filepath.Join(repo, "examples", "kpt"), pkg)
	return pkg
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

// TestKptRender: the first render adds every cluster's files and leaves the user's files byte
// for byte; the second render changes no file and no object.
func TestKptRender(t *testing.T) {
	bin := meshgen(t)
	pkg := kptPackage(t)
	user := snapshot(t, pkg)

	kptRender(t, bin, pkg, "meshconfig.yaml")
	first := snapshot(t, pkg)
	for f, h := range user {
		if first[f] != h {
			t.Errorf("the render changed the user's file %s", f)
		}
	}
	for _, want := range []string{"mcsps-test-k8s-01/istio-system_gateway_cross-network-gateway.yaml", "mcsps-test-k8s-02/istio-system_secret_istio-remote-secret-mcsps-test-k8s-01.yaml", "rancher/c-f7r9g_project_istio.yaml"} {
		if first[want] == "" {
			t.Errorf("missing %s after the render", want)
		}
	}
	objs := ids(t, pkg)

	kptRender(t, bin, pkg, "meshconfig.yaml")
	if d := diffMaps(first, snapshot(t, pkg)); d != "" {
		t.Errorf("the second render changed files:\n%s", d)
	}
	if d := diffMaps(objs, ids(t, pkg)); d != "" {
		t.Errorf("the second render moved, renamed or duplicated objects:\n%s", d)
	}
}

// TestKptRenderRemoves: a service or cluster taken out of the MeshConfig takes its files with
// it on the next render; the user's files stay.
func TestKptRenderRemoves(t *testing.T) {
	bin := meshgen(t)
	pkg := kptPackage(t)
	kptRender(t, bin, pkg, "meshconfig.yaml")
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
	kptRender(t, bin, pkg, "meshconfig.yaml")
	after := snapshot(t, pkg)
	for f := range after {
		if strings.Contains(f, "helloworld") || strings.Contains(f, "sample") || strings.Contains(f, "certificate") {
			t.Errorf("%s survived the removal of its service", f)
		}
	}
	if after["app.yaml"] != app {
		t.Error("the user's app.yaml changed")
	}

	// Drop the second cluster (and its credentials): its folder goes away.
	s = strings.Replace(s, s[strings.Index(s, "  - name: mcsps-test-k8s-02"):strings.Index(s, "  remoteSecrets:")], "", 1)
	s = strings.Replace(s, "mode: inline", "mode: none", 1)
	if err := os.WriteFile(cfg, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(pkg, "credentials.yaml")); err != nil {
		t.Fatal(err)
	}
	kptRender(t, bin, pkg, "meshconfig.yaml")
	for f := range snapshot(t, pkg) {
		if strings.HasPrefix(f, "mcsps-test-k8s-02/") || strings.Contains(f, "c-pzk8b") || strings.Contains(f, "remote-secret") {
			t.Errorf("%s survived the removal of its cluster", f)
		}
	}
	if _, err := os.Stat(filepath.Join(pkg, "mcsps-test-k8s-01", "istio-system_istiooperator_mcsps-test.yaml")); err != nil {
		t.Errorf("the remaining cluster lost its files: %v", err)
	}
}

// TestKptRootPackage reads the repository root as kpt reads a package before a render: the
// Kptfile marks packages, .krmignore is honoured, subpackages (examples/kpt) are read on their
// own. Its only resource must be the Kptfile: anything else would be fed to the pipeline, and
// the invalid YAML in testdata/bad would fail kpt fn render before any function ran.
func TestKptRootPackage(t *testing.T) {
	root := filepath.Join("..", "..")
	read := func(dir string) ([]*yaml.RNode, error) {
		r := kio.LocalPackageReader{PackagePath: dir, PackageFileName: "Kptfile", MatchFilesGlob: append(kio.MatchAll, "Kptfile")}
		return r.Read()
	}
	nodes, err := read(root)
	if err != nil {
		t.Fatalf("kpt cannot read the root package: %v", err)
	}
	for _, n := range nodes {
		if p := n.GetAnnotations()[kioutil.PathAnnotation]; p != "Kptfile" {
			t.Errorf("the root package holds %s %s from %s; add its folder to .krmignore", n.GetKind(), n.GetName(), p)
		}
	}
	if len(nodes) != 1 {
		t.Errorf("the root package has %d resources, want its Kptfile alone", len(nodes))
	}
	kf, err := os.ReadFile(filepath.Join(root, "Kptfile"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(kf, []byte("\npipeline:")) {
		t.Error("the root Kptfile has a pipeline: it would run meshgen a second time on examples/kpt")
	}
	sub, err := read(filepath.Join(root, "examples", "kpt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sub) == 0 {
		t.Error("examples/kpt reads as an empty package")
	}
	// The control: the Kptfile and the test data without .krmignore do not read clean.
	tmp := t.TempDir()
	if err := os.CopyFS(filepath.Join(tmp, "testdata"), os.DirFS(filepath.Join(root, "testdata"))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "Kptfile"), kf, 0o644); err != nil {
		t.Fatal(err)
	}
	nodes, err = read(tmp)
	if err == nil {
		t.Errorf("without .krmignore the test data reads clean (%d resources): the check above proves nothing", len(nodes))
	}
	t.Logf("without .krmignore: %v", err)
}
