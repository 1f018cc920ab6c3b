package api_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sigsyaml "sigs.k8s.io/yaml"

	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/gen"
	"github.com/meshgen/meshgen/pkg/out"
)

// fuzzSeeds adds every input of the bad-input corpus and the examples.
func fuzzSeeds(f *testing.F, pattern ...string) [][]byte {
	f.Helper()
	var seeds [][]byte
	for _, p := range pattern {
		ms, err := filepath.Glob(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, m := range ms {
			b, err := os.ReadFile(m)
			if err != nil {
				f.Fatal(err)
			}
			if len(b) <= 64<<10 {
				f.Add(b)
				seeds = append(seeds, b)
			}
		}
	}
	if len(seeds) == 0 {
		f.Fatalf("no seeds in %v", pattern)
	}
	return seeds
}

// FuzzParse feeds arbitrary bytes to everything that reads input: it must never panic, and
// every failure must be a located, explained error.
func FuzzParse(f *testing.F) {
	fuzzSeeds(f, "../../examples/*/*.yaml", "../../testdata/bad/*/*.yaml", "../../testdata/bad/*/*.json")
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
			// A loaded input is complete: defaulting again changes nothing it would reject.
			api.Default(in.Config)
			if es := api.Validate(in.Config, in.Creds); len(es) > 0 {
				t.Fatalf("Load accepted what Validate rejects: %v", es)
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

// FuzzPipeline mutates valid meshes and runs everything after parsing: Load, Render,
// EncodeAll, Stream and BuildTree. Whatever Load accepts must render, or fail with api.Errors;
// encoding is a pure function; every document is the object it claims to be.
func FuzzPipeline(f *testing.F) {
	seeds := fuzzSeeds(f, "../../examples/*/mesh.yaml")
	// Variants of the three-site mesh that take the generator's other branches, so mutations
	// start near each of them.
	three, err := os.ReadFile("../../examples/three-sites/mesh.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, v := range [][2]string{
		{"    version: 1.24.2\n", "    version: 1.21.0\n    revision: canary\n    profile: minimal\n"},
		{"  dns:\n    endpointCluster: fra\n", "  remoteSecrets: {mode: none}\n  networkPolicies: {enabled: false}\n"},
		{"      hosts: [checkout.shop.example.com]\n      tls: {issuer: letsencrypt}\n", "      hosts: [\"*.shop.example.com\", shop.example.org]\n"},
		{"    - prefix: /catalog\n", "    - regex: \"/catalog/[0-9]+\"\n    - exact: /catalog\n"},
		{"  istio:\n", "  controlPlane: {namespace: mesh-system, nodeSelector: {role: ingress}, limitRange: {default: {cpu: 1000m}}}\n  networkPolicies: {apiServerPorts: [443, 6443]}\n  istio:\n"},
	} {
		b := bytes.Replace(three, []byte(v[0]), []byte(v[1]), 1)
		if bytes.Equal(b, three) {
			f.Fatalf("examples/three-sites/mesh.yaml lacks %q", v[0])
		}
		f.Add(b)
		seeds = append(seeds, b)
	}
	var creds []api.Doc
	cs, err := filepath.Glob("../../examples/*/credentials.yaml")
	if err != nil || len(cs) == 0 {
		f.Fatalf("no example credentials: %v", err)
	}
	for _, c := range cs {
		b, err := os.ReadFile(c)
		if err != nil {
			f.Fatal(err)
		}
		ds, err := api.ParseDocs(c, b)
		if err != nil {
			f.Fatal(err)
		}
		creds = append(creds, ds...)
	}
	// Seeds that do not load would leave the fuzzer mutating mostly rejected input.
	for _, s := range seeds {
		docs, err := api.ParseDocs("mesh.yaml", s)
		if err != nil || len(docs) != 1 {
			f.Fatalf("seed does not parse: %v", err)
		}
		if _, es := api.Load(docs[0], matching(docs[0], creds)); es != nil {
			f.Fatalf("seed does not load: %v", es)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := api.ParseDocs("mesh.yaml", data)
		if err != nil || len(docs) == 0 {
			return
		}
		in, es := api.Load(docs[0], matching(docs[0], creds))
		if es != nil {
			return
		}
		objs, err := gen.Render(in, "")
		if err != nil {
			var aes api.Errors
			if !errors.As(err, &aes) {
				t.Fatalf("Render failed without api.Errors: %v", err)
			}
			return
		}
		a, err := out.EncodeAll(objs)
		if err != nil {
			var aes api.Errors
			if !errors.As(err, &aes) {
				t.Fatalf("EncodeAll failed without api.Errors: %v", err)
			}
			return
		}
		b, err := out.EncodeAll(objs)
		if err != nil {
			t.Fatalf("EncodeAll failed the second time only: %v", err)
		}
		if len(a) != len(b) || len(a) != len(objs) {
			t.Fatalf("EncodeAll gave %d and %d documents for %d objects", len(a), len(b), len(objs))
		}
		for i := range a {
			if a[i].Path != b[i].Path || !bytes.Equal(a[i].Data, b[i].Data) {
				t.Fatalf("%s: encoding twice gave different bytes:\n%s\n---\n%s", a[i].Path, a[i].Data, b[i].Data)
			}
			checkDocument(t, objs[i], a[i])
		}
		for p := range out.BuildTree(in.Config.Metadata.Name, a) {
			if !filepath.IsLocal(filepath.FromSlash(p)) || strings.Contains(p, "\\") {
				t.Fatalf("tree path %q leaves the output folder", p)
			}
		}
	})
}

// matching keeps the credentials of the clusters the mesh has, as a user would pass them.
func matching(cfg api.Doc, creds []api.Doc) []api.Doc {
	c, _, es := api.Decode(cfg.Node)
	if es != nil {
		return nil
	}
	names := map[string]bool{}
	for _, cl := range c.Spec.Clusters {
		names[cl.Name] = true
	}
	var keep []api.Doc
	seen := map[string]bool{}
	for _, d := range creds {
		cs, _ := api.ReadCredentials([]api.Doc{d})
		for name := range cs {
			if names[name] && !seen[name] {
				keep = append(keep, d)
				seen[name] = true
			}
		}
	}
	return keep
}

// checkDocument checks an encoded document parses back to the object it was made from.
func checkDocument(t *testing.T, o gen.Object, d out.Document) {
	t.Helper()
	if d.Path != o.Path() {
		t.Fatalf("document path %s, object path %s", d.Path, o.Path())
	}
	var m struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	}
	if err := sigsyaml.Unmarshal(d.Data, &m); err != nil {
		t.Fatalf("%s does not parse back: %v\n%s", d.Path, err, d.Data)
	}
	if m.APIVersion != o.APIVersion || m.Kind != o.Kind || m.Metadata.Name != o.Name || m.Metadata.Namespace != o.Namespace {
		t.Fatalf("%s is %s %s %s/%s, want %s %s %s/%s", d.Path, m.APIVersion, m.Kind, m.Metadata.Namespace, m.Metadata.Name, o.APIVersion, o.Kind, o.Namespace, o.Name)
	}
}
