package e2e

// The remote secrets of the live mesh, whoever makes them: meshgen itself (inline: they are
// in the output), the user with istioctl create-remote-secret (mode none), or the
// external-secrets operator (mode externalSecret). The test plays the user and the operator,
// and under both the token controller, which fills each cluster's reader token Secret.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"text/template"

	"github.com/meshgen/meshgen/pkg/api"
	k8syaml "sigs.k8s.io/yaml"
)

// playRemoteSecrets fills the token Secrets and, where meshgen writes no remote secrets
// itself, makes them as their maker would.
func (m *liveMesh) playRemoteSecrets(t *testing.T, dir string) {
	t.Helper()
	if len(m.clusters) < 2 {
		return
	}
	for _, c := range m.clusters {
		m.playTokenController(t, c)
	}
	switch m.cfg.Spec.RemoteSecrets.Mode {
	case api.RemoteSecretsNone:
		m.playIstioctl(t, dir)
	case api.RemoteSecretsExternalSecret:
		m.playExternalSecrets(t)
	}
}

// playTokenController does what the token controller does for every
// kubernetes.io/service-account-token Secret: data token (one the cluster's API server
// accepts for the ServiceAccount; here issued by the API server's TokenRequest, bound to
// the Secret), ca.crt (the cluster's CA) and namespace.
func (m *liveMesh) playTokenController(t *testing.T, c *liveCluster) {
	t.Helper()
	for _, s := range listObjects(t, c, "secrets", "--field-selector", "type=kubernetes.io/service-account-token") {
		ns, name := s.str("metadata", "namespace"), s.name()
		sa := s.str("metadata", "annotations", "kubernetes.io/service-account.name")
		tok := c.mustKubectl(t, nil, "create", "token", sa, "-n", ns, "--duration=24h",
			"--bound-object-kind=Secret", "--bound-object-name="+name)
		patch, _ := json.Marshal(map[string]any{"data": map[string][]byte{
			"token": []byte(strings.TrimSpace(tok.stdout)), "ca.crt": c.caPEM, "namespace": []byte(ns)}})
		c.mustKubectl(t, nil, "patch", "secret", name, "-n", ns, "--type=merge", "-p", string(patch))
	}
}

// playIstioctl is the user of remoteSecrets.mode none, who runs istioctl
// create-remote-secret against each cluster (it finds meshgen's reader token Secret) and
// applies the result in every other cluster.
func (m *liveMesh) playIstioctl(t *testing.T, dir string) {
	t.Helper()
	for _, c := range m.clusters {
		ns := m.readerNamespace(t, c)
		stdout, stderr, code := run(t, dir, nil, tool(t, "istioctl"), "create-remote-secret",
			"--kubeconfig", c.kubeconfig, "--name", c.name, "--istioNamespace", ns, "--create-service-account=false")
		if code != 0 {
			t.Fatalf("istioctl create-remote-secret --name %s: exit %d\n%s", c.name, code, stderr)
		}
		for _, p := range m.clusters {
			if p != c {
				p.mustKubectl(t, []byte(stdout), "apply", "--server-side=false", "-f", "-")
			}
		}
	}
	m.userSecrets = true
}

// readerNamespace is where meshgen put the cluster's reader ServiceAccount.
func (m *liveMesh) readerNamespace(t *testing.T, c *liveCluster) string {
	t.Helper()
	return m.outputFile(t, c.name, func(o object) bool {
		return o.kind() == "ServiceAccount" && o.name() == "istio-reader-service-account"
	}).obj.str("metadata", "namespace")
}

// store is the played secret store: store (kind/name) -> key -> property -> value.
type store map[string]map[string]map[string][]byte

// playExternalSecrets is the external-secrets operator, once: every PushSecret pushes its
// Secret's values to the played store, then every ExternalSecret reads the store and writes
// its target Secret from its template. It implements what meshgen's objects use and fails
// on anything else, so that an object it cannot play is caught rather than half played.
func (m *liveMesh) playExternalSecrets(t *testing.T) {
	t.Helper()
	st := store{}
	for _, c := range m.clusters {
		for _, ps := range listObjects(t, c, "pushsecrets.external-secrets.io") {
			if err := st.push(ps, func(ns, name string) (map[string][]byte, error) { return secretData(t, c, ns, name) }); err != nil {
				t.Fatalf("%s: PushSecret %s: %v", c.name, ps.name(), err)
			}
		}
	}
	for _, c := range m.clusters {
		for _, es := range listObjects(t, c, "externalsecrets.external-secrets.io") {
			s, err := st.externalSecret(es)
			if err != nil {
				t.Fatalf("%s: ExternalSecret %s: %v", c.name, es.name(), err)
			}
			b, _ := json.Marshal(s)
			c.mustKubectl(t, b, "apply", "--server-side=false", "-f", "-")
		}
	}
}

