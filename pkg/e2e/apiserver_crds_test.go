package e2e

// The CRDs the API-server tests install, one set per origin. The sets from Go modules are
// pinned by the module versions in apiserver_kubectl_test.go; the ones no module serves are
// copies under testdata/crds whose header names their source (repository, commit, path).

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// crdSet is the CRDs one project ships, and the API groups they serve: a kind of those groups
// exists on a cluster only once the set is installed.
type crdSet struct {
	name   string // for messages
	groups []string
	files  func(t *testing.T) []string
}

// istioCRDSet is the Istio base chart's CRDs (networking, security, telemetry, extensions),
// from the pinned Istio module: the file the chart's templates/crds.yaml includes.
var istioCRDSet = crdSet{
	name:   "Istio's CRDs (the base chart of " + istioModule + ")",
	groups: []string{"networking.istio.io", "security.istio.io", "telemetry.istio.io", "extensions.istio.io"},
	files: func(t *testing.T) []string {
		return []string{filepath.Join(moduleDir(t, istioModule), istioCRDs)}
	},
}

// istioOperatorGroup is the IstioOperator's API group: its CRD (testdata/crds, Istio 1.23.6's)
// is what `istioctl operator init` installs, so a cluster has it only with the operator
// installer.
const istioOperatorGroup = "install.istio.io"

// moduleCRDSets are prerequisites from Go modules: their projects install them before
// meshgen's objects arrive, so a cluster has them from the start when its objects use them.
var moduleCRDSets = []crdSet{
	{
		name:   "cert-manager's CRDs (" + certManagerModule + ")",
		groups: []string{"cert-manager.io", "acme.cert-manager.io"},
		files: func(t *testing.T) []string {
			cm, err := filepath.Glob(filepath.Join(moduleDir(t, certManagerModule), certManagerCRDs, "*.yaml"))
			if err != nil || len(cm) == 0 {
				t.Fatalf("no cert-manager CRDs under %s/%s (%v)", certManagerModule, certManagerCRDs, err)
			}
			return cm
		},
	},
	{
		name:   "external-dns's DNSEndpoint CRD (" + externalDNSModule + ")",
		groups: []string{"externaldns.k8s.io"},
		files: func(t *testing.T) []string {
			return []string{filepath.Join(moduleDir(t, externalDNSModule), externalDNSCRD)}
		},
	},
	{
		name:   "external-secrets' ExternalSecret and PushSecret CRDs (" + externalSecretsModule + ")",
		groups: []string{"external-secrets.io"},
		files: func(t *testing.T) []string {
			return moduleFiles(t, externalSecretsModule, externalSecretsCRDs, externalSecretsCRDFiles)
		},
	},
	{
		// Istio's ambient guide has the user install them before Istio.
		name:   "the Gateway API's Gateway and HTTPRoute CRDs (" + gatewayAPIModule + ")",
		groups: []string{"gateway.networking.k8s.io"},
		files: func(t *testing.T) []string {
			return moduleFiles(t, gatewayAPIModule, gatewayAPICRDs, gatewayAPICRDFiles)
		},
	},
}

// localCRDSets are the copies in testdata/crds, one set per file, each file's header naming
// its source: the CRDs no pinned module serves (Rancher's Project, Istio 1.23.6's
// IstioOperator, the GitOps tools' kinds). A file's groups are its CRDs' spec.group.
func localCRDSets(t *testing.T) []crdSet {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "crds", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no local CRDs in testdata/crds (%v)", err)
	}
	var sets []crdSet
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := crdSet{name: f, files: func(*testing.T) []string { return []string{f} }}
		for _, doc := range docSeparator.Split(string(b), -1) {
			var crd struct {
				Kind string `json:"kind"`
				Spec struct {
					Group string `json:"group"`
				} `json:"spec"`
			}
			if err := yaml.Unmarshal([]byte(doc), &crd); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if crd.Kind == "CustomResourceDefinition" && !slices.Contains(s.groups, crd.Spec.Group) {
				s.groups = append(s.groups, crd.Spec.Group)
			}
		}
		if len(s.groups) == 0 {
			t.Fatalf("%s holds no CustomResourceDefinition", f)
		}
		sets = append(sets, s)
	}
	return sets
}

// prerequisiteCRDSets are every set but Istio's own: those the cluster may have from the
// start, and the IstioOperator CRD, which only the operator installer's clusters have.
func prerequisiteCRDSets(t *testing.T) []crdSet {
	t.Helper()
	return append(slices.Clip(moduleCRDSets), localCRDSets(t)...)
}

// allCRDSets is every set, for the tests that judge each object against all CRDs at once.
func allCRDSets(t *testing.T) []crdSet {
	t.Helper()
	return append([]crdSet{istioCRDSet}, prerequisiteCRDSets(t)...)
}

// serves says whether the set brings the API group.
func (s crdSet) serves(group string) bool { return slices.Contains(s.groups, group) }

// applyCRDs installs the sets' CRDs and waits until the API server serves them.
func (c *kubeCluster) applyCRDs(t *testing.T, sets ...crdSet) {
	t.Helper()
	if len(sets) == 0 {
		return
	}
	// Server-side: the largest Istio CRDs exceed the annotation size limit
	// that client-side apply's last-applied-configuration would need.
	args := []string{"apply", "--server-side", "--field-manager=meshgen-e2e"}
	for _, s := range sets {
		for _, f := range s.files(t) {
			args = append(args, "-f", f)
		}
	}
	c.mustKubectl(t, nil, args...)
	// A CRD created a moment ago may have no status yet, and kubectl wait then fails at once
	// ("accessor error: <nil>") instead of waiting: ask again.
	wait := []string{"wait", "--for=condition=established", "--timeout=120s", "crd", "--all"}
	for i := 0; ; i++ {
		res := c.kubectl(t, nil, wait...)
		if res.exitCode == 0 {
			return
		}
		if i == 4 || !strings.Contains(res.output(), "accessor error") {
			t.Fatalf("kubectl %s: exit %d\n%s", strings.Join(wait, " "), res.exitCode, res.output())
		}
		time.Sleep(time.Second)
	}
}

// TestIstioCRDsPinned checks that the API-server tests take Istio's CRDs from the module the
// tools are built from (.ci/tools exports its source as MESHGEN_ISTIO_SRC): two pins that
// drift apart would judge the output against CRDs of another Istio than istioctl's.
func TestIstioCRDsPinned(t *testing.T) {
	src := os.Getenv("MESHGEN_ISTIO_SRC")
	if src == "" {
		t.Skip("MESHGEN_ISTIO_SRC is not set: eval \"$(bash .ci/tools)\" first")
	}
	if got := moduleDir(t, istioModule); filepath.Clean(got) != filepath.Clean(src) {
		t.Errorf("istioModule is %s (%s), but the tools' Istio source is MESHGEN_ISTIO_SRC=%s: pin both to one version", istioModule, got, src)
	}
}
