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
