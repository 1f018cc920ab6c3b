package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// Where the CRDs of third-party kinds that meshgen emits come from. The Go
// module proxy is the one source every developer machine and CI can reach,
// so each set is read from a module that ships it.
const (
	istioModule = "istio.io/istio@v0.0.0-20260827124520-eed52ebb66ad"
	istioCRDs   = "manifests/charts/base/files/crd-all.gen.yaml"

	certManagerModule = "github.com/cert-manager/cert-manager@v1.21.2"
	certManagerCRDs   = "deploy/crds"

	// v0.23.0 declares go 1.27, which this toolchain refuses to load.
	externalDNSModule = "sigs.k8s.io/external-dns@v0.22.0"
	externalDNSCRD    = "config/crd/standard/dnsendpoints.externaldns.k8s.io.yaml"

	// v0.16 is the first with ExternalSecret external-secrets.io/v1 (PushSecret is still
	// v1alpha1); the newest the module proxy serves whole here.
	externalSecretsModule = "github.com/external-secrets/external-secrets@v0.16.2"
	externalSecretsCRDs   = "config/crds/bases"
)

// The Gateway API kinds meshgen writes (spec.dataplane ambient), from the standard channel
// of the release the pinned Istio module builds against (its go.mod), as gen.GatewayAPIVersion.
const (
	gatewayAPIModule = "sigs.k8s.io/gateway-api@v1.6.0"
	gatewayAPICRDs   = "config/crd/standard"
)

// gatewayAPICRDFiles are the standard channel's CRDs, all of them, as a user installs it: istiod
// watches the Gateway API once its CRDs exist, and with Gateway and HTTPRoute alone its
// GatewayClass informer never syncs ("could not find the requested resource") and istiod never
// becomes ready, which stalled every live mesh.
var gatewayAPICRDFiles = []string{
	"gateway.networking.k8s.io_backendtlspolicies.yaml", "gateway.networking.k8s.io_gatewayclasses.yaml",
	"gateway.networking.k8s.io_gateways.yaml", "gateway.networking.k8s.io_grpcroutes.yaml",
	"gateway.networking.k8s.io_httproutes.yaml", "gateway.networking.k8s.io_listenersets.yaml",
	"gateway.networking.k8s.io_referencegrants.yaml", "gateway.networking.k8s.io_tcproutes.yaml",
	"gateway.networking.k8s.io_tlsroutes.yaml", "gateway.networking.k8s.io_udproutes.yaml",
}

// The external-secrets kinds meshgen writes (remoteSecrets.mode externalSecret).
var externalSecretsCRDFiles = []string{"external-secrets.io_externalsecrets.yaml", "external-secrets.io_pushsecrets.yaml"}

const kubectlTimeout = 3 * time.Minute

type kubectlResult struct {
	stdout, stderr string
	exitCode       int
}

func (r kubectlResult) output() string {
	return strings.TrimSpace(r.stdout + "\n" + r.stderr)
}

// kubectl runs kubectl against the cluster. A non-zero exit is reported in
// the result, not as an error: several callers give exit codes meaning.
func (c *kubeCluster) kubectl(t *testing.T, stdin []byte, args ...string) kubectlResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), kubectlTimeout)
	defer cancel()
	full := append([]string{
		"--kubeconfig=" + c.kubeconfig,
		// Keeps the discovery cache out of the developer's ~/.kube.
		"--cache-dir=" + filepath.Join(c.dir, "kubectl-cache"),
	}, args...)
	cmd := exec.CommandContext(ctx, c.tools.kubectl, full...)
	cmd.Env = kubectlEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	res := kubectlResult{stdout: stdout.String(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr) && ctx.Err() == nil:
		res.exitCode = exitErr.ExitCode()
	default:
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, res.output())
	}
	return res
}

// mustKubectl is kubectl for steps whose failure leaves nothing to check.
func (c *kubeCluster) mustKubectl(t *testing.T, stdin []byte, args ...string) kubectlResult {
	t.Helper()
	res := c.kubectl(t, stdin, args...)
	if res.exitCode != 0 {
		t.Fatalf("kubectl %s: exit %d\n%s", strings.Join(args, " "), res.exitCode, res.output())
	}
	return res
}

