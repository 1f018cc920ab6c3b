package krm_test

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/meshgen/meshgen/pkg/cli"
	"github.com/meshgen/meshgen/pkg/gen"
)

// passthroughItems are the package's own objects as kpt sends them: comments everywhere,
// anchors and aliases, odd indentation and key order, flow and block styles, quoted strings
// that look like numbers and booleans, path and index annotations, the credentials, the
// MeshConfig itself, and objects that look like meshgen's but belong to another mesh.
const passthroughItems = `items:
# The application's settings; a head comment on the first item.
- apiVersion: v1
  kind: ConfigMap
  metadata:
        name: settings          # eight spaces of indentation
        namespace: app
        annotations:
            config.kubernetes.io/path: app/settings.yaml
            internal.config.kubernetes.io/path: app/settings.yaml
            config.kubernetes.io/index: '0'
            internal.config.kubernetes.io/index: '0'
  data:
    defaults: &defaults |
      color: blue
      size: 3
    copy: *defaults
    zip: "01234"
    answer: 'yes'
    flag: "true"
    empty: ""
    tilde: "~"
    multi: >-
      folded
      text
  # a foot comment under data
- kind: Deployment   # kind before apiVersion
  metadata: {namespace: app, name: web, labels: {app: web}, annotations: {config.kubernetes.io/path: app/web.yaml, internal.config.kubernetes.io/path: app/web.yaml, config.kubernetes.io/index: '0', internal.config.kubernetes.io/index: '0'}}
  apiVersion: apps/v1
  spec:
    replicas: 3
    selector: {matchLabels: {app: web}}
    template:
      metadata: {labels: {app: web}}
      spec:
        containers:
          - name: web
            image: nginx:1.27
            env: &env
              - {name: A, value: "1"}
              - name: B   # a line comment in a list
                value: "0x1F"
        initContainers:
        - name: init
          image: busybox:1.36
          env: *env
- apiVersion: example.com/v1
  kind: Widget
  metadata:
    name: base-and-merge
    annotations:
      config.kubernetes.io/path: app/widgets.yaml
      internal.config.kubernetes.io/path: app/widgets.yaml
      config.kubernetes.io/index: '1'
      internal.config.kubernetes.io/index: '1'
  spec:
    base: &base {size: 1, color: red}
    derived:
      <<: *base
      color: green
    numbers: [1, 2.50, 0o17, 1e3, .inf]
    nothing: null
    when: 2024-01-01
- apiVersion: v1
  kind: Secret
  metadata:
    name: fra-reader
    annotations:
      config.kubernetes.io/local-config: "true"
      meshgen.dev/credentials-for: fra
      config.kubernetes.io/path: secrets/fra.yaml
      internal.config.kubernetes.io/path: secrets/fra.yaml
      config.kubernetes.io/index: '0'
      internal.config.kubernetes.io/index: '0'
  # the token is fake
  stringData:
    token: fake-token-fra-not-a-secret
    ca.crt: |
      -----BEGIN CERTIFICATE-----
      MIIB3jCCAYWgAwIBAgIUf0DHL5b237+T7b7mJJe7voX6ASgwCgYIKoZIzj0EAwIw
      RDFCMEAGA1UEAww5RkFLRSBmcmEgQVBJIHNlcnZlciBDQSAtIGV4YW1wbGUgb25s
      eSwgdHJ1c3RlZCBieSBub3RoaW5nMCAXDTI2MTEzMDE0NTYzNloYDzIxMjYxMTA2
      MTQ1NjM2WjBEMUIwQAYDVQQDDDlGQUtFIGZyYSBBUEkgc2VydmVyIENBIC0gZXhh
      bXBsZSBvbmx5LCB0cnVzdGVkIGJ5IG5vdGhpbmcwWTATBgcqhkjOPQIBBggqhkjO
      PQMBBwNCAARlSoP6JRLdjaqNdnEgTG7eTOp5U1n+1Nj/tcLsH9K0FRQGJiNOO8E8
      Dstlu9zHcO1CyoCmJDR70lXBisZGuHnio1MwUTAdBgNVHQ4EFgQUvxP+ih45bdzA
      k006OHB+4AUnVBMwHwYDVR0jBBgwFoAUvxP+ih45bdzAk006OHB+4AUnVBMwDwYD
      VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiAO6WBbgQuBXwkSBhOMvxzO
      JTwz/T87SLMdzo//YX3V8AIgLj7qzZhSc7XKOWx3HofSJwr+iibC1Xcp8JVocKMz
      i+0=
      -----END CERTIFICATE-----
- apiVersion: v1
  kind: Secret
  metadata:
    name: ams-reader
    annotations:
      config.kubernetes.io/local-config: "true"
      meshgen.dev/credentials-for: ams
      config.kubernetes.io/path: secrets/ams.yaml
      internal.config.kubernetes.io/path: secrets/ams.yaml
  data:
    token: ZmFrZS10b2tlbi1hbXMtbm90LWEtc2VjcmV0
- apiVersion: v1
  kind: Secret
  metadata:
    name: waw-reader
    annotations: {config.kubernetes.io/local-config: "true", meshgen.dev/credentials-for: waw, config.kubernetes.io/path: secrets/waw.yaml, internal.config.kubernetes.io/path: secrets/waw.yaml}
  stringData: {token: fake-token-waw-not-a-secret}
- apiVersion: v1
  kind: Service
  metadata:
    name: catalog
    namespace: shop
    labels:
      app.kubernetes.io/managed-by: meshgen
    annotations:
      meshgen.dev/mesh: another-mesh   # meshgen's, but another mesh's: not ours to replace
      config.kubernetes.io/path: other/fra/shop_service_catalog.yaml
      internal.config.kubernetes.io/path: other/fra/shop_service_catalog.yaml
  spec:
    ports: [{port: 8080, name: http}]
- apiVersion: v1
  kind: Namespace
  metadata:
    name: hand-made
    labels:
      app.kubernetes.io/managed-by: someone-else
    annotations:
      meshgen.dev/mesh: shop
      config.kubernetes.io/path: hand/namespace.yaml
      internal.config.kubernetes.io/path: hand/namespace.yaml
`

