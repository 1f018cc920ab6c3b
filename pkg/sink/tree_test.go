package sink

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/gen"
)

// doc is one object of a test tree, by its tree path.
type doc struct {
	Path    string
	Version string
}

// tree is what an output folder holds, by slash path: what Tree should write.
type tree map[string][]byte

func (t tree) Paths() []string { return slices.Sorted(maps.Keys(t)) }

// treeDocs is a small rendered mesh; version changes every document's content.
func treeDocs(version string, extra ...string) []doc {
	paths := []string{
		"east/namespace_shop.yaml",
		"east/shop_service_catalog.yaml",
		"east/shop_virtualservice_catalog.yaml",
		"west/namespace_shop.yaml",
		"west/shop_service_catalog.yaml",
		"rancher/c-abcde_project_istio.yaml",
	}
	paths = append(paths, extra...)
	docs := make([]doc, len(paths))
	for i, p := range paths {
		docs[i] = doc{Path: p, Version: version}
	}
	return docs
}

// treeFolders turns documents into the folders gen would hand over, in the order of their
// first document, each object's body naming its path and version.
func treeFolders(docs []doc) []*gen.Folder {
	var fs []*gen.Folder
	by := map[string]*gen.Folder{}
	for _, d := range docs {
		cluster, file, _ := strings.Cut(d.Path, "/")
		var phase gen.Phase
		if p, f, ok := strings.Cut(file, "/"); ok {
			phase, file = gen.PhaseOfFolder(p), f
		}
		parts := strings.Split(strings.TrimSuffix(file, ".yaml"), "_")
		o := gen.Object{Cluster: cluster, APIVersion: "test/v1", Kind: parts[len(parts)-2], Name: parts[len(parts)-1], Phase: phase,
			Body: map[string]string{"kind": "Test", "path": d.Path, "version": d.Version}}
		if len(parts) == 3 {
			o.Namespace = parts[0]
		}
		if o.Path() != d.Path {
			panic("test path " + d.Path + " is not an object path")
		}
		f := by[cluster]
		if f == nil {
			f = &gen.Folder{Name: cluster}
			by[cluster] = f
			fs = append(fs, f)
		}
		f.Objects = append(f.Objects, o)
	}
	return fs
}

// treeOf is the tree Tree writes for docs into a new folder: what BuildTree once returned.
func treeOf(docs []doc) tree {
	t := tree{}
	var e encoder
	var l layout
	for _, f := range treeFolders(docs) {
		for _, o := range f.Objects {
			b, err := e.object(nil, o)
			if err != nil {
				panic(err)
			}
			t[o.Path()] = b
			l.add(o.Path())
		}
	}
	for _, dir := range l.order {
		t[path.Join(dir, kustomization)] = kustomizationFile("demo", l.folders[dir])
	}
	t[ManifestFile] = manifestFile(t.Paths())
	return t
}

// write renders docs into dir as render -o does: Put each folder, Abort on an error, Commit.
func write(dir string, docs []doc) error {
	s := &Tree{Dir: dir, Mesh: "demo"}
	for _, f := range treeFolders(docs) {
		if err := s.Put(f); err != nil {
			s.Abort()
			return err
		}
	}
	return s.Commit()
}

// treeForeign are the user's files in an output folder: a file named like meshgen's own but not
// in its manifest, notes, a whole folder of overlays and a symbolic link.
var treeForeign = map[string]string{
	"README.md":                         "# our GitOps tree\n",
	"east/sample_service_foo.yaml":      "kind: Service\nmetadata: {name: foo, namespace: sample}\n",
	"east/notes.txt":                    "hand-written\n",
	"east/overlays/patch.yaml":          "patch: true\n",
	"east/overlays/deeper/more.yaml":    "more: true\n",
	"extra/kustomization.yaml":          "resources: [../east]\n",
	"west/.gitkeep":                     "",
	"west/shop_networkpolicy_mine.yaml": "kind: NetworkPolicy\n",
}