// kubectlEnv drops the developer's kubectl settings so that nothing but our
// flags decides which cluster is talked to and how output looks.
func kubectlEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "KUBECONFIG=") || strings.HasPrefix(kv, "KUBECTL_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// installCRDs installs every CRD the generated manifests may need and waits
// until the apiserver serves them.
func (c *kubeCluster) installCRDs(t *testing.T) {
	t.Helper()
	c.applyCRDs(t, allCRDSets(t)...)
}

// moduleFiles are the paths of names in dir of a module version.
func moduleFiles(t *testing.T, modVersion, dir string, names []string) []string {
	t.Helper()
	root := moduleDir(t, modVersion)
	var fs []string
	for _, n := range names {
		fs = append(fs, filepath.Join(root, dir, n))
	}
	return fs
}

// moduleDir returns the extracted source of a module version, downloading
// it through the module proxy unless it is already in the module cache.
func moduleDir(t *testing.T, modVersion string) string {
	t.Helper()
	// The phases test asks once per cluster; go mod download takes a second each time.
	if dir, ok := moduleDirs.Load(modVersion); ok {
		return dir.(string)
	}
	cmd := exec.Command("go", "mod", "download", "-json", modVersion)
	// Outside any module, so the main module's go.mod is neither consulted
	// nor modified.
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &info); jerr != nil && err == nil {
		err = jerr
	}
	if info.Error != "" {
		err = errors.New(info.Error)
	}
	if err != nil || info.Dir == "" {
		t.Fatalf("go mod download %s: %v\n%s", modVersion, err, stderr.String())
	}
	moduleDirs.Store(modVersion, info.Dir)
	return info.Dir
}

var moduleDirs sync.Map // module@version -> its directory in the module cache

// kubeObject is the identity of one manifest in a kustomize build.
type kubeObject struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	doc []byte
}

var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// build returns the objects `kubectl apply -k dir` would send, in order.
func (c *kubeCluster) build(t *testing.T, dir string) []kubeObject {
	t.Helper()
	res := c.mustKubectl(t, nil, "kustomize", dir)
	var objs []kubeObject
	for _, doc := range docSeparator.Split(res.stdout, -1) {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		j, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			t.Fatalf("kustomize %s: %v\n%s", dir, err, doc)
		}
		var o kubeObject
		if err := json.Unmarshal(j, &o); err != nil {
			t.Fatalf("kustomize %s: %v\n%s", dir, err, doc)
		}
		o.doc = []byte(doc)
		objs = append(objs, o)
	}
	return objs
}

