package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestKustomizeCredentialsNotLocalConfig: a credentials Secret without
// config.kubernetes.io/local-config would be copied by kustomize into its output, token and
// all, beside the remote secrets. The build must fail instead, name the annotation and print no
// token.
func TestKustomizeCredentialsNotLocalConfig(t *testing.T) {
	kustomize := tool(t, "kustomize")
	dir := kustomizeExample(t)
	credsFile := filepath.Join(dir, "credentials", "credentials.yaml")
	b, err := os.ReadFile(credsFile)
	if err != nil {
		t.Fatal(err)
	}
	tokens := regexp.MustCompile(`(?m)^  token: (\S+)$`).FindAllStringSubmatch(string(b), -1)
	if len(tokens) < 2 {
		t.Fatalf("want two tokens in %s, got %v", credsFile, tokens)
	}
	stripped := strings.ReplaceAll(string(b), "    config.kubernetes.io/local-config: \"true\"\n", "")
	if strings.Contains(stripped, "local-config") {
		t.Fatal("the example's credentials carry local-config in another form")
	}
	if err := os.WriteFile(credsFile, []byte(stripped), 0o644); err != nil {
		t.Fatal(err)
	}

	out, stderr, code := run(t, repo, nil, kustomize, "build", "--enable-alpha-plugins", "--enable-exec", filepath.Join(dir, "clusters", "mcsps-test-k8s-01"))
	if code == 0 {
		t.Errorf("kustomize build succeeded with credentials that are not local-config")
	}
	for _, tok := range tokens {
		if strings.Contains(out, tok[1]) || strings.Contains(stderr, tok[1]) {
			t.Errorf("the output shows the token of the credentials (%.12s...)", tok[1])
		}
	}
	for _, want := range []string{"metadata.annotations.config.kubernetes.io/local-config", `missing annotation config.kubernetes.io/local-config: "true"`, "mcsps-test-k8s-01-reader"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// kustomizeExample copies the mesh, the credentials and the first cluster's overlay of
// examples/kustomize into a temporary folder, the exec path made absolute, and builds
// bin/meshgen.
func kustomizeExample(t *testing.T) string {
	t.Helper()
	repoBinary(t)
	src := filepath.Join(repo, "examples", "kustomize")
	dir := t.TempDir()
	for _, p := range []string{"mesh", "credentials", "clusters/mcsps-test-k8s-01", "clusters/mcsps-test-k8s-01/meshgen"} {
		copyDir(t, filepath.Join(src, p), filepath.Join(dir, p))
	}
	meshFile := filepath.Join(dir, "mesh", "mesh.yaml")
	b, err := os.ReadFile(meshFile)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), "path: ../../../../bin/meshgen", "path: "+filepath.Join(repo, "bin", "meshgen"), 1)
	if s == string(b) {
		t.Fatal("the example's exec path moved")
	}
	if err := os.WriteFile(meshFile, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
