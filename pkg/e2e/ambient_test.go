package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/gen"
)

// checkAmbientHelm checks the rendered releases of a cluster with the ambient data plane (it
// has ztunnel values).
func checkAmbientHelm(t *testing.T, where, dir string, got map[string]string, cluster, network string) {
	t.Helper()
	for _, p := range ambientHelmProblems(dir, got, cluster, network) {
		t.Errorf("%s: %s", where, p)
	}
}

// ambientHelmProblems: istiod runs ambient across networks, ztunnel carries the cluster's name
// and network (else it reports the chart's default cluster "Kubernetes" and no network, and
// istiod cannot place its workloads), and the CNI agent runs in ambient mode.
func ambientHelmProblems(dir string, got map[string]string, cluster, network string) []string {
	if _, err := os.Stat(filepath.Join(dir, "helm", "ztunnel.values.yaml")); err != nil {
		if got["ztunnel"] != "" {
			return []string{"a ztunnel release without ztunnel values"}
		}
		return nil
	}
	return ambientInstallProblems(got, cluster, network)
}

// ambientInstallProblems checks the rendered istiod, ztunnel and istio-cni, by release (the
// helm installer) or all in one manifest (istioctl).
func ambientInstallProblems(got map[string]string, cluster, network string) []string {
	var ps []string
	for release, want := range map[string]map[string]string{
		"istiod": {
			"AMBIENT_ENABLE_MULTI_NETWORK": `- name: AMBIENT_ENABLE_MULTI_NETWORK\s+value: "true"\n`,
			"PILOT_ENABLE_AMBIENT":         `- name: PILOT_ENABLE_AMBIENT\s+value: "true"\n`,
		},
		"ztunnel": {
			"NETWORK " + network:               `- name: NETWORK\s+value: "?` + regexp.QuoteMeta(network) + `"?\n`,
			"ISTIO_META_CLUSTER_ID " + cluster: `- name: ISTIO_META_CLUSTER_ID\s+value: "?` + regexp.QuoteMeta(cluster) + `"?\n`,
		},
		"istio-cni": {
			"AMBIENT_ENABLED": `AMBIENT_ENABLED: "true"`,
		},
	} {
		if got[release] == "" {
			ps = append(ps, "no release "+release)
			continue
		}
		for what, re := range want {
			if !regexp.MustCompile(re).MatchString(got[release]) {
				ps = append(ps, fmt.Sprintf("the rendered %s lacks %s", release, what))
			}
		}
	}
	slices.Sort(ps)
	return ps
}

// TestAmbientHelmCatches is checkAmbientHelm's negative control: ztunnel values without the
// cluster's network and name render a ztunnel of the chart's defaults, and the check says so.
func TestAmbientHelmCatches(t *testing.T) {
	dir := filepath.Join(renderTree(t, "ambient"), "geneva")
	f := filepath.Join(dir, "helm", "ztunnel.values.yaml")
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(strings.Replace(string(b), "network: net-geneva\n", "", 1), "clusterName: geneva\n", "clusterName: zurich\n", 1)
	if s == string(b) {
		t.Fatalf("ztunnel values without network and clusterName lines:\n%s", b)
	}
	if err := os.WriteFile(f, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range helmReleases(t, dir) {
		got[r.name] = string(helmTemplate(t, dir, r))
	}
	ps := ambientHelmProblems(dir, got, "geneva", "net-geneva")
	want := []string{"the rendered ztunnel lacks ISTIO_META_CLUSTER_ID geneva", "the rendered ztunnel lacks NETWORK net-geneva"}
	if !slices.Equal(ps, want) {
		t.Errorf("problems %q, want %q", ps, want)
	}
}

// TestAmbientIstioctl installs the ambient example with istioctl instead of helm: istioctl
// manifest generate of each cluster's IstioOperator must render what the helm releases do.
func TestAmbientIstioctl(t *testing.T) {
	istioctl := tool(t, "istioctl")
	b, err := os.ReadFile(filepath.Join(repo, "examples", "ambient", "mesh.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	mesh := strings.Replace(string(b), "\n  istio:\n", "\n  istio:\n    installer: istioctl\n", 1)
	if mesh == string(b) {
		t.Fatal("examples/ambient/mesh.yaml has no spec.istio")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mesh.yaml"), []byte(mesh), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if _, stderr, code := run(t, dir, nil, meshgen(t), "render", "-o", out, "mesh.yaml"); code != 0 {
		t.Fatalf("meshgen render: exit %d\n%s", code, stderr)
	}
	for _, cl := range folders(t, out) {
		ops, _ := filepath.Glob(filepath.Join(out, cl, "istioctl", "*.yaml"))
		if len(ops) != 1 {
			t.Fatalf("%s: want one IstioOperator (the east-west gateway is a Gateway API object), got %v", cl, ops)
		}
		stdout, stderr, code := run(t, filepath.Join(out, cl), nil, istioctl, "manifest", "generate", "-f", ops[0])
		if code != 0 {
			t.Fatalf("%s: istioctl manifest generate: exit %d\n%s", cl, code, stderr)
		}
		network := clusterNetwork(t, filepath.Join(out, cl))
		for _, p := range ambientInstallProblems(map[string]string{"istiod": stdout, "ztunnel": stdout, "istio-cni": stdout}, cl, network) {
			t.Errorf("%s: %s", cl, p)
		}
	}
}

// TestGatewayAPIVersionPinned: the Gateway API CRDs the README tells users to install are the
// ones the API server test installs.
func TestGatewayAPIVersionPinned(t *testing.T) {
	if !strings.HasSuffix(gatewayAPIModule, "@"+gen.GatewayAPIVersion) {
		t.Errorf("the tests install %s, the README says %s", gatewayAPIModule, gen.GatewayAPIVersion)
	}
}

// skipAmbientLive skips the live mesh test for an ambient mesh: its checks read the sidecar
// xDS istiod serves (listeners, clusters, endpoints through 15443), while ztunnel gets ambient's
// own workload xDS (WDS and address discovery) and waypoints and east-west gateways exist only
// once istiod deploys them in a real cluster, which the loopback API servers do not run.
func skipAmbientLive(t *testing.T, meshFile string, cfg *api.MeshConfig) {
	t.Helper()
	if cfg.Spec.Ambient() { // before defaults: ambient is never a default
		t.Skipf("%s: spec.dataplane ambient: the live test checks the sidecar xDS, not ztunnel's; not played yet", meshFile)
	}
}