// passthroughRL is the ResourceList kpt sends: the items above, the MeshConfig as an item too
// and as functionConfig.
func passthroughRL(t *testing.T) []byte {
	t.Helper()
	mesh, err := os.ReadFile("../../examples/three-sites/mesh.yaml")
	if err != nil {
		t.Fatal(err)
	}
	annotated := strings.Replace(string(mesh), "metadata:\n  name: shop\n", "metadata:\n  name: shop\n  annotations:\n    config.kubernetes.io/path: mesh/mesh.yaml\n    internal.config.kubernetes.io/path: mesh/mesh.yaml\n", 1)
	if annotated == string(mesh) {
		t.Fatal("examples/three-sites/mesh.yaml changed: metadata.name is not shop")
	}
	var b strings.Builder
	b.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n")
	b.WriteString(passthroughItems)
	b.WriteString(indent(annotated, "- ", "  "))
	b.WriteString("functionConfig:\n")
	b.WriteString(indent(annotated, "  ", "  "))
	return []byte(b.String())
}

// indent prefixes the first non-comment line with first and every other line with rest.
func indent(s, first, rest string) string {
	var b strings.Builder
	done := false
	for _, l := range strings.SplitAfter(s, "\n") {
		switch {
		case l == "":
		case !done && !strings.HasPrefix(l, "#"):
			b.WriteString(first + l)
			done = true
		case strings.TrimSpace(l) == "":
			b.WriteString(l)
		default:
			b.WriteString(rest + l)
		}
	}
	return b.String()
}

func runFunction(t *testing.T, in []byte) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := cli.Main(nil, bytes.NewReader(in), &stdout, &stderr); code != cli.OK {
		t.Fatalf("function: exit status %d; stderr:\n%s", code, stderr.String())
	}
	return stdout.Bytes()
}

type item struct {
	id   string // kind, name and path: unique among these items
	yaml string
	gen  bool
}

// items returns each item of a ResourceList as YAML, comments and aliases included.
func items(t *testing.T, rl []byte) []item {
	t.Helper()
	n, err := yaml.Parse(string(rl))
	if err != nil {
		t.Fatal(err)
	}
	seq, err := n.Pipe(yaml.Lookup("items"))
	if err != nil || seq == nil {
		t.Fatalf("no items: %v", err)
	}
	var out []item
	for _, it := range seq.YNode().Content {
		r := yaml.NewRNode(it)
		s, err := r.String()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, item{
			id:   r.GetKind() + " " + r.GetName() + " " + r.GetAnnotations()[kioutil.PathAnnotation],
			yaml: s,
			gen:  r.GetLabels()[gen.ManagedByLabel] == gen.ManagedBy && r.GetAnnotations()[gen.MeshAnnotation] == "shop",
		})
	}
	return out
}

func TestForeignItemsPassThrough(t *testing.T) {
	in := passthroughRL(t)
	out := runFunction(t, in)
	before, after := items(t, in), items(t, out)
	byID := map[string]item{}
	generated := 0
	for _, it := range after {
		if _, dup := byID[it.id]; dup {
			t.Errorf("two output items %s", it.id)
		}
		byID[it.id] = it
		if it.gen {
			generated++
		}
	}
	if generated == 0 {
		t.Fatal("the function generated nothing")
	}
	if len(before) != 9 {
		t.Fatalf("the input has %d items, want 9", len(before))
	}
	for _, b := range before {
		a, ok := byID[b.id]
		if !ok {
			t.Errorf("%s is missing from the output", b.id)
			continue
		}
		if a.yaml != b.yaml {
			t.Errorf("%s changed:\n--- in\n%s\n--- out\n%s", b.id, b.yaml, a.yaml)
		}
	}
	if len(after) != len(before)+generated {
		t.Errorf("output has %d items: %d in, %d generated", len(after), len(before), generated)
	}
	// Anchors, aliases and comments are there as written, not expanded or dropped.
	for _, s := range []string{"&defaults", "copy: *defaults", "&env", "env: *env", "<<: *base", "# eight spaces of indentation", "# kind before apiVersion", "# a line comment in a list", "# a foot comment under data", "# the token is fake", "# The application's settings", `zip: "01234"`, `answer: 'yes'`, "0o17", "2.50"} {
		if !bytes.Contains(out, []byte(s)) {
			t.Errorf("the output lacks %q", s)
		}
	}
}

// Running the function on its own output changes nothing: its earlier objects are replaced by
// the same objects, everything else passes through.
func TestFunctionIdempotent(t *testing.T) {
	first := runFunction(t, passthroughRL(t))
	second := runFunction(t, first)
	if !bytes.Equal(first, second) {
		t.Errorf("second run differs from the first:\n%s", lineDiff(string(first), string(second)))
	}
	third := runFunction(t, second)
	if !bytes.Equal(second, third) {
		t.Errorf("third run differs from the second")
	}
}

func lineDiff(a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(x) && i < len(y); i++ {
		if x[i] != y[i] {
			return "first difference at line " + strconv.Itoa(i+1) + ":\n- " + x[i] + "\n+ " + y[i]
		}
	}
	return "one is a prefix of the other: " + strconv.Itoa(len(x)) + " and " + strconv.Itoa(len(y)) + " lines"
}
