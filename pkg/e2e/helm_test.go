package e2e

// The helm installer's values, rendered by the real helm template of the charts of the pinned
// Istio module, as the commands of the cluster's README install them.

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// helmCharts maps the charts of Istio's Helm repository to their folders in the Istio module.
var helmCharts = map[string]string{
	"base":    "base",
	"cni":     "istio-cni",
	"istiod":  "istio-control/istio-discovery",
	"gateway": "gateway",
	"ztunnel": "ztunnel",
}

// helmRelease is one helm upgrade --install command of a cluster's README.
type helmRelease struct{ name, chart, namespace, values string }

var helmCommand = regexp.MustCompile(`(?m)^helm upgrade --install (\S+) (\S+) --repo \S+ --version \S+ --namespace (\S+) -f (\S+) --wait$`)

// helmReleases reads the helm commands of the README of a cluster folder, in order; none when
// the cluster is not installed with Helm.
func helmReleases(t *testing.T, dir string) []helmRelease {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		return nil
	}
	var rs []helmRelease
	for _, m := range helmCommand.FindAllStringSubmatch(string(b), -1) {
		rs = append(rs, helmRelease{name: m[1], chart: m[2], namespace: m[3], values: m[4]})
	}
	return rs
}

// helmTemplate renders one release with the real helm and the pinned chart.
func helmTemplate(t *testing.T, dir string, r helmRelease) []byte {
	t.Helper()
	src := os.Getenv("MESHGEN_ISTIO_SRC")
	if src == "" {
		t.Skip("MESHGEN_ISTIO_SRC is not set: eval \"$(bash .ci/tools)\" first")
	}
	chart, ok := helmCharts[r.chart]
	if !ok {
		t.Fatalf("%s: chart %q is not one of Istio's", r.name, r.chart)
	}
	stdout, stderr, code := run(t, dir, nil, tool(t, "helm"), "template", r.name, filepath.Join(src, "manifests", "charts", chart),
		"--namespace", r.namespace, "-f", r.values)
	if code != 0 {
		t.Fatalf("helm template %s (chart %s) -f %s: exit %d\n%s", r.name, r.chart, r.values, code, stderr)
	}
	return []byte(stdout)
}

// TestHelmTemplate renders every release of every cluster installed with Helm and checks that
// istiod carries the cluster's name, network and mesh ID and the east-west gateway the network.
func TestHelmTemplate(t *testing.T) {
	n, tags := 0, 0
	for _, ex := range exampleMeshes(t) {
		tree := renderTree(t, ex)
		for _, cl := range folders(t, tree) {
			dir := filepath.Join(tree, cl)
			rs := helmReleases(t, dir)
			if len(rs) == 0 {
				continue
			}
			// With the sail installer the README installs the gateways only; istiod and the
			// base chart are the Sail operator's, from the Istio object.
			sail := sailIstioFile(t, dir)
			if vs, _ := filepath.Glob(filepath.Join(dir, "helm", "istiod*.values.yaml")); len(vs) == 0 && sail == "" {
				t.Fatalf("%s/%s: README has helm commands, no istiod values and no Sail Istio", ex, cl)
			}
			network, mesh := clusterNetwork(t, dir), meshID(t, dir)
			got := map[string]string{}
			for _, r := range rs {
				got[r.name] = string(helmTemplate(t, dir, r))
			}
			if sail != "" {
				got["istiod"], got["istio-base"] = string(sailTemplate(t, sail)), "installed by the Sail operator"
			}
			n++
			// An east-west gateway exists exactly where the mesh spans networks (a cross-network
			// Gateway) or a primary exposes istiod to its remotes.
			_, err := os.Stat(objectFile(dir, "istio-system_gateway_cross-network-gateway.yaml"))
			if (got["istio-eastwestgateway"] != "") != (err == nil || exposesIstiod(dir)) {
				t.Errorf("%s/%s: east-west gateway release %v, cross-network Gateway %v", ex, cl, got["istio-eastwestgateway"] != "", err == nil)
			}
			if p := remoteOf(t, dir); p != "" {
				checkHelmRemote(t, ex+"/"+cl, got["istiod"], cl, network, exampleConfig(t, ex).Spec.Cluster(p).EastWestAddress)
				continue
			}
			checkHelmInstall(t, ex+"/"+cl, got, cl, network, mesh)
			checkAmbientHelm(t, ex+"/"+cl, dir, got, cl, network)
			tags += checkRevisionTags(t, ex+"/"+cl, dir, rs, got)
		}
	}
	if n == 0 || tags == 0 {
		t.Fatalf("%d examples installed with Helm, %d revision tags among them", n, tags)
	}
	t.Logf("%d clusters rendered with helm template, %d revision tags", n, tags)
}

