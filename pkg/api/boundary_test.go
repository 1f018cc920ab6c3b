package api

import (
	"strings"
	"testing"
)

// TestValidateLimits: each limit is inclusive: the last valid value passes, the next fails.
func TestValidateLimits(t *testing.T) {
	for _, tt := range []struct {
		name   string
		mutate func(*MeshConfig)
		path   string // the error of the next value; "" for valid
	}{
		{"meshID of 63", func(c *MeshConfig) { c.Spec.MeshID = strings.Repeat("m", 63) }, ""},
		{"meshID of 64", func(c *MeshConfig) { c.Spec.MeshID = strings.Repeat("m", 64) }, "spec.meshID"},
		{"host of 253", func(c *MeshConfig) { c.Spec.Services[0].Ingress.Hosts = []string{hostOf(253)} }, ""},
		{"host of 254", func(c *MeshConfig) { c.Spec.Services[0].Ingress.Hosts = []string{hostOf(254)} }, "spec.services[0].ingress.hosts[0]"},
		{"weight 100", func(c *MeshConfig) {
			c.Spec.Services[0].Versions[0].Weight, c.Spec.Services[0].Versions[1].Weight = 100, 0
		}, ""},
		{"weight 101", func(c *MeshConfig) {
			c.Spec.Services[0].Versions[0].Weight, c.Spec.Services[0].Versions[1].Weight = 101, -1
		}, "spec.services[0].versions[0].weight"},
		{"port 65535", func(c *MeshConfig) { c.Spec.Services[0].Port = 65535 }, ""},
		{"port 65536", func(c *MeshConfig) { c.Spec.Services[0].Port = 65536 }, "spec.services[0].port"},
		{"port 1", func(c *MeshConfig) { c.Spec.Services[0].Port = 1 }, ""},
		{"apiServer ports 1 and 65535", func(c *MeshConfig) {
			c.Spec.Clusters[0].APIServer, c.Spec.Clusters[1].APIServer = "https://a.example.com:1", "https://b.example.com:65535"
		}, ""},
		{"apiServer port 65536", func(c *MeshConfig) { c.Spec.Clusters[0].APIServer = "https://a.example.com:65536" }, "spec.clusters[0].apiServer"},
		{"label key and value of 63", func(c *MeshConfig) {
			c.Spec.Namespaces[0].Labels = map[string]string{"example.com/" + strings.Repeat("k", 63): strings.Repeat("v", 63)}
		}, ""},
		{"label key of 64", func(c *MeshConfig) { c.Spec.Namespaces[0].Labels = map[string]string{strings.Repeat("k", 64): "v"} }, "spec.namespaces[0].labels"},
		{"label value of 64", func(c *MeshConfig) { c.Spec.Namespaces[0].Labels = map[string]string{"k": strings.Repeat("v", 64)} }, "spec.namespaces[0].labels.k"},
		{"default request equal to the limit", func(c *MeshConfig) {
			c.Spec.ControlPlane.LimitRange = &LimitRange{Default: Resources{CPU: "4", Memory: "8Gi"}, DefaultRequest: Resources{CPU: "4", Memory: "8Gi"}}
		}, ""},
		{"one cluster needs no apiServer", func(c *MeshConfig) {
			c.Spec.Clusters = c.Spec.Clusters[:1]
			c.Spec.Clusters[0].APIServer = ""
			c.Spec.Services[0].Versions = c.Spec.Services[0].Versions[:1]
			c.Spec.Services[0].Versions[0].Weight = 100
		}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, cs := baseConfig(t)
			tt.mutate(c)
			if tt.name == "one cluster needs no apiServer" {
				delete(cs, "b")
			}
			es := Validate(c, cs)
			if tt.path == "" && es != nil {
				t.Errorf("refused: %v", es)
			}
			if tt.path != "" && (len(es) == 0 || es[0].Path != tt.path) {
				t.Errorf("want an error at %s first, got %v", tt.path, es)
			}
		})
	}
}

// TestReadCredentialsSources: a credential says where it came from (its file, or the Secret
// when it came without one, as in KRM mode), and a missing token is called missing.
func TestReadCredentialsSources(t *testing.T) {
	secret := "apiVersion: v1\nkind: Secret\nmetadata: {name: r, annotations: {meshgen.dev/credentials-for: a, config.kubernetes.io/local-config: \"true\"}}\n"
	for file, want := range map[string]string{"creds.yaml": "creds.yaml", "": "Secret r"} {
		d := parseOne(t, secret+"stringData: {token: t}\n")
		d.File = file
		cs, es := ReadCredentials([]Doc{d})
		if es != nil || cs["a"].Source != want || cs["a"].Token != "t" {
			t.Errorf("file %q: %+v %v, want source %q", file, cs, es, want)
		}
	}
	_, es := ReadCredentials([]Doc{parseOne(t, secret)})
	if len(es) != 1 || !strings.Contains(es[0].Msg, "a non-empty token is required (missing)") {
		t.Errorf("no token: %v", es)
	}
}

// TestParseDocsSkipsEmpty: empty and null documents are no documents; anything else is one.
func TestParseDocsSkipsEmpty(t *testing.T) {
	docs, err := ParseDocs("x.yaml", []byte("---\n---\nkind: A\n---\nnull\n---\n~\n---\n# only a comment\n"))
	if err != nil || len(docs) != 1 {
		t.Errorf("%d documents, %v; want 1", len(docs), err)
	}
	if _, err := ParseDocs("x.yaml", []byte("kind: A\n---\nnot-null\n")); err == nil {
		t.Error("a scalar document was skipped")
	}
}

// TestLabelKeyPrefix: a key with an empty prefix ("/a") is refused for its prefix.
func TestLabelKeyPrefix(t *testing.T) {
	c, cs := baseConfig(t)
	c.Spec.Namespaces[0].Labels = map[string]string{"/a": "b"}
	es := Validate(c, cs)
	if len(es) != 1 || !strings.Contains(es[0].Msg, `label key "/a" has an invalid prefix`) {
		t.Errorf("got %v", es)
	}
}

// TestUnknownCredentialsLocated: credentials from a file are located there, without the
// Secret's name in front; without a file the Secret names itself.
func TestUnknownCredentialsLocated(t *testing.T) {
	c, cs := baseConfig(t)
	cs["w"] = Credential{Cluster: "w", Source: "creds.yaml", File: "creds.yaml", Line: 4}
	es := Validate(c, cs)
	if len(es) != 1 || es[0].File != "creds.yaml" || es[0].Line != 4 || es[0].Msg != `credentials for unknown cluster "w"` {
		t.Errorf("got %+v", es)
	}
}
