package api

import (
	"encoding/json"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestMisspeltCredentials: near misses of the credentials annotation are named as such; the
// right key and unrelated ones are not.
func TestMisspeltCredentials(t *testing.T) {
	for keys, want := range map[string]string{
		"meshgen.dev/credential-for":         "meshgen.dev/credential-for",
		"meshgen.dev/credentials_for":        "meshgen.dev/credentials_for",
		"Meshgen.dev/Credentials-For":        "Meshgen.dev/Credentials-For",
		"meshgen.io/credentials-for":         "meshgen.io/credentials-for",
		"meshgen.dev/credentials":            "meshgen.dev/credentials",
		"meshgen.dev/credentials-for":        "",
		"meshgen.dev/mesh":                   "",
		"kubernetes.io/service-account.name": "",
	} {
		if got := MisspeltCredentials([]string{"config.kubernetes.io/local-config", keys}); got != want {
			t.Errorf("%s: got %q, want %q", keys, got, want)
		}
	}
}

// TestDecodeFreeForm: a webhook solver's config is passed through with its types, anchors and
// merges resolved, and stays under the node budget.
func TestDecodeFreeForm(t *testing.T) {
	in := `
apiVersion: meshgen.dev/v1alpha1
kind: MeshConfig
spec:
  issuers:
  - name: le
    acme:
      dns01Webhook:
        groupName: acme.example.com
        solverName: s
        config:
          base: &b {region: eu-de, zone: 1}
          copy: {<<: *b, zone: 2}
          list: [a, 1, 1.5, true, null]
          secretRef: {name: creds, key: token}
`
	c, es := decodeString(t, in)
	if es != nil {
		t.Fatal(es)
	}
	b, err := json.Marshal(c.Spec.Issuers[0].ACME.DNS01Webhook.Config)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"base":{"region":"eu-de","zone":1},"copy":{"region":"eu-de","zone":2},"list":["a",1,1.5,true,null],"secretRef":{"key":"token","name":"creds"}}`
	if string(b) != want {
		t.Errorf("config:\n got %s\nwant %s", b, want)
	}
	for _, bad := range []struct{ in, path, msg string }{
		{"spec:\n  issuers:\n  - acme:\n      dns01Webhook:\n        config: [a]\n", "spec.issuers[0].acme.dns01Webhook.config", "expected a mapping"},
		{"spec:\n  issuers:\n  - acme:\n      dns01Webhook:\n        config: {a: .inf}\n", "spec.issuers[0].acme.dns01Webhook.config.a", "finite number"},
		{"spec:\n  issuers:\n  - acme:\n      dns01Webhook:\n        config: {a: 1, a: 2}\n", "spec.issuers[0].acme.dns01Webhook.config.a", "duplicate key"},
	} {
		_, es := decodeString(t, bad.in)
		found := false
		for _, e := range es {
			found = found || e.Path == bad.path && strings.Contains(e.Msg, bad.msg)
		}
		if !found {
			t.Errorf("%q: want %s: %s, got %v", bad.in, bad.path, bad.msg, es)
		}
	}
}

func decodeString(t *testing.T, in string) (*MeshConfig, Errors) {
	t.Helper()
	n, err := yaml.Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	c, _, es := Decode(n.YNode())
	return c, es
}

func parseOne(t *testing.T, in string) Doc {
	t.Helper()
	docs, err := ParseDocs("mesh.yaml", []byte(in))
	if err != nil || len(docs) != 1 {
		t.Fatalf("%v, %d documents", err, len(docs))
	}
	return docs[0]
}

// TestLoadLocatesErrors: a check's error carries the file and the line of the field it names,
// however deep, so a user finds it.
func TestLoadLocatesErrors(t *testing.T) {
	lines := strings.Split(strings.TrimPrefix(base, "\n"), "\n")
	for _, tt := range []struct {
		find, replace, path string
	}{
		{"metadata: {name: m}", "metadata: {name: M}", "metadata.name"},
		{"  istio: {version: 1.12.0}", "  istio: {version: 1.1.0}", "spec.istio.version"},
		{"    port: 8080", "    port: 0", "spec.services[0].port"},
		{"    - {name: v2, weight: 60, clusters: [b]}", "    - {name: v2, weight: 60, clusters: [x]}", "spec.services[0].versions[1].clusters[0]"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			line := 0
			for i, l := range lines {
				if l == tt.find {
					line = i + 1
				}
			}
			if line == 0 {
				t.Fatalf("base lacks %q", tt.find)
			}
			_, es := Load(parseOne(t, strings.Replace(strings.TrimPrefix(base, "\n"), tt.find, tt.replace, 1)), nil)
			for _, e := range es {
				if e.Path == tt.path {
					if e.File != "mesh.yaml" || e.Line != line {
						t.Errorf("%s at %s:%d, want mesh.yaml:%d", e.Path, e.File, e.Line, line)
					}
					return
				}
			}
			t.Errorf("no error at %s: %v", tt.path, es)
		})
	}
}

// TestDecodeNull: a field written as null or ~ is absent, as if not written.
func TestDecodeNull(t *testing.T) {
	n, err := yaml.Parse("metadata: {name: m, labels: null}\nspec:\n  istio: {version: 1.12.0, hub: null}\n  rancher: ~\n  clusters: [{name: a, network: ~}]\n")
	if err != nil {
		t.Fatal(err)
	}
	c, _, es := Decode(n.YNode())
	if es != nil {
		t.Fatal(es)
	}
	if c.Metadata.Labels != nil || c.Spec.Istio.Hub != "" || c.Spec.Rancher != nil || c.Spec.Clusters[0].Network != "" {
		t.Errorf("null decoded as a value: %+v", c)
	}
}

func TestIsCredentials(t *testing.T) {
	for in, want := range map[string]bool{
		"kind: Secret\nmetadata: {name: a, annotations: {meshgen.dev/credentials-for: a}}\n":          true,
		"kind: Secret\nmetadata: {name: a, annotations: {other: a}}\n":                                false,
		"kind: Secret\nmetadata: {name: a, annotations: {other: a, meshgen.dev/credential-for: a}}\n": true,
		"kind: Secret\nmetadata: {name: a}\n":                                                         false,
		base:                                                                                          false,
	} {
		if got := IsCredentials(parseOne(t, in).Node); got != want {
			t.Errorf("%.60q: %v, want %v", in, got, want)
		}
	}
}

// TestValidateCredentialsOrder: credentials for unknown clusters are reported in the order of
// their cluster names, whatever the map's order.
func TestValidateCredentialsOrder(t *testing.T) {
	c, cs := baseConfig(t)
	for _, n := range []string{"z", "x", "y"} {
		cs[n] = Credential{Cluster: n, Source: "secret " + n}
	}
	var got []string
	for _, e := range Validate(c, cs) {
		got = append(got, e.Msg)
	}
	want := []string{`secret x: credentials for unknown cluster "x"`, `secret y: credentials for unknown cluster "y"`, `secret z: credentials for unknown cluster "z"`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestKindOf reads apiVersion and kind through anchors and aliases, from the first of
// repeated keys, and nothing from what is not a mapping of scalars.
func TestKindOf(t *testing.T) {
	for _, tt := range []struct{ in, apiVersion, kind string }{
		{"apiVersion: v1\nkind: Secret\n", "v1", "Secret"},
		{"x: &v meshgen.dev/v1alpha1\napiVersion: *v\nkind: &k MeshConfig\n", "meshgen.dev/v1alpha1", "MeshConfig"},
		{"&doc {apiVersion: v1, kind: A}\n", "v1", "A"},
		{"kind: A\nkind: B\n", "", "A"},
		{"kind: {a: b}\napiVersion: [v1]\n", "", ""},
		{"? [kind]\n: A\nother: kind\n", "", ""},
		{"- kind: A\n", "", ""},
		{"just a string\n", "", ""},
	} {
		n, err := yaml.Parse(tt.in)
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		// As a document's content and as the document itself.
		for _, y := range []*yaml.Node{n.YNode(), {Kind: yaml.DocumentNode, Content: []*yaml.Node{n.YNode()}}} {
			if v, k := KindOf(y); v != tt.apiVersion || k != tt.kind {
				t.Errorf("%q: %q %q, want %q %q", tt.in, v, k, tt.apiVersion, tt.kind)
			}
		}
	}
}
