package api

import (
	"strings"
	"testing"
)

// A credentials Secret must be local-config: kustomize and kpt drop such objects from their
// output. Without the annotation they would copy it, token and all, next to the generated
// objects; meshgen refuses it and names the file, the line and the annotation.
func TestReadCredentialsLocalConfig(t *testing.T) {
	const token = "secret-token-must-not-be-printed"
	secret := func(annotations string) string {
		return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a-reader\n  annotations:\n" + annotations +
			"stringData:\n  token: " + token + "\n"
	}
	tests := []struct {
		name, in string
		line     int    // 0: valid
		msg      string // in the error
	}{
		{"local-config", secret("    config.kubernetes.io/local-config: \"true\"\n    meshgen.dev/credentials-for: a\n"), 0, ""},
		{"local-config after", secret("    meshgen.dev/credentials-for: a\n    config.kubernetes.io/local-config: 'true'\n"), 0, ""},
		{"missing", secret("    meshgen.dev/credentials-for: a\n"), 6, `missing annotation config.kubernetes.io/local-config: "true"`},
		{"false", secret("    meshgen.dev/credentials-for: a\n    config.kubernetes.io/local-config: \"false\"\n"), 7, `config.kubernetes.io/local-config must be "true", got "false"`},
		{"empty", secret("    meshgen.dev/credentials-for: a\n    config.kubernetes.io/local-config: \"\"\n"), 7, `must be "true", got ""`},
		{"flow", "apiVersion: v1\nkind: Secret\nmetadata: {name: a-reader, annotations: {meshgen.dev/credentials-for: a}}\ndata: {token: c2VjcmV0}\n", 3, "missing annotation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := ParseDocs("creds.yaml", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			cs, es := ReadCredentials(docs)
			if tt.line == 0 {
				if es != nil || cs["a"].Token != token {
					t.Fatalf("want the credentials read, got %v, errors %v", cs, es)
				}
				return
			}
			if len(es) != 1 {
				t.Fatalf("want one error, got %v", es)
			}
			e := es[0]
			if e.File != "creds.yaml" || e.Line != tt.line || e.Path != "metadata.annotations.config.kubernetes.io/local-config" || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("got %q; want creds.yaml:%d: metadata.annotations.config.kubernetes.io/local-config: ...%s...", e.Error(), tt.line, tt.msg)
			}
			if !strings.Contains(e.Msg, `credentials Secret "a-reader"`) {
				t.Errorf("the message does not name the Secret: %q", e.Msg)
			}
			if strings.Contains(es.Error(), token) || strings.Contains(es.Error(), "c2VjcmV0") {
				t.Errorf("the message prints the token: %q", es.Error())
			}
		})
	}
}