// listObjects is kubectl get of a resource in all namespaces, with more selecting args.
func listObjects(t *testing.T, c *liveCluster, resource string, args ...string) []object {
	t.Helper()
	res := c.mustKubectl(t, nil, append([]string{"get", resource, "-A", "-o", "json"}, args...)...)
	var list struct {
		Items []object `json:"items"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &list); err != nil {
		t.Fatal(err)
	}
	return list.Items
}

func secretData(t *testing.T, c *liveCluster, ns, name string) (map[string][]byte, error) {
	res := c.kubectl(t, nil, "get", "secret", name, "-n", ns, "-o", "json")
	if res.exitCode != 0 {
		return nil, fmt.Errorf("Secret %s/%s: %s", ns, name, strings.TrimSpace(res.stderr))
	}
	var s struct {
		Data map[string][]byte `json:"data"`
	}
	err := json.Unmarshal([]byte(res.stdout), &s)
	return s.Data, err
}

// only fails when o has a key outside allowed: a field the played operator does not
// implement. An allowed "key=value" admits the key with that value only (the CRD's default,
// which the API server fills in).
func only(o any, what string, allowed ...string) error {
	m, _ := o.(map[string]any)
	var extra []string
	for k, v := range m {
		if !contains(allowed, k) && !contains(allowed, fmt.Sprintf("%s=%v", k, v)) {
			extra = append(extra, fmt.Sprintf("%s (%v)", k, v))
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		return fmt.Errorf("%s: the played external-secrets does not implement %s", what, strings.Join(extra, ", "))
	}
	return nil
}

func storeName(ref any) string {
	r := object(asMap(ref))
	return r.str("kind") + "/" + r.str("name")
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// push is a PushSecret: each data entry's secretKey of the selected Secret to its remote
// key and property, in every store the PushSecret names.
func (st store) push(ps object, read func(ns, name string) (map[string][]byte, error)) error {
	spec := ps.get("spec")
	if err := only(spec, "spec", "data", "deletionPolicy", "refreshInterval", "secretStoreRefs", "selector", "updatePolicy=Replace"); err != nil {
		return err
	}
	if err := only(ps.get("spec", "selector"), "spec.selector", "secret"); err != nil {
		return err
	}
	name := ps.str("spec", "selector", "secret", "name")
	data, err := read(ps.str("metadata", "namespace"), name)
	if err != nil {
		return err
	}
	refs, _ := ps.get("spec", "secretStoreRefs").([]any)
	if len(refs) == 0 {
		return fmt.Errorf("spec.secretStoreRefs: none")
	}
	entries, _ := ps.get("spec", "data").([]any)
	for _, e := range entries {
		d := object(asMap(e))
		if err := only(map[string]any(d), "spec.data[]", "conversionStrategy=None", "match"); err != nil {
			return err
		}
		key, rk, prop := d.str("match", "secretKey"), d.str("match", "remoteRef", "remoteKey"), d.str("match", "remoteRef", "property")
		v, ok := data[key]
		if !ok || len(v) == 0 {
			return fmt.Errorf("Secret %s has no %s to push", name, key)
		}
		if prop == "" {
			return fmt.Errorf("spec.data: %s: no property (the played store keeps properties under a key)", rk)
		}
		for _, r := range refs {
			s := storeName(r)
			if st[s] == nil {
				st[s] = map[string]map[string][]byte{}
			}
			if st[s][rk] == nil {
				st[s][rk] = map[string][]byte{}
			}
			st[s][rk][prop] = v
		}
	}
	return nil
}

// externalSecret is what the operator writes for an ExternalSecret: the store's values
// under their secretKeys, through the target template (engine v2: Go text/template).
func (st store) externalSecret(es object) (object, error) {
	if err := only(es.get("spec"), "spec", "data", "refreshInterval", "secretStoreRef", "target"); err != nil {
		return nil, err
	}
	if err := only(es.get("spec", "target"), "spec.target", "creationPolicy=Owner", "deletionPolicy=Retain", "name", "template"); err != nil {
		return nil, err
	}
	tpl := es.get("spec", "target", "template")
	if err := only(tpl, "spec.target.template", "data", "engineVersion=v2", "mergePolicy=Replace", "metadata", "type"); err != nil {
		return nil, err
	}
	if err := only(es.get("spec", "target", "template", "metadata"), "spec.target.template.metadata", "annotations", "labels"); err != nil {
		return nil, err
	}
	values := map[string]string{}
	s := st[storeName(es.get("spec", "secretStoreRef"))]
	entries, _ := es.get("spec", "data").([]any)
	for _, e := range entries {
		d := object(asMap(e))
		if err := only(d.get("remoteRef"), "spec.data[].remoteRef", "conversionStrategy=Default", "decodingStrategy=None", "key", "metadataPolicy=None", "property"); err != nil {
			return nil, err
		}
		key, prop := d.str("remoteRef", "key"), d.str("remoteRef", "property")
		v, ok := s[key][prop]
		if !ok {
			return nil, fmt.Errorf("the store %s has no %s, property %s", storeName(es.get("spec", "secretStoreRef")), key, prop)
		}
		values[d.str("secretKey")] = string(v)
	}
	data := map[string][]byte{}
	tdata := asMap(es.get("spec", "target", "template", "data"))
	for k, v := range tdata {
		text, _ := v.(string)
		out, err := evalTemplate(k, text, values)
		if err != nil {
			return nil, fmt.Errorf("spec.target.template.data.%s: %v", k, err)
		}
		data[k] = []byte(out)
	}
	name := es.str("spec", "target", "name")
	if name == "" {
		name = es.name()
	}
	meta := map[string]any{"name": name, "namespace": es.str("metadata", "namespace"),
		"ownerReferences": []any{map[string]any{"apiVersion": es.str("apiVersion"), "kind": "ExternalSecret",
			"name": es.name(), "uid": es.str("metadata", "uid"), "controller": true, "blockOwnerDeletion": true}}}
	for _, f := range []string{"labels", "annotations"} {
		if v := es.get("spec", "target", "template", "metadata", f); v != nil {
			meta[f] = v
		}
	}
	typ := es.str("spec", "target", "template", "type")
	if typ == "" {
		typ = "Opaque"
	}
	return object{"apiVersion": "v1", "kind": "Secret", "metadata": meta, "type": typ, "data": data}, nil
}

// templateFuncs are the functions of external-secrets' template engine v2 that meshgen's
// templates use; a template calling any other fails to parse ("function ... not defined").
var templateFuncs = template.FuncMap{
	"b64enc": func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
}

// evalTemplate evaluates one template of the data as external-secrets' engine v2 does
// (Go text/template over the values by secretKey); a missing value is an error.
func evalTemplate(name, text string, values map[string]string) (string, error) {
	tpl, err := template.New(name).Option("missingkey=error").Funcs(templateFuncs).Parse(text)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := tpl.Execute(&b, values); err != nil {
		return "", err
	}
	return b.String(), nil
}

// clusterRemoteSecret is the remote secret for peer in the cluster, as the API server holds
// it (whoever made it), written to a file for reapplying.
func (m *liveMesh) clusterRemoteSecret(t *testing.T, c *liveCluster, peer string) outputObject {
	t.Helper()
	for _, s := range listObjects(t, c, "secrets", "-l", "istio/multiCluster=true") {
		if s.str("metadata", "annotations", "networking.istio.io/cluster") != peer {
			continue
		}
		md := asMap(s["metadata"])
		for _, k := range []string{"resourceVersion", "uid", "creationTimestamp", "managedFields", "generation"} {
			delete(md, k)
		}
		if a := asMap(md["annotations"]); a != nil {
			delete(a, "kubectl.kubernetes.io/last-applied-configuration")
		}
		b, _ := k8syaml.Marshal(s)
		f := filepath.Join(t.TempDir(), "remote-secret-"+peer+".yaml")
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return outputObject{f, s}
	}
	t.Fatalf("%s holds no remote secret for %s", c.name, peer)
	return outputObject{}
}
