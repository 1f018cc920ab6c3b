package certs

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// istioCACerts is .ci/istio-cacerts built by .ci/tools: it loads a folder as istiod loads a
// plugged-in cacerts (ca.NewPluggedCertIstioCAOptions of the pinned Istio module), signs a
// workload certificate with it and verifies that against root-cert.pem.
func istioCACerts(t *testing.T) string {
	t.Helper()
	p := os.Getenv("MESHGEN_ISTIO_CACERTS")
	if p == "" {
		if os.Getenv("MESHGEN_SKIP_E2E") != "" {
			t.Skip("MESHGEN_ISTIO_CACERTS not set and MESHGEN_SKIP_E2E set")
		}
		t.Fatal("MESHGEN_ISTIO_CACERTS not set: run eval \"$(bash .ci/tools)\" or set MESHGEN_SKIP_E2E=1")
	}
	return p
}

func TestIstioLoadsClusterFolders(t *testing.T) {
	bin := istioCACerts(t)
	dir := t.TempDir()
	mustWrite(t, dir, false, "c1", "c2")
	for _, cl := range []string{"c1", "c2"} {
		out, err := exec.Command(bin, filepath.Join(dir, cl)).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "ok" {
			t.Errorf("%s: %v\n%s", cl, err, out)
		}
	}
	// Negative control: Istio refuses a folder whose root-cert.pem is another root.
	other := t.TempDir()
	mustWrite(t, other, false)
	root, _ := os.ReadFile(filepath.Join(other, RootCert))
	os.WriteFile(filepath.Join(dir, "c1", RootCert), root, 0o644)
	if out, err := exec.Command(bin, filepath.Join(dir, "c1")).CombinedOutput(); err == nil {
		t.Errorf("a foreign root passed:\n%s", out)
	}
}

// The checker is built from the Istio module istioctl is built from; the pins must agree.
func TestIstioCACertsPin(t *testing.T) {
	tools, err := os.ReadFile("../../.ci/tools")
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile("../../.ci/istio-cacerts/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	a := regexp.MustCompile(`(?m)^istioctl_version=(\S+)$`).FindSubmatch(tools)
	b := regexp.MustCompile(`(?m)^require istio\.io/istio (\S+)$`).FindSubmatch(mod)
	if a == nil || b == nil {
		t.Fatalf("no pin found: .ci/tools %v, go.mod %v", a != nil, b != nil)
	}
	if string(a[1]) != string(b[1]) {
		t.Errorf(".ci/tools pins istioctl %s, .ci/istio-cacerts/go.mod istio.io/istio %s", a[1], b[1])
	}
}
