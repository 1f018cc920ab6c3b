package e2e

// The CRDs the API-server tests install, one set per origin. The sets from Go modules are
// pinned by the module versions in apiserver_kubectl_test.go; the ones no module serves are
// copies under testdata/crds whose header names their source.

import (
	"path/filepath"
	"testing"
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

// istioOperatorCRDSet is what `istioctl operator init` installs: the IstioOperator CRD of
// Istio 1.23.6, the last release with the in-cluster operator (see the file's header).
var istioOperatorCRDSet = crdSet{
	name:   "the IstioOperator CRD of Istio 1.23.6 (istioctl operator init)",
	groups: []string{"install.istio.io"},
	files: func(t *testing.T) []string {
		return []string{filepath.Join("testdata", "crds", "istiooperators.install.istio.io-1.23.6.yaml")}
	},
}

// prerequisiteCRDSets are installed by their own projects before meshgen's objects arrive:
// a cluster has them from the start when its objects use them.
var prerequisiteCRDSets = []crdSet{
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
	{
		// Rancher creates it at run time; the copy's header says what it holds.
		name:   "Rancher's Project CRD (testdata/crds)",
		groups: []string{"management.cattle.io"},
		files: func(t *testing.T) []string {
			return []string{filepath.Join("testdata", "crds", "projects.management.cattle.io.yaml")}
		},
	},
}

// allCRDSets is every set, for the tests that judge each object against all CRDs at once.
func allCRDSets() []crdSet {
	return append([]crdSet{istioCRDSet, istioOperatorCRDSet}, prerequisiteCRDSets...)
}

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
	c.mustKubectl(t, nil, "wait", "--for=condition=established", "--timeout=120s", "crd", "--all")
}
