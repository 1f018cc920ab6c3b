package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

var analyzeProblem = regexp.MustCompile(`(?m)^(Error|Warning) \[IST\d+\]`)

// TestIstioctlAnalyze runs the real istioctl analyzers on every cluster's output: the objects
// of one cluster must form a consistent configuration on their own.
func TestIstioctlAnalyze(t *testing.T) {
	istioctl := tool(t, "istioctl")
	for _, ex := range exampleMeshes(t) {
		tree := renderTree(t, ex)
		for _, cl := range folders(t, tree) {
			t.Run(ex+"/"+cl, func(t *testing.T) {
				args := append([]string{"analyze", "--use-kube=false", "-A"}, manifests(t, filepath.Join(tree, cl))...)
				stdout, stderr, code := run(t, tree, nil, istioctl, args...)
				if code != 0 || analyzeProblem.MatchString(stdout+stderr) || !strings.Contains(stdout+stderr, "No validation issues found") {
					t.Errorf("istioctl analyze: exit %d\n%s%s", code, stdout, stderr)
				}
			})
		}
	}
}

// TestIstioctlAnalyzeCatches proves the analyze check can fail: without its DestinationRule,
// the routes name subsets that no longer exist.
func TestIstioctlAnalyzeCatches(t *testing.T) {
	istioctl := tool(t, "istioctl")
	dir := filepath.Join(renderTree(t, "mcsps-test"), "mcsps-test-k8s-01")
	if err := os.Remove(objectFile(dir, "sample_destinationrule_helloworld.yaml")); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"analyze", "--use-kube=false", "-A"}, manifests(t, dir)...)
	stdout, stderr, code := run(t, dir, nil, istioctl, args...)
	if code == 0 || !strings.Contains(stdout+stderr, "IST0101") {
		t.Errorf("istioctl analyze accepted routes to missing subsets: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestIstioctlManifestGenerate feeds every generated IstioOperator to istioctl, which renders
// the real installation from it; the cluster's network must reach the rendered gateway.
func TestIstioctlManifestGenerate(t *testing.T) {
	istioctl := tool(t, "istioctl")
	for _, ex := range exampleMeshes(t) {
		tree := renderTree(t, ex)
		// The control plane, and the east-west gateway when the mesh spans networks.
		cfg := exampleConfig(t, ex)
		want := len(cfg.Spec.Istio.Revisions())
		if cfg.Spec.MultiNetwork() {
			want = 2
		}
		for _, cl := range folders(t, tree) {
			// Applied (installer operator) or files for istioctl install (installer istioctl).
			ops := inPhases(filepath.Join(tree, cl), "*_istiooperator_*.yaml")
			files, _ := filepath.Glob(filepath.Join(tree, cl, "istioctl", "*.yaml"))
			ops = append(ops, files...)
			if cl == api.Reserved || cl == api.ArgoCDFolder || cl == api.FleetFolder {
				continue // hub folders: no cluster's installation
			}
			if vs, _ := filepath.Glob(filepath.Join(tree, cl, "helm", "istiod*.values.yaml")); len(vs) > 0 && len(ops) == 0 {
				continue // installer helm: TestHelmTemplate renders its values
			}
			if len(ops) == 0 && sailIstioFile(t, filepath.Join(tree, cl)) != "" {
				continue // installer sail: TestHelmTemplate renders its Istio as Sail does
			}
			if len(ops) != want {
				t.Fatalf("%s/%s: want %d IstioOperators, got %d", ex, cl, want, len(ops))
			}
			ns, err := os.ReadFile(objectFile(filepath.Join(tree, cl), "namespace_istio-system.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			network := regexp.MustCompile(`topology.istio.io/network: (\S+)`).FindStringSubmatch(string(ns))
			if network == nil {
				t.Fatalf("%s/%s: the control-plane namespace has no network label", ex, cl)
			}
			for _, op := range ops {
				t.Run(ex+"/"+cl+"/"+filepath.Base(op), func(t *testing.T) {
					stdout, stderr, code := run(t, tree, nil, istioctl, "manifest", "generate", "-f", op)
					if code != 0 {
						t.Fatalf("istioctl manifest generate: exit %d\n%s", code, stderr)
					}
					if !strings.Contains(stdout, network[1]) {
						t.Errorf("the installation does not carry the cluster's network %q", network[1])
					}
					if strings.Contains(op, "eastwest") && !strings.Contains(stdout, "ISTIO_META_REQUESTED_NETWORK_VIEW") {
						t.Errorf("the east-west gateway lacks ISTIO_META_REQUESTED_NETWORK_VIEW")
					}
				})
			}
		}
	}
}

// exampleConfig is an example's MeshConfig as decoded, before defaults and checks.
func exampleConfig(t *testing.T, ex string) *api.MeshConfig {
	t.Helper()
	f := filepath.Join(repo, "examples", ex, "mesh.yaml")
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := api.ParseDocs(f, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if v, k := api.KindOf(d.Node); v == api.APIVersion && k == api.Kind {
			cfg, _, es := api.Decode(d.Node)
			if len(es) > 0 || cfg == nil {
				t.Fatalf("%s: %v", f, es)
			}
			return cfg
		}
	}
	t.Fatalf("%s: no MeshConfig", f)
	return nil
}
