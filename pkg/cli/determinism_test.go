package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/meshgen/meshgen/pkg/gen"
)

const detExamples = "../../examples"

// detRuns is how often each example is rendered in each mode.
const detRuns = 50

// TestDeterminism renders every example many times in each mode, under varying conditions that
// must not matter: one OS thread, the input documents in another order and spread over other
// files, a different environment. Every run must give the same bytes.
func TestDeterminism(t *testing.T) {
	for _, ex := range detExampleDirs(t) {
		docs := detDocs(t, ex)
		t.Run(filepath.Base(ex), func(t *testing.T) {
			// In KRM mode the user's items keep their order, so a shuffled ResourceList comes
			// back shuffled: those runs compare the output with the user's items sorted.
			modes := []struct {
				name   string
				render func(t *testing.T, docs []string) []byte
				canon  func(t *testing.T, out []byte) []byte
			}{
				{"stream", detStreamDocs, nil},
				{"tree", detTreeDocs, nil},
				{"krm", detKRMDocs, detSortForeign},
			}
			for _, m := range modes {
				t.Run(m.name, func(t *testing.T) {
					rnd := rand.New(rand.NewSource(1))
					ref := m.render(t, docs)
					if len(ref) == 0 {
						t.Fatal("rendered nothing")
					}
					want := detSum(ref)
					for i := 1; i < detRuns; i++ {
						d := docs
						var what []string
						if i%3 == 2 {
							d = detShuffled(rnd, docs)
							what = append(what, "shuffled")
						}
						if i%5 == 1 {
							what = append(what, "GOMAXPROCS=1")
						}
						envChanged := i >= detRuns-10
						if envChanged {
							what = append(what, "changed env")
						}
						t.Run(fmt.Sprintf("run%02d", i), func(t *testing.T) {
							if i%5 == 1 {
								defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
							}
							if envChanged {
								detChangeEnv(t, i)
							}
							got := m.render(t, d)
							if m.canon != nil && i%3 == 2 {
								if s, w := detSum(m.canon(t, got)), detSum(m.canon(t, ref)); s != w {
									t.Errorf("run %d (%s): sha256 %s, want %s (run 0), both with the input items sorted", i, strings.Join(what, ", "), s, w)
								}
								return
							}
							if s := detSum(got); s != want {
								t.Errorf("run %d (%s): sha256 %s, want %s (run 0)", i, strings.Join(what, ", "), s, want)
							}
						})
					}
				})
			}
		})
	}
}

// detChangeEnv sets variables a careless generator might read: user, host, time zone, locale.
func detChangeEnv(t *testing.T, i int) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USER", fmt.Sprintf("someone-%d", i))
	t.Setenv("LOGNAME", fmt.Sprintf("someone-%d", i))
	t.Setenv("HOSTNAME", fmt.Sprintf("host-%d.example.org", i))
	t.Setenv("TZ", []string{"UTC", "Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham"}[i%4])
	t.Setenv("LANG", []string{"C", "de_DE.UTF-8", "tr_TR.UTF-8", "ja_JP.eucJP"}[i%4])
	t.Setenv("LC_ALL", []string{"C", "de_DE.UTF-8", "tr_TR.UTF-8", "ja_JP.eucJP"}[(i+1)%4])
	t.Setenv("KUBECONFIG", filepath.Join(home, "kubeconfig"))
}

func detSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func detShuffled(rnd *rand.Rand, docs []string) []string {
	d := append([]string(nil), docs...)
	for {
		rnd.Shuffle(len(d), func(i, j int) { d[i], d[j] = d[j], d[i] })
		// An order equal to the original tests nothing new.
		if strings.Join(d, "\x00") != strings.Join(docs, "\x00") || len(d) < 2 {
			return d
		}
	}
}

// detDocs returns the YAML documents of an example: the MeshConfig first, then the
// credentials Secrets.
func detDocs(t *testing.T, dir string) []string {
	t.Helper()
	var docs []string
	for _, f := range []string{"mesh.yaml", "credentials.yaml"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if f == "credentials.yaml" && errors.Is(err, fs.ErrNotExist) {
			continue // an example whose remote secrets need none
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range strings.Split(string(b), "\n---\n") {
			if !strings.Contains(d, "\nkind: ") {
				t.Fatalf("%s: document without a kind:\n%s", f, d)
			}
			docs = append(docs, strings.TrimSuffix(d, "\n")+"\n")
		}
	}
	if len(docs) == 0 || !strings.Contains(docs[0], "\nkind: MeshConfig") {
		t.Fatalf("%s: want a MeshConfig first, got %d documents", dir, len(docs))
	}
	return docs
}

// detSpread writes the documents into files: the number of files and how the documents are
// spread over them follows from the documents' order, so a shuffle changes both.
func detSpread(t *testing.T, docs []string) []string {
	t.Helper()
	dir := t.TempDir()
	nfiles := 1 + len(docs[0])%3
	parts := make([][]string, nfiles)
	for i, d := range docs {
		parts[i%nfiles] = append(parts[i%nfiles], d)
	}
	var files []string
	for i, p := range parts {
		if len(p) == 0 {
			continue
		}
		f := filepath.Join(dir, fmt.Sprintf("part-%d.yaml", i))
		badWriteFile(t, f, strings.Join(p, "---\n"))
		files = append(files, f)
	}
	return files
}

func detStreamDocs(t *testing.T, docs []string) []byte {
	return detRenderStream(t, detSpread(t, docs), nil)
}

func detRenderStream(t *testing.T, files []string, stdin []byte) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := Main(append([]string{"render"}, files...), bytes.NewReader(stdin), &stdout, &stderr); code != OK {
		t.Fatalf("render %v: exit status %d; stderr:\n%s", files, code, stderr.String())
	}
	return stdout.Bytes()
}

