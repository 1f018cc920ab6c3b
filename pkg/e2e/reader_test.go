package e2e

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestReaderRulesMirrorChart holds meshgen's reader ClusterRole to the one the pinned Istio's
// istiod chart renders with its defaults (templates/reader-clusterrole.yaml), which istioctl
// create-remote-secret applies when the reader account is missing: a peer's istiod must be able
// to read with meshgen's reader token what it reads with istioctl's. An Istio update that
// changes the rules fails here.
func TestReaderRulesMirrorChart(t *testing.T) {
	helm := tool(t, "helm")
	chart := filepath.Join(moduleDir(t, istioModule), "manifests", "charts", "istio-control", "istio-discovery")
	stdout, stderr, code := run(t, t.TempDir(), nil, helm, "template", "istiod", chart, "--namespace", "istio-system", "--show-only", "templates/reader-clusterrole.yaml")
	if code != 0 {
		t.Fatalf("helm template: exit %d\n%s", code, stderr)
	}
	type rules struct {
		Kind  string `json:"kind"`
		Rules []struct {
			APIGroups []string `json:"apiGroups"`
			Resources []string `json:"resources"`
			Verbs     []string `json:"verbs"`
		} `json:"rules"`
	}
	var want, got rules
	if err := yaml.Unmarshal([]byte(stdout), &want); err != nil || want.Kind != "ClusterRole" || len(want.Rules) == 0 {
		t.Fatalf("the chart's reader ClusterRole: %v\n%s", err, stdout)
	}
	b, err := os.ReadFile(objectFile(filepath.Join(renderTree(t, "three-sites"), "fra"), "clusterrole_meshgen-istio-reader.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(b, &struct {
		*rules     `json:",inline"`
		APIVersion string         `json:"apiVersion"`
		Metadata   map[string]any `json:"metadata"`
	}{rules: &got}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Rules, want.Rules) {
		t.Errorf("meshgen's reader rules differ from the chart's:\n got %+v\nwant %+v", got.Rules, want.Rules)
	}
}