// checkHelmInstall checks the rendered releases of one cluster.
func checkHelmInstall(t *testing.T, where string, got map[string]string, cluster, network, mesh string) {
	t.Helper()
	// istiod, or istiod-<revision> for each revision's release.
	var istiods []string
	for name := range got {
		if name == "istiod" || strings.HasPrefix(name, "istiod-") {
			istiods = append(istiods, name)
		}
	}
	if got["istio-base"] == "" || len(istiods) == 0 {
		t.Errorf("%s: no release istio-base or istiod among %d", where, len(got))
	}
	ew := got["istio-eastwestgateway"]
	for _, name := range istiods {
		for what, re := range map[string]string{
			"CLUSTER_ID " + cluster: `- name: CLUSTER_ID\s+value: "?` + regexp.QuoteMeta(cluster) + `"?\n`,
			"meshId " + mesh:        `meshId: "?` + regexp.QuoteMeta(mesh) + `"?\n`,
			"network " + network:    `"network": "` + regexp.QuoteMeta(network) + `"`,
		} {
			if !regexp.MustCompile(re).MatchString(got[name]) {
				t.Errorf("%s: the rendered %s lacks %s", where, name, what)
			}
		}
	}
	if ew == "" {
		return
	}
	for what, re := range map[string]string{
		"the network label":                 `topology.istio.io/network: "?` + regexp.QuoteMeta(network) + `"?\n`,
		"ISTIO_META_REQUESTED_NETWORK_VIEW": `- name: ISTIO_META_REQUESTED_NETWORK_VIEW\s+value: "?` + regexp.QuoteMeta(network) + `"?\n`,
		"port 15443":                        `port: 15443`,
		"the label istio: eastwestgateway":  `istio: "?eastwestgateway"?\n`,
	} {
		if !regexp.MustCompile(re).MatchString(ew) {
			t.Errorf("%s: the rendered east-west gateway lacks %s", where, what)
		}
	}
}

// clusterNetwork is the network label of the cluster's control-plane namespace.
func clusterNetwork(t *testing.T, dir string) string {
	t.Helper()
	ns, err := os.ReadFile(objectFile(dir, "namespace_istio-system.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`topology.istio.io/network: (\S+)`).FindStringSubmatch(string(ns))
	if m == nil {
		t.Fatalf("%s: the control-plane namespace has no network label", dir)
	}
	return m[1]
}

// meshID is the mesh ID of the cluster's istiod values, or its Sail Istio's.
func meshID(t *testing.T, dir string) string {
	t.Helper()
	// istiod.values.yaml, or istiod-<revision>.values.yaml: every revision has the mesh's ID.
	vs, _ := filepath.Glob(filepath.Join(dir, "helm", "istiod*.values.yaml"))
	if f := sailIstioFile(t, dir); len(vs) == 0 && f != "" {
		b, _ := os.ReadFile(f)
		m := regexp.MustCompile(`(?m)^      meshID: (\S+)$`).FindStringSubmatch(string(b))
		if m == nil {
			t.Fatalf("%s: Sail Istio without spec.values.global.meshID", f)
		}
		return strings.Trim(m[1], `"`)
	}
	if len(vs) == 0 {
		t.Fatalf("%s: no istiod values", dir)
	}
	b, err := os.ReadFile(vs[0])
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^  meshID: (\S+)$`).FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("%s: istiod values without global.meshID", dir)
	}
	return strings.Trim(m[1], `"`)
}
