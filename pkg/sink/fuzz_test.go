package sink_test

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
	"github.com/meshgen/meshgen/pkg/sink"
	"github.com/meshgen/meshgen/pkg/synth"
)

// FuzzPipeline mutates valid meshes and runs everything after parsing: Load, gen.Each and the
// sinks' encoding, through the Stream and Check sinks. Whatever Load accepts must render, or
// fail with api.Errors; encoding is a pure function; every document is the object it claims
// to be, and every tree path stays inside the output folder.
func FuzzPipeline(f *testing.F) {
	seeds := synth.AddSeeds(f, "../../examples/*/mesh.yaml")
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
		var folders []*gen.Folder
		if err := gen.Each(in, "", func(f *gen.Folder) error { folders = append(folders, f); return nil }); err != nil {
			var aes api.Errors
			if !errors.As(err, &aes) {
				t.Fatalf("gen.Each failed without api.Errors: %v", err)
			}
			return
		}
		var a, b bytes.Buffer
		for _, w := range []*bytes.Buffer{&a, &b} {
			s := &sink.Stream{W: w}
			for _, f := range folders {
				if err := s.Put(f); err != nil {
					t.Fatalf("encoding failed: %v", err)
				}
			}
			if err := s.Commit(); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatalf("encoding twice gave different bytes:\n%s\n---\n%s", a.Bytes(), b.Bytes())
		}
		stream := strings.Split(a.String(), "---\n")
		i := 0
		for _, f := range folders {
			for _, o := range f.Objects {
				if !o.Applied() {
					continue // tree only
				}
				if i >= len(stream) {
					t.Fatalf("%d documents for more objects", len(stream))
				}
				checkDocument(t, o, stream[i])
				i++
			}
			// A folder's files follow its objects, as comment-only documents.
			i += len(f.Files)
		}
		c := &sink.Check{Dir: t.TempDir(), Mesh: in.Config.Metadata.Name}
		for _, f := range folders {
			if err := c.Put(f); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.Commit(); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(c.Diff, "\n") {
			if p, ok := strings.CutPrefix(l, "+++ b/"); ok && (!filepath.IsLocal(filepath.FromSlash(p)) || strings.Contains(p, "\\")) {
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

// checkDocument checks a stream document ("# Source: <path>" and the YAML) parses back to the
// object it was made from.
func checkDocument(t *testing.T, o gen.Object, doc string) {
	t.Helper()
	head, data, _ := strings.Cut(doc, "\n")
	if p := strings.TrimPrefix(head, "# Source: "); p != o.Path() {
		t.Fatalf("document path %s, object path %s", p, o.Path())
	}
	var m struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	}
	if err := sigsyaml.Unmarshal([]byte(data), &m); err != nil {
		t.Fatalf("%s does not parse back: %v\n%s", o.Path(), err, data)
	}
	if m.APIVersion != o.APIVersion || m.Kind != o.Kind || m.Metadata.Name != o.Name || m.Metadata.Namespace != o.Namespace {
		t.Fatalf("%s is %s %s %s/%s, want %s %s %s/%s", o.Path(), m.APIVersion, m.Kind, m.Metadata.Namespace, m.Metadata.Name, o.APIVersion, o.Kind, o.Namespace, o.Name)
	}
}