// detTreeDocs renders into a new folder and returns every file's path and content.
func detTreeDocs(t *testing.T, docs []string) []byte {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	args := append(append([]string{"render"}, detSpread(t, docs)...), "-o", dir)
	if code := Main(args, nil, &stdout, &stderr); code != OK {
		t.Fatalf("%v: exit status %d; stderr:\n%s", args, code, stderr.String())
	}
	if stdout.Len() > 0 {
		t.Errorf("render -o wrote to stdout:\n%s", stdout.String())
	}
	return detDumpTree(t, dir)
}

func detDumpTree(t *testing.T, dir string) []byte {
	t.Helper()
	var b bytes.Buffer
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(&b, "=== %s %d\n", filepath.ToSlash(rel), len(data))
		b.Write(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func detKRMDocs(t *testing.T, docs []string) []byte {
	t.Helper()
	var mesh string
	var creds []string
	for _, d := range docs {
		if strings.Contains(d, "\nkind: MeshConfig\n") {
			mesh = d
		} else {
			creds = append(creds, d)
		}
	}
	rl := detResourceList(t, mesh, strings.Join(creds, "---\n"))
	var stdout, stderr bytes.Buffer
	if code := Main(nil, bytes.NewReader(rl), &stdout, &stderr); code != OK {
		t.Fatalf("KRM: exit status %d; stderr:\n%s", code, stderr.String())
	}
	return stdout.Bytes()
}

// detSortForeign sorts the items meshgen did not generate and leaves the generated ones, in
// their order, behind them.
func detSortForeign(t *testing.T, out []byte) []byte {
	t.Helper()
	rl, err := kyaml.Parse(string(out))
	if err != nil {
		t.Fatal(err)
	}
	items, err := rl.Pipe(kyaml.Lookup("items"))
	if err != nil || items == nil {
		t.Fatalf("no items in the output: %v", err)
	}
	var foreign, generated []*kyaml.Node
	for _, it := range items.YNode().Content {
		if kyaml.NewRNode(it).GetLabels()[gen.ManagedByLabel] == gen.ManagedBy {
			generated = append(generated, it)
		} else {
			foreign = append(foreign, it)
		}
	}
	if len(generated) == 0 {
		t.Fatal("the output has no generated items")
	}
	key := func(n *kyaml.Node) string {
		s, err := kyaml.NewRNode(n).String()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	slices.SortFunc(foreign, func(a, b *kyaml.Node) int { return strings.Compare(key(a), key(b)) })
	items.YNode().Content = append(foreign, generated...)
	s, err := rl.String()
	if err != nil {
		t.Fatal(err)
	}
	return []byte(s)
}

// detResourceList builds what kpt feeds a function: the MeshConfig as functionConfig and the
// given documents, in the given order, as items, each with the path annotations kpt sets
// (derived from the document itself, so they do not depend on the order).
func detResourceList(t *testing.T, mesh, items string) []byte {
	t.Helper()
	fc, err := kyaml.Parse(mesh)
	if err != nil {
		t.Fatal(err)
	}
	if err := fc.PipeE(kyaml.SetAnnotation(kioutil.PathAnnotation, "mesh.yaml")); err != nil {
		t.Fatal(err)
	}
	seq := kyaml.NewListRNode()
	for _, d := range strings.Split(items, "\n---\n") {
		if strings.TrimSpace(d) == "" {
			continue
		}
		// The split takes the line break before "---"; a block scalar at the end needs it.
		it, err := kyaml.Parse(strings.TrimSuffix(d, "\n") + "\n")
		if err != nil {
			t.Fatal(err)
		}
		name := it.GetName()
		for _, a := range [][2]string{{kioutil.PathAnnotation, "secrets/" + name + ".yaml"}, {kioutil.IndexAnnotation, "0"}, {kioutil.LegacyPathAnnotation, "secrets/" + name + ".yaml"}, {kioutil.LegacyIndexAnnotation, "0"}} {
			if err := it.PipeE(kyaml.SetAnnotation(a[0], a[1])); err != nil {
				t.Fatal(err)
			}
		}
		seq.YNode().Content = append(seq.YNode().Content, it.YNode())
	}
	rl, err := kyaml.Parse("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n")
	if err != nil {
		t.Fatal(err)
	}
	if err := rl.PipeE(kyaml.SetField("items", seq)); err != nil {
		t.Fatal(err)
	}
	if err := rl.PipeE(kyaml.SetField("functionConfig", fc)); err != nil {
		t.Fatal(err)
	}
	s, err := rl.String()
	if err != nil {
		t.Fatal(err)
	}
	return []byte(s)
}

func detExampleDirs(t *testing.T) []string {
	t.Helper()
	ms, err := filepath.Glob(filepath.Join(detExamples, "*", "mesh.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 {
		t.Fatalf("found %d examples, want at least 2", len(ms))
	}
	var dirs []string
	for _, m := range ms {
		dirs = append(dirs, filepath.Dir(m))
	}
	return dirs
}

func detReadExample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(detExamples, "mcsps-test", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// detToJSON turns YAML into tab-indented JSON.
func detToJSON(t *testing.T, y []byte) []byte {
	t.Helper()
	j, err := sigsyaml.YAMLToJSON(y)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := json.Indent(&b, j, "", "\t"); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