func joinDocs(objs []kubeObject) []byte {
	var b bytes.Buffer
	for _, o := range objs {
		b.WriteString("---\n")
		b.Write(o.doc)
		if !bytes.HasSuffix(o.doc, []byte("\n")) {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// ensureNamespaces applies the folder's Namespace objects, so the dry run of
// everything else is judged as it would be on a cluster where they exist.
// A namespace that objects use but the folder does not declare (such as the
// Rancher cluster-ID namespace, which Rancher owns) is created bare and
// logged.
func (c *kubeCluster) ensureNamespaces(t *testing.T, objs []kubeObject) {
	t.Helper()
	c.applyNamespaces(t, objs)
	c.createBare(t, undeclaredNamespaces(objs))
}

// applyNamespaces applies the Namespace objects among objs.
func (c *kubeCluster) applyNamespaces(t *testing.T, objs []kubeObject) {
	t.Helper()
	var nsObjs []kubeObject
	for _, o := range objs {
		if o.Kind == "Namespace" && o.APIVersion == "v1" {
			nsObjs = append(nsObjs, o)
		}
	}
	if len(nsObjs) > 0 {
		c.mustKubectl(t, joinDocs(nsObjs), "apply", "--server-side=false", "-f", "-")
	}
}

// undeclaredNamespaces are the namespaces objects use that none of them declares, sorted.
func undeclaredNamespaces(objs []kubeObject) []string {
	declared := map[string]bool{}
	for _, o := range objs {
		if o.Kind == "Namespace" && o.APIVersion == "v1" {
			declared[o.Metadata.Name] = true
		}
	}
	var undeclared []string
	seen := map[string]bool{}
	for _, o := range objs {
		ns := o.Metadata.Namespace
		if ns == "" || declared[ns] || seen[ns] {
			continue
		}
		seen[ns] = true
		undeclared = append(undeclared, ns)
	}
	sort.Strings(undeclared)
	return undeclared
}

// createBare creates namespaces with nothing but their names, logged: their owner is not
// the folder under test.
func (c *kubeCluster) createBare(t *testing.T, namespaces []string) {
	t.Helper()
	for _, ns := range namespaces {
		t.Logf("namespace %q is used but not declared in this folder; creating it bare", ns)
		doc := fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n", ns)
		c.mustKubectl(t, []byte(doc), "apply", "--server-side=false", "-f", "-")
	}
}

// logWarnings surfaces the apiserver's warnings (deprecated versions,
// ignored fields, ...) without failing: they are for the generator's author.
func logWarnings(t *testing.T, what string, res kubectlResult) {
	t.Helper()
	for _, line := range strings.Split(res.stderr, "\n") {
		if strings.HasPrefix(line, "Warning:") {
			t.Logf("%s: %s", what, line)
		}
	}
}

// dryRun asks the apiserver to admit every object in the folder, with
// unknown and duplicate fields treated as errors.
func (c *kubeCluster) dryRun(t *testing.T, dir string) {
	t.Helper()
	c.ensureNamespaces(t, c.build(t, dir))
	res := c.kubectl(t, nil, "apply", "-k", dir, "--dry-run=server", "--validate=strict")
	logWarnings(t, "dry run", res)
	if res.exitCode != 0 {
		t.Errorf("the apiserver rejected objects of %s (exit %d):\n%s", dir, res.exitCode, rejections(res))
	}
}

// rejections keeps kubectl's error lines, which name each refused object,
// and drops the "created (server dry run)" lines of the accepted ones.
func rejections(res kubectlResult) string {
	var lines []string
	for _, line := range strings.Split(res.stderr, "\n") {
		if strings.TrimSpace(line) != "" && !strings.HasPrefix(line, "Warning:") {
			lines = append(lines, line)
		}
	}
	if len(lines) == 0 {
		return res.output()
	}
	return strings.Join(lines, "\n")
}

// applyIdempotent applies the folder for real, then checks that the cluster
// holds exactly what the folder says (kubectl diff) and that applying a
// fresh render of the same input changes nothing.
func (c *kubeCluster) applyIdempotent(t *testing.T, dir string, rerender func(t *testing.T)) {
	t.Helper()
	c.ensureNamespaces(t, c.build(t, dir))
	res := c.kubectl(t, nil, "apply", "-k", dir, "--server-side=false")
	logWarnings(t, "apply", res)
	if res.exitCode != 0 {
		t.Fatalf("kubectl apply -k %s: exit %d\n%s", dir, res.exitCode, res.output())
	}

	// Exit 1 means "differences found"; above that, diff itself failed.
	res = c.kubectl(t, nil, "diff", "-k", dir)
	switch res.exitCode {
	case 0:
	case 1:
		t.Errorf("kubectl diff -k %s: the cluster differs from the manifests right after applying them:\n%s", dir, res.output())
	default:
		t.Errorf("kubectl diff -k %s: exit %d\n%s", dir, res.exitCode, res.output())
	}

	rerender(t)
	res = c.kubectl(t, nil, "apply", "-k", dir, "--server-side=false")
	logWarnings(t, "re-apply", res)
	if res.exitCode != 0 {
		t.Fatalf("re-applying %s: exit %d\n%s", dir, res.exitCode, res.output())
	}
	var changed []string
	n := 0
	for _, line := range strings.Split(res.stdout, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		n++
		if !strings.HasSuffix(line, " unchanged") {
			changed = append(changed, line)
		}
	}
	if n == 0 {
		t.Errorf("re-applying %s reported no objects:\n%s", dir, res.output())
	}
	if len(changed) > 0 {
		t.Errorf("re-applying a fresh render of %s was not a no-op; these objects are not 'unchanged':\n%s",
			dir, strings.Join(changed, "\n"))
	}
}

// deleteApplied removes what applyIdempotent created, except namespaces:
// without kube-controller-manager nothing finalizes a deleted namespace, and
// a namespace stuck in Terminating would refuse the next example's objects.
func (c *kubeCluster) deleteApplied(t *testing.T, dir string) {
	t.Helper()
	var rest []kubeObject
	for _, o := range c.build(t, dir) {
		if !(o.Kind == "Namespace" && o.APIVersion == "v1") {
			rest = append(rest, o)
		}
	}
	if len(rest) == 0 {
		return
	}
	c.mustKubectl(t, joinDocs(rest), "delete", "-f", "-", "--ignore-not-found", "--wait=true", "--timeout=60s")
}

// kustomizeFolders lists the immediate subfolders of out that hold a
// kustomization, sorted, which is how meshgen lays out one folder per
// cluster.
func kustomizeFolders(t *testing.T, out string) []string {
	t.Helper()
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		for _, name := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
			if _, err := os.Stat(filepath.Join(out, e.Name(), name)); err == nil {
				dirs = append(dirs, e.Name())
				break
			}
		}
	}
	sort.Strings(dirs)
	if len(dirs) == 0 {
		t.Fatalf("no folder with a kustomization.yaml in %s", out)
	}
	return dirs
}
