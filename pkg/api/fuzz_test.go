package api_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	sigsyaml "sigs.k8s.io/yaml"

	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/synth"
)

// FuzzParse feeds arbitrary bytes to everything that reads input: it must never panic, and
// every failure must be a located, explained error.
func FuzzParse(f *testing.F) {
	synth.AddSeeds(f, "../../examples/*/*.yaml", "../../testdata/bad/*/*.yaml", "../../testdata/bad/*/*.json")
	f.Add([]byte("a: &a [*a]"))
	f.Add([]byte("{\"apiVersion\": \"meshgen.dev/v1alpha1\", \"kind\": \"MeshConfig\", \"spec\": {\"clusters\": [{}]}}"))
	f.Add([]byte("kind: MeshConfig\nspec: {services: [{versions: [{weight: 0x7fffffff}, {weight: 0x7fffffff}]}]}\n"))
	f.Add([]byte("kind: MeshConfig\nspec:\n  clusters:\n  - &a {name: a, network: n}\n  - <<: [*a, {<<: *a}]\n    name: b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := api.ParseDocs("fuzz.yaml", data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("ParseDocs failed without a message")
			}
			return
		}
		for _, d := range docs {
			if d.File != "fuzz.yaml" || d.Node == nil {
				t.Fatalf("ParseDocs returned %+v", d)
			}
			api.KindOf(d.Node)
			api.IsCredentials(d.Node)
			cfg, _, es := api.Decode(d.Node)
			if (cfg == nil) == (len(es) == 0) {
				t.Fatalf("Decode returned config %v with %d errors", cfg != nil, len(es))
			}
			checkErrors(t, es, "")
		}
		_, es := api.ReadCredentials(docs)
		checkErrors(t, es, "fuzz.yaml")
		if len(docs) == 0 {
			return
		}
		in, es := api.Load(docs[0], docs[1:])
		if (in == nil) == (len(es) == 0) {
			t.Fatalf("Load returned input %v with %d errors", in != nil, len(es))
		}
		checkErrors(t, es, "fuzz.yaml")
		if in != nil {
			// A loaded input is complete: defaulting again changes nothing, and written out
			// as YAML it loads again to the same MeshConfig (Load runs Validate, so asking
			// Validate again could never fail).
			want, err := json.Marshal(in.Config)
			if err != nil {
				t.Fatal(err)
			}
			api.Default(in.Config)
			if got, _ := json.Marshal(in.Config); !bytes.Equal(got, want) {
				t.Fatalf("Default changed a loaded MeshConfig:\n%s\n%s", want, got)
			}
			y, err := sigsyaml.Marshal(in.Config)
			if err != nil {
				t.Fatal(err)
			}
			again, err := api.ParseDocs("again.yaml", y)
			if err != nil {
				t.Fatalf("a loaded MeshConfig written as YAML does not parse: %v\n%s", err, y)
			}
			in2, es := api.Load(again[0], docs[1:])
			if es != nil {
				t.Fatalf("a loaded MeshConfig written as YAML does not load: %v\n%s", es, y)
			}
			if got, _ := json.Marshal(in2.Config); !bytes.Equal(got, want) {
				t.Fatalf("a loaded MeshConfig written as YAML loads differently:\n%s\n%s", want, got)
			}
		}
	})
}

// checkErrors checks every error says something, names a file where one is given, and does
// not read like a crash.
func checkErrors(t *testing.T, es api.Errors, file string) {
	t.Helper()
	for _, e := range es {
		if e.Msg == "" {
			t.Fatalf("error without a message: %+v", e)
		}
		if file != "" && e.File != file {
			t.Fatalf("error not located in %s: %+v", file, e)
		}
		if s := e.Error(); strings.Contains(s, "goroutine") || strings.Contains(s, "panic") {
			t.Fatalf("error reads like a crash: %s", s)
		}
	}
}