func treeAddForeign(t *testing.T, dir string) {
	t.Helper()
	for p, data := range treeForeign {
		f := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("../README.md", filepath.Join(dir, "east", "readme-link")); err != nil {
		t.Fatal(err)
	}
}

// treeSnapshot describes every entry under dir: type, permissions and content hash or link target.
func treeSnapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	s := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			s[filepath.ToSlash(rel)] = "link " + l
		case d.IsDir():
			s[filepath.ToSlash(rel)] = fmt.Sprintf("dir %v", info.Mode().Perm())
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			s[filepath.ToSlash(rel)] = fmt.Sprintf("file %v %x", info.Mode().Perm(), sha256.Sum256(b))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func treeSame(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for _, p := range slices.Sorted(treeKeys(want)) {
		if got[p] != want[p] {
			t.Errorf("%s: %s is %q, was %q", what, p, got[p], want[p])
		}
	}
	for _, p := range slices.Sorted(treeKeys(got)) {
		if _, ok := want[p]; !ok {
			t.Errorf("%s: %s appeared (%s)", what, p, got[p])
		}
	}
}

func treeKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// treeOnlyChild checks that dir's parent holds dir and nothing else: no temporary folders left.
func treeOnlyChild(t *testing.T, dir string) {
	t.Helper()
	es, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	if len(names) != 1 || names[0] != filepath.Base(dir) {
		t.Errorf("beside the output folder: %v, want only %s", names, filepath.Base(dir))
	}
}

func treeFailpoint(t *testing.T, f func(step string) error) {
	t.Helper()
	failpoint = f
	t.Cleanup(func() { failpoint = nil })
}

// treeFailAt makes the named step fail with the returned error; reached tells whether it did.
func treeFailAt(t *testing.T, step string) (injected error, reached *bool) {
	t.Helper()
	injected, reached = errors.New("injected failure"), new(bool)
	treeFailpoint(t, func(s string) error {
		if s == step {
			*reached = true
			return injected
		}
		return nil
	})
	return injected, reached
}

// treeSetup writes the first tree and adds the user's files beside meshgen's.
func treeSetup(t *testing.T) (dir string, old tree) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "out")
	old = treeOf(treeDocs("1"))
	if err := write(dir, treeDocs("1")); err != nil {
		t.Fatal(err)
	}
	treeAddForeign(t, dir)
	return dir, old
}

// treeChanged is the next render: every file's content changes, west's service is no longer
// produced and two new files are.
func treeChanged() tree {
	return treeOf(treeChangedDocs())
}

// treeChangedDocs are the documents of treeChanged.
func treeChangedDocs() []doc {
	return slices.DeleteFunc(treeDocs("2", "east/shop_destinationrule_catalog.yaml", "north/namespace_shop.yaml"), func(d doc) bool {
		return d.Path == "west/shop_service_catalog.yaml"
	})
}

func TestWriteFailureKeepsOldTree(t *testing.T) {
	next := treeChanged()
	paths := next.Paths()
	steps := []string{"write " + paths[0], "write " + paths[len(paths)/2], "write " + paths[len(paths)-1], "swap"}
	for _, step := range steps {
		t.Run(step, func(t *testing.T) {
			dir, _ := treeSetup(t)
			before := treeSnapshot(t, dir)
			injected, reached := treeFailAt(t, step)
			err := write(dir, treeChangedDocs())
			if !*reached {
				t.Fatalf("Write never reached step %q", step)
			}
			if !errors.Is(err, injected) {
				t.Fatalf("Write = %v, want the injected failure", err)
			}
			treeSame(t, "after a failed Write", treeSnapshot(t, dir), before)
			treeOnlyChild(t, dir)

			// The next attempt, without the failure, succeeds from that state.
			failpoint = nil
			if err := write(dir, treeChangedDocs()); err != nil {
				t.Fatalf("Write after the failure: %v", err)
			}
			treeCheckWritten(t, dir, next)
		})
	}
}

func TestWriteKeepsForeignRemovesStale(t *testing.T) {
	dir, old := treeSetup(t)
	before := treeSnapshot(t, dir)
	next := treeChanged()
	if err := write(dir, treeChangedDocs()); err != nil {
		t.Fatal(err)
	}
	treeCheckWritten(t, dir, next)
	after := treeSnapshot(t, dir)
	for p := range treeForeign {
		if after[p] != before[p] {
			t.Errorf("foreign %s is %q, was %q", p, after[p], before[p])
		}
	}
	for _, p := range []string{"east", "east/overlays", "east/overlays/deeper", "extra", "east/readme-link"} {
		if after[p] != before[p] {
			t.Errorf("foreign %s is %q, was %q", p, after[p], before[p])
		}
	}
	for p := range old {
		if _, still := next[p]; !still {
			if _, ok := after[p]; ok {
				t.Errorf("stale %s was not removed", p)
			}
		}
	}
	// Only meshgen's files, the user's files and their folders are there.
	for p := range after {
		_, mine := next[p]
		_, theirs := treeForeign[p]
		if !mine && !theirs && !strings.HasPrefix(after[p], "dir ") && p != "east/readme-link" {
			t.Errorf("unexpected %s (%s)", p, after[p])
		}
	}
	treeOnlyChild(t, dir)

	// The same tree again changes nothing.
	if err := write(dir, treeChangedDocs()); err != nil {
		t.Fatal(err)
	}
	treeSame(t, "after writing the same tree again", treeSnapshot(t, dir), after)
}

