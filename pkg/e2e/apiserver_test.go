package e2e

// These tests run a real etcd and kube-apiserver on loopback and make the
// apiserver judge meshgen's output: schema validation of built-in kinds,
// CRD schemas with strict field validation, admission, and whether applying
// the same render twice is a no-op. See requireKubeTools for the binaries.

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/internal/invariant"
	"github.com/meshgen/meshgen/pkg/api"
)

// TestAPIServerExamples renders every example mesh and has the apiserver
// accept each cluster's folder.
func TestAPIServerExamples(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	meshes, err := invariant.ExampleNames(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(meshes) == 0 {
		t.Fatalf("no examples/*/mesh.yaml under %s: nothing to check", root)
	}
	tools := requireKubeTools(t)
	bin := meshgen(t)
	c := startCluster(t, tools)
	c.installCRDs(t)

	for _, example := range meshes {
		t.Run(example, func(t *testing.T) {
			// Relative to the repository root, as a user would type them.
			matches, err := filepath.Glob(filepath.Join(root, "examples", example, "*.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			var inputs []string
			for _, m := range matches {
				rel, err := filepath.Rel(root, m)
				if err != nil {
					t.Fatal(err)
				}
				inputs = append(inputs, rel)
			}
			checkExample(t, c, bin, root, inputs)
		})
	}
	// Fleet on the Helm installer: no example uses it yet, so three-sites with the tool
	// switched, for the GitRepos against Fleet's CRD.
	t.Run("three-sites-fleet", func(t *testing.T) {
		dir := t.TempDir()
		var inputs []string
		for _, f := range []string{"mesh.yaml", "credentials.yaml"} {
			b, err := os.ReadFile(filepath.Join(root, "examples", "three-sites", f))
			if err != nil {
				t.Fatal(err)
			}
			s := strings.Replace(string(b), "tool: argocd", "tool: fleet", 1)
			if f == "mesh.yaml" && s == string(b) {
				t.Fatal("examples/three-sites/mesh.yaml no longer says tool: argocd")
			}
			if err := os.WriteFile(filepath.Join(dir, f), []byte(s), 0o644); err != nil {
				t.Fatal(err)
			}
			inputs = append(inputs, filepath.Join(dir, f))
		}
		checkExample(t, c, bin, root, inputs)
	})
}

// checkExample renders the inputs from root and has the API server judge the tree.
func checkExample(t *testing.T, c *kubeCluster, bin, root string, inputs []string) {
	t.Helper()
	out := t.TempDir()
	render := func(t *testing.T) {
		t.Helper()
		args := append([]string{"render"}, inputs...)
		args = append(args, "-o", out)
		cmd := exec.Command(bin, args...)
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("meshgen %s: %v\n%s", strings.Join(args, " "), err, b)
		}
	}
	render(t)
	checkRendered(t, c, out, render)
}

// TestAPIServerHarness proves the checks on a hand-written fixture that
// mirrors meshgen's output, and proves they can fail: a harness that passes
// everything would make TestAPIServerExamples worthless.
func TestAPIServerHarness(t *testing.T) {
	tools := requireKubeTools(t)
	c := startCluster(t, tools)
	c.installCRDs(t)

	fixture := filepath.Join("testdata", "apiserver-smoke")
	out := t.TempDir()
	// Copying again stands in for re-rendering: same input, fresh files.
	render := func(t *testing.T) {
		t.Helper()
		if err := copyTree(fixture, out); err != nil {
			t.Fatal(err)
		}
	}
	render(t)
	checkRendered(t, c, out, render)

	// Each must be refused by the same dry run that judges meshgen's output.
	// The namespaces exist: the fixture's folders created them.
	invalid := []struct{ name, want, doc string }{
		{"unknown field in an Istio CRD", `unknown field "spec.servers[0].bogus"`, `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: bad, namespace: istio-system}
spec:
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
    bogus: true
`},
		{"unknown field in the local Project CRD", `unknown field "spec.resourceQuota.limit.limitCpu"`, `
apiVersion: management.cattle.io/v3
kind: Project
metadata: {name: bad, namespace: c-m-smoke123}
spec:
  clusterName: c-m-smoke123
  displayName: bad
  resourceQuota: {limit: {limitCpu: "1"}}
`},
		{"required field missing in a cert-manager CRD", `spec.issuerRef: Required value`, `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: bad, namespace: istio-system}
spec:
  secretName: bad
  dnsNames: [bad.example.com]
`},
		{"unknown field in Argo CD's Application CRD", `unknown field "spec.source.valuesObject"`, `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: bad, namespace: istio-system}
spec:
  project: default
  destination: {name: east}
  source: {repoURL: "https://git.example.com/x.git", path: x, valuesObject: {a: 1}}
`},
		{"unknown field in Flux's Kustomization CRD", `unknown field "spec.dependsOn[0].phase"`, `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: bad, namespace: istio-system}
spec:
  interval: 10m
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
  dependsOn: [{name: x, phase: 1}]
`},
		{"invalid built-in object", `spec.ports[0].port: Invalid value: 70000`, `
apiVersion: v1
kind: Service
metadata: {name: bad, namespace: istio-system}
spec:
  ports: [{port: 70000}]
`},
		{"unknown field in a built-in object", `unknown field "spec.limits[0].defaults"`, `
apiVersion: v1
kind: LimitRange
metadata: {name: bad, namespace: smoke-apps}
spec:
  limits: [{type: Container, defaults: {cpu: 1}}]
`},
	}
	for _, tc := range invalid {
		t.Run("rejects/"+tc.name, func(t *testing.T) {
			res := c.kubectl(t, []byte(tc.doc), "apply", "-f", "-", "--dry-run=server", "--validate=strict")
			if res.exitCode == 0 {
				t.Fatalf("the apiserver accepted an invalid object:%s", tc.doc)
			}
			if !strings.Contains(res.stderr, tc.want) {
				t.Fatalf("rejected, but not for the expected reason %q:\n%s", tc.want, res.output())
			}
		})
	}
}

// checkRendered runs the server-side dry run on every cluster folder of one
// render, then applies the first cluster folder for real and checks that it
// is idempotent. rerender must write the same render into out again.
func checkRendered(t *testing.T, c *kubeCluster, out string, rerender func(t *testing.T)) {
	t.Helper()
	folders := kustomizeFolders(t, out)
	t.Logf("cluster folders: %s", strings.Join(folders, " "))
	// What is applied is the kustomizations' resources: never an installer's files (Helm
	// values, istioctl's local-config IstioOperators, the README), a Fleet bundle's
	// fleet.yaml or Flux's folder.
	for _, f := range folders {
		ks, _ := filepath.Glob(filepath.Join(out, f, "[1-9]-*", "kustomization.yaml"))
		for _, p := range append(ks, filepath.Join(out, f, "kustomization.yaml")) {
			k, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, bad := range []string{"README.md", "helm/", "istioctl/", "fleet.yaml", "- flux"} {
				if strings.Contains(string(k), bad) {
					t.Errorf("%s applies a file that is not an object (%s):\n%s", p, bad, k)
				}
			}
		}
	}
	for _, f := range folders {
		t.Run("dry-run/"+f, func(t *testing.T) {
			c.dryRun(t, filepath.Join(out, f))
		})
		// Flux's objects (spec.gitops.tool flux) are not in the cluster's kustomization:
		// flux/ and each release's folder in it, against Flux's own CRDs (testdata/crds).
		fluxDirs, _ := filepath.Glob(filepath.Join(out, f, "flux", "kustomization.yaml"))
		releases, _ := filepath.Glob(filepath.Join(out, f, "flux", "*", "kustomization.yaml"))
		for _, k := range append(fluxDirs, releases...) {
			dir := filepath.Dir(k)
			rel, _ := filepath.Rel(out, dir)
			t.Run("dry-run/"+rel, func(t *testing.T) { c.dryRun(t, dir) })
		}
	}
	// The hub folders hold management-cluster objects (Rancher's Projects, Argo
	// CD's Applications, Fleet's GitRepos), not a member cluster's; the folders
	// sort by name, so "first" is stable.
	var first string
	for _, f := range folders {
		if f != api.Reserved && f != api.ArgoCDFolder && f != api.FleetFolder {
			first = f
			break
		}
	}
	if first == "" {
		t.Fatalf("no cluster folder besides rancher/ in %s", out)
	}
	t.Run("apply/"+first, func(t *testing.T) {
		dir := filepath.Join(out, first)
		// The next example gets a cluster without these objects, so that
		// its own apply starts from creation, as on a real cluster.
		t.Cleanup(func() { c.deleteApplied(t, dir) })
		c.applyIdempotent(t, dir, rerender)
	})
}

// copyTree copies the regular files under src into dst, replacing files
// that exist and keeping the layout.
func copyTree(src, dst string) error {
	var files []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, p := range files {
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
