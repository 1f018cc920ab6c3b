package sink

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTreePhases: a cluster's objects land in its phase folders, each with a kustomization
// listing exactly its files, and the cluster's kustomization lists the phase folders in
// rollout order, so kubectl apply -k <cluster> applies them all; a phase without objects has
// no folder; a hub folder (rancher) stays flat. After the phases change, stale phase folders'
// files go and the tree is up to date.
func TestTreePhases(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	docs := []doc{
		{Path: "east/1-base/namespace_shop.yaml", Version: "1"},
		{Path: "east/3-gateways/shop_secret_remote.yaml", Version: "1"},
		{Path: "east/4-traffic/shop_service_catalog.yaml", Version: "1"},
		{Path: "rancher/c-abcde_project_istio.yaml", Version: "1"},
	}
	if err := write(dir, docs); err != nil {
		t.Fatal(err)
	}
	read := func(p string) string {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	resources := func(p string) string {
		_, r, _ := strings.Cut(read(p), "resources:\n")
		return r
	}
	for p, want := range map[string]string{
		"east/kustomization.yaml":            "- 1-base\n- 3-gateways\n- 4-traffic\n",
		"east/1-base/kustomization.yaml":     "- namespace_shop.yaml\n",
		"east/3-gateways/kustomization.yaml": "- shop_secret_remote.yaml\n",
		"east/4-traffic/kustomization.yaml":  "- shop_service_catalog.yaml\n",
		"rancher/kustomization.yaml":         "- c-abcde_project_istio.yaml\n",
	} {
		if got := resources(p); got != want {
			t.Errorf("%s lists\n%s\nwant\n%s", p, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "east", "2-istiod")); err == nil {
		t.Error("a phase without objects has a folder")
	}
	if !strings.Contains(read(ManifestFile), "east/3-gateways/kustomization.yaml\n") {
		t.Errorf("%s does not list a phase's kustomization", ManifestFile)
	}
	// The gateways' phase goes away: its files go, and the cluster no longer lists it.
	docs = append(docs[:1], docs[2:]...)
	if err := write(dir, docs); err != nil {
		t.Fatal(err)
	}
	if got := resources("east/kustomization.yaml"); got != "- 1-base\n- 4-traffic\n" {
		t.Errorf("after the gateways went: east/kustomization.yaml lists\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "east", "3-gateways", "kustomization.yaml")); err == nil {
		t.Error("the stale phase's kustomization was kept")
	}
	c := &Check{Dir: dir, Mesh: "demo"}
	for _, f := range treeFolders(docs) {
		if err := c.Put(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Commit(); err != nil || c.Diff != "" {
		t.Errorf("--check after render: %v\n%s", err, c.Diff)
	}
}