// treeCheckWritten checks every file of t is in dir with exactly its content.
func treeCheckWritten(t *testing.T, dir string, tr tree) {
	t.Helper()
	for _, p := range tr.Paths() {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if string(b) != string(tr[p]) {
			t.Errorf("%s holds %q, want %q", p, b, tr[p])
		}
	}
	m, err := readManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	for p := range tr {
		if _, ok := m[p]; !ok && p != ManifestFile {
			t.Errorf("manifest lacks %s", p)
		}
	}
	if len(m) != len(tr)-1 {
		t.Errorf("manifest lists %d paths, tree has %d besides the manifest", len(m), len(tr)-1)
	}
}

func TestManifestLeavingFolderRefused(t *testing.T) {
	for _, bad := range []string{"../x", "east/../../x", "/etc/passwd", "..", "east/../../out-sibling/file"} {
		t.Run(bad, func(t *testing.T) {
			dir, _ := treeSetup(t)
			victim := filepath.Join(filepath.Dir(dir), "x")
			if err := os.WriteFile(victim, []byte("keep me\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			m := filepath.Join(dir, ManifestFile)
			b, err := os.ReadFile(m)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(m, append(b, bad+"\n"...), 0o644); err != nil {
				t.Fatal(err)
			}
			before := treeSnapshot(t, dir)
			err = write(dir, treeChangedDocs())
			if err == nil || !strings.Contains(err.Error(), "leaves the folder") || !strings.Contains(err.Error(), bad) {
				t.Errorf("Write with %q in the manifest = %v, want a refusal naming it", bad, err)
			}
			if err := check(dir, treeChangedDocs()); err == nil || !strings.Contains(err.Error(), "leaves the folder") {
				t.Errorf("Diff with %q in the manifest = %v, want a refusal", bad, err)
			}
			treeSame(t, "after the refusal", treeSnapshot(t, dir), before)
			if b, err := os.ReadFile(victim); err != nil || string(b) != "keep me\n" {
				t.Errorf("the file outside the folder is %q, %v", b, err)
			}
			if err := os.Remove(victim); err != nil {
				t.Fatal(err)
			}
			treeOnlyChild(t, dir)
		})
	}
}

func TestForeignFileInTheWayRefused(t *testing.T) {
	for _, fresh := range []bool{false, true} {
		t.Run(fmt.Sprintf("fresh=%v", fresh), func(t *testing.T) {
			var dir string
			if fresh {
				// A folder meshgen never wrote to, already holding a file at one of its paths.
				dir = filepath.Join(t.TempDir(), "out")
				if err := os.MkdirAll(filepath.Join(dir, "east"), 0o755); err != nil {
					t.Fatal(err)
				}
				treeAddForeign(t, dir)
			} else {
				dir, _ = treeSetup(t)
			}
			in := "east/shop_destinationrule_catalog.yaml"
			if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(in)), []byte("mine\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			before := treeSnapshot(t, dir)
			err := write(dir, treeChangedDocs())
			if err == nil || !strings.Contains(err.Error(), "exists and was not written by meshgen") || !strings.Contains(err.Error(), filepath.FromSlash(in)) {
				t.Errorf("Write over a foreign %s = %v, want a refusal naming it", in, err)
			}
			treeSame(t, "after the refusal", treeSnapshot(t, dir), before)
			treeOnlyChild(t, dir)
		})
	}
}

// A Write into a folder that does not exist yet creates it and its parents, and nothing else.
func TestWriteNewFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b", "out")
	tr := treeChanged()
	if err := write(dir, treeChangedDocs()); err != nil {
		t.Fatal(err)
	}
	treeCheckWritten(t, dir, tr)
	treeOnlyChild(t, dir)
	var files int
	for _, v := range treeSnapshot(t, dir) {
		if strings.HasPrefix(v, "file ") {
			files++
		}
	}
	if files != len(tr) {
		t.Errorf("%d files written, want %d", files, len(tr))
	}
}

// check runs the Check sink over docs and returns its error.
func check(dir string, docs []doc) error {
	c := &Check{Dir: dir, Mesh: "demo"}
	for _, f := range treeFolders(docs) {
		if err := c.Put(f); err != nil {
			return err
		}
	}
	return c.Commit()
}

// TestTreeAbortKeepsOldTree: a refused file or any failure before Commit leaves the folder as
// it was and nothing beside it.
func TestTreeAbortKeepsOldTree(t *testing.T) {
	dir, _ := treeSetup(t)
	before := treeSnapshot(t, dir)
	s := &Tree{Dir: dir, Mesh: "demo"}
	if err := s.Put(treeFolders(treeDocs("3"))[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(treeFolders([]doc{{Path: "east/sample_service_foo.yaml", Version: "3"}})[0]); err == nil {
		t.Fatal("Put over a foreign file succeeded")
	}
	s.Abort()
	treeSame(t, "after Abort", treeSnapshot(t, dir), before)
	treeOnlyChild(t, dir)
}
