package sink

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigyaml "sigs.k8s.io/yaml"

	"github.com/meshgen/meshgen/pkg/gen"
)

// The tests in this file pin rules that mutation testing (make mutate) found no test held:
// each states the rule a user relies on, and fails for the mutants it was written after.

// patch applies d, a unified diff of one file, to a as patch(1) would, but strictly: each
// hunk's header must give its place in both files and count its lines, and its context and
// removed lines must be a's. It returns the new text and each hunk's line kinds (' ', '-',
// '+') with its place in a.
func patch(d, a string) (string, []hunk, error) {
	x := splitLines(a)
	ls := splitLines(d)
	if len(ls) < 2 || !strings.HasPrefix(ls[0], "--- ") || !strings.HasPrefix(ls[1], "+++ ") {
		return "", nil, errors.New("no ---/+++ header")
	}
	var out []string
	var hs []hunk
	pos := 0
	for k := 2; k < len(ls); {
		var os, on, ns, nn int
		if _, err := fmt.Sscanf(ls[k], "@@ -%d,%d +%d,%d @@", &os, &on, &ns, &nn); err != nil {
			return "", nil, fmt.Errorf("line %d: %q: %v", k+1, ls[k], err)
		}
		k++
		// A range of no lines names the line before it; any other its first line, from 1.
		if on > 0 {
			os--
		}
		if nn > 0 {
			ns--
		}
		if os < pos || os > len(x) {
			return "", nil, fmt.Errorf("hunk at old line %d after line %d or past the end", os, pos)
		}
		out = append(out, x[pos:os]...)
		pos = os
		if len(out) != ns {
			return "", nil, fmt.Errorf("hunk at new line %d, but %d lines come before it", ns, len(out))
		}
		h := hunk{old: os}
		for ; k < len(ls) && !strings.HasPrefix(ls[k], "@@"); k++ {
			l := ls[k]
			if l == "" {
				return "", nil, fmt.Errorf("line %d: empty", k+1)
			}
			h.kinds += l[:1]
			switch l[0] {
			case ' ', '-':
				if pos >= len(x) || x[pos] != l[1:] {
					return "", nil, fmt.Errorf("line %d: %q is not old line %d", k+1, l, pos+1)
				}
				pos++
				if l[0] == ' ' {
					out = append(out, l[1:])
				}
			case '+':
				out = append(out, l[1:])
			default:
				return "", nil, fmt.Errorf("line %d: %q", k+1, l)
			}
		}
		if o, n := len(h.kinds)-strings.Count(h.kinds, "+"), len(h.kinds)-strings.Count(h.kinds, "-"); o != on || n != nn {
			return "", nil, fmt.Errorf("hunk -%d,%d +%d,%d holds %d old and %d new lines", os, on, ns, nn, o, n)
		}
		h.end = pos
		hs = append(hs, h)
	}
	return joinLines(append(out, x[pos:]...)), hs, nil
}

type hunk struct {
	kinds    string // one byte a line
	old, end int    // the old lines it spans, from 0
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func joinLines(ls []string) string {
	if len(ls) == 0 {
		return ""
	}
	return strings.Join(ls, "\n") + "\n"
}

// lcsLen is the length of the longest common subsequence of a and b, by memoised recursion.
func lcsLen(a, b []string) int {
	memo := map[[2]int]int{}
	var f func(i, j int) int
	f = func(i, j int) int {
		if i == len(a) || j == len(b) {
			return 0
		}
		if v, ok := memo[[2]int{i, j}]; ok {
			return v
		}
		v := max(f(i+1, j), f(i, j+1))
		if a[i] == b[j] {
			v = max(v, 1+f(i+1, j+1))
		}
		memo[[2]int{i, j}] = v
		return v
	}
	return f(0, 0)
}

// TestUnifiedDiff: the diff render --check prints is a unified diff that patch applies to
// the old file to give the new one; it is minimal (no line removed and added back); each
// hunk has three lines of context on each side (fewer only at the file's ends), and hunks
// whose changes are at most six unchanged lines apart are one.
func TestUnifiedDiff(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 4))
	text := func() string {
		ls := make([]string, r.IntN(20))
		for i := range ls {
			ls[i] = string(rune('a' + r.IntN(4)))
		}
		return joinLines(ls)
	}
	for n := 0; n < 3000; n++ {
		a, b := text(), text()
		d := unified("f", a, b, true, true)
		got, hs, err := patch(d, a)
		if err != nil || got != b {
			t.Fatalf("the diff of\n%sand\n%sdoes not apply (%v), or gives\n%s:\n%s", a, b, err, got, d)
		}
		x, y := splitLines(a), splitLines(b)
		changed := 0
		for i, h := range hs {
			lead := len(h.kinds) - len(strings.TrimLeft(h.kinds, " "))
			trail := len(h.kinds) - len(strings.TrimRight(h.kinds, " "))
			inner := strings.Fields(strings.Map(func(r rune) rune {
				if r == ' ' {
					return 'c'
				}
				return ' '
			}, strings.Trim(h.kinds, " ")))
			for _, run := range inner {
				if len(run) > 2*context {
					t.Fatalf("a run of %d unchanged lines inside a hunk:\n%s", len(run), d)
				}
			}
			if lead == len(h.kinds) || lead > context || trail > context || lead < context && h.old > 0 || trail < context && h.end < len(x) {
				t.Fatalf("hunk %d has %d lines of context before and %d after:\n%s", i+1, lead, trail, d)
			}
			if i > 0 && hs[i-1].end >= h.old {
				t.Fatalf("hunks %d and %d meet:\n%s", i, i+1, d)
			}
			changed += len(h.kinds) - strings.Count(h.kinds, " ")
		}
		if want := len(x) + len(y) - 2*lcsLen(x, y); changed != want {
			t.Fatalf("%d lines changed, %d would do:\n%s", changed, want, d)
		}
	}
}

// TestUnifiedDiffNewAndGone: a file that comes names /dev/null as its old side, one that goes
// as its new side, as diff -N and git do.
func TestUnifiedDiffNewAndGone(t *testing.T) {
	if d := unified("f", "", "x\ny\n", false, true); d != "--- /dev/null\n+++ b/f\n@@ -0,0 +1,2 @@\n+x\n+y\n" {
		t.Errorf("a new file:\n%s", d)
	}
	if d := unified("f", "x\n", "", true, false); d != "--- a/f\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-x\n" {
		t.Errorf("a file gone:\n%s", d)
	}
}

// secretFolder is a folder with a Secret holding data and a ConfigMap holding the same.
func secretFolder(labels string, data map[string]string) *gen.Folder {
	obj := func(kind string) gen.Object {
		return gen.Object{Cluster: "east", APIVersion: "v1", Kind: kind, Namespace: "istio-system", Name: "reader",
			Body: map[string]any{"apiVersion": "v1", "kind": kind,
				"metadata": map[string]any{"name": "reader", "namespace": "istio-system", "labels": map[string]string{"l": labels}},
				"data":     data, "stringData": map[string]string{"token": data["token"]}}}
	}
	return &gen.Folder{Name: "east", Objects: []gen.Object{obj("Secret"), obj("ConfigMap")}}
}

func checkDiff(t *testing.T, dir string, f *gen.Folder) string {
	t.Helper()
	c := &Check{Dir: dir, Mesh: "demo"}
	put(t, c, f)
	return c.Diff
}

// TestCheckHidesSecretValues: render --check compares Secrets but never prints a value, old
// or new: it hides each, and names the keys whose values differ (added, changed or gone).
// A ConfigMap's values are shown, and a Secret that differs elsewhere names no keys.
func TestCheckHidesSecretValues(t *testing.T) {
	const secretPath = "east/istio-system_secret_reader.yaml"
	dir := filepath.Join(t.TempDir(), "out")
	put(t, &Tree{Dir: dir, Mesh: "demo"}, secretFolder("1", map[string]string{"token": "b2xkLXRva2Vu", "same": "c2FtZQ==", "gone": "Z29uZQ=="}))

	d := checkDiff(t, dir, secretFolder("1", map[string]string{"token": "bmV3LXRva2Vu", "same": "c2FtZQ==", "added": "YWRkZWQ="}))
	for _, v := range []string{"b2xkLXRva2Vu", "bmV3LXRva2Vu", "Z29uZQ==", "YWRkZWQ=", "c2FtZQ=="} {
		if strings.Contains(secretDiff(d, secretPath), v) {
			t.Errorf("the Secret's value %s is printed:\n%s", v, d)
		}
		if v != "c2FtZQ==" && !strings.Contains(d, v) {
			t.Errorf("the ConfigMap's value %s is not printed:\n%s", v, d)
		}
	}
	if want := "# " + secretPath + ": Secret values not shown; these keys differ: data.added, data.gone, data.token, stringData.token\n"; !strings.Contains(d, want) {
		t.Errorf("want %q in:\n%s", want, d)
	}
	if !strings.Contains(d, "-  gone: (hidden)\n") || !strings.Contains(d, "+  added: (hidden)\n") {
		t.Errorf("the keys gone and added are not shown hidden:\n%s", d)
	}

	d = checkDiff(t, dir, secretFolder("2", map[string]string{"token": "b2xkLXRva2Vu", "same": "c2FtZQ==", "gone": "Z29uZQ=="}))
	if s := secretDiff(d, secretPath); !strings.Contains(s, "-    l: \"1\"\n") || !strings.Contains(s, "+    l: \"2\"\n") || strings.Contains(s, "keys differ") || strings.Contains(s, "b2xk") {
		t.Errorf("a Secret with a new label:\n%s", d)
	}

	// Gone: its values hidden, and each key named.
	d = checkDiff(t, dir, &gen.Folder{Name: "east", Objects: secretFolder("1", nil).Objects[1:]})
	if s := secretDiff(d, secretPath); !strings.Contains(s, "+++ /dev/null\n") || strings.Contains(s, "b2xk") ||
		!strings.Contains(s, "these keys differ: data.gone, data.same, data.token, stringData.token\n") {
		t.Errorf("a Secret gone:\n%s", d)
	}
}

// secretDiff is the part of d about the file p.
func secretDiff(d, p string) string {
	i := strings.Index(d, "--- a/"+p+"\n")
	if i < 0 {
		return ""
	}
	j := strings.Index(d[i+1:], "\n--- ")
	if j < 0 {
		return d[i:]
	}
	return d[i : i+1+j+1]
}

// TestCheckHidesUnreadable: a file of meshgen's that no longer reads as YAML may be a Secret
// someone edited; render --check does not print it.
func TestCheckHidesUnreadable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	put(t, &Tree{Dir: dir, Mesh: "demo"}, secretFolder("1", map[string]string{"token": "dG9rZW4="}))
	const junk = "token: [s3cr3t\n"
	if err := os.WriteFile(filepath.Join(dir, "east/istio-system_configmap_reader.yaml"), []byte(junk), 0o644); err != nil {
		t.Fatal(err)
	}
	d := checkDiff(t, dir, secretFolder("1", map[string]string{"token": "dG9rZW4="}))
	if !strings.Contains(d, "--- a/east/istio-system_configmap_reader.yaml\n+++ b/east/istio-system_configmap_reader.yaml\n") ||
		!strings.Contains(d, "-# (not shown: not readable as YAML, and it may hold credentials)\n") || strings.Contains(d, "s3cr3t") {
		t.Errorf("an unreadable file:\n%s", d)
	}
}

// TestCheckStaleFileAlreadyGone: a file meshgen wrote and no longer writes, already removed by
// hand, is no diff of its own: only the manifest, which still lists it, changes.
func TestCheckStaleFileAlreadyGone(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	f := secretFolder("1", map[string]string{"token": "dG9rZW4="})
	put(t, &Tree{Dir: dir, Mesh: "demo"}, f)
	if err := os.Remove(filepath.Join(dir, "east/istio-system_configmap_reader.yaml")); err != nil {
		t.Fatal(err)
	}
	f.Objects = f.Objects[:1]
	d := checkDiff(t, dir, f)
	if !strings.HasPrefix(d, "--- a/.meshgen\n+++ b/.meshgen\n") || strings.Count(d, "\n--- ") != 1 || !strings.Contains(d, "-east/istio-system_configmap_reader.yaml\n") {
		t.Errorf("want the manifest's diff alone and the kustomization's, got:\n%s", d)
	}
}

// TestTreeKeepsFolderMode: render -o replaces the folder's content, not its permissions.
func TestTreeKeepsFolderMode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	put(t, &Tree{Dir: dir, Mesh: "demo"}, filesFolder())
	if err := os.Chmod(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	put(t, &Tree{Dir: dir, Mesh: "demo"}, filesFolder())
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o750 {
		t.Errorf("mode %v (%v), want 0750", st.Mode().Perm(), err)
	}
}

// TestItemsAsKptWrites: an item is the object's YAML as kyaml writes a sequence entry (blank
// lines of a literal block stay blank), with kpt's path and index annotations after the
// object's own, where kpt adds them; the entries read back unchanged.
func TestItemsAsKptWrites(t *testing.T) {
	s := &Items{Dir: "pkg", Mesh: "demo"}
	o := gen.Object{Cluster: "east", APIVersion: "v1", Kind: "ConfigMap", Namespace: "ns", Name: "x",
		Body: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "data": map[string]string{"k": "line1\n\nline2\n"},
			"metadata": map[string]any{"name": "x", "namespace": "ns", "annotations": map[string]string{"a": "1", "b": "2"}}}}
	if err := s.Put(&gen.Folder{Name: "east", Objects: []gen.Object{o}}); err != nil {
		t.Fatal(err)
	}
	const want = `- apiVersion: v1
  data:
    k: |
      line1

      line2
  kind: ConfigMap
  metadata:
    annotations:
      a: "1"
      b: "2"
      internal.config.kubernetes.io/path: pkg/east/ns_configmap_x.yaml
      internal.config.kubernetes.io/index: "0"
    name: x
    namespace: ns
`
	if string(s.Buf) != want {
		t.Errorf("item:\n%s\nwant:\n%s", s.Buf, want)
	}
	rl := "items:\n" + string(s.Buf)
	n, err := yaml.Parse(rl)
	if err != nil {
		t.Fatal(err)
	}
	if back, err := n.String(); err != nil || back != rl {
		t.Errorf("kyaml writes the items otherwise (%v):\n%s", err, back)
	}

	// Without annotations there is nowhere to put kpt's: refused, not written without them.
	o.Body = map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "x"}}
	if err := s.Put(&gen.Folder{Name: "east", Objects: []gen.Object{o}}); !errors.Is(err, errNoAnnotations) {
		t.Errorf("an object without annotations: %v", err)
	}
}

// TestPathScalar: the path annotation reads back as the path; an ordinary path is plain, as
// kyaml writes it, anything else double-quoted.
func TestPathScalar(t *testing.T) {
	for p, want := range map[string]string{
		"pkg/east/ns_configmap_x.yaml": "pkg/east/ns_configmap_x.yaml",
		"az/AZ_09-.yaml":               "az/AZ_09-.yaml",
		"x.yaml":                       "x.yaml",
		"":                             `""`,
		".hidden/x.yaml":               `".hidden/x.yaml"`,
		"-x.yaml":                      `"-x.yaml"`,
		"a b.yaml":                     `"a b.yaml"`,
		"a:b.yaml":                     `"a:b.yaml"`,
		"`@[{.yaml":                    "\"`@[{.yaml\"",
	} {
		got := string(appendScalar(nil, p))
		if got != want {
			t.Errorf("%q: %s, want %s", p, got, want)
		}
		var back map[string]string
		if err := sigyaml.Unmarshal([]byte("k: "+got), &back); err != nil || back["k"] != p {
			t.Errorf("%q written %s reads back as %q (%v)", p, got, back["k"], err)
		}
	}
}

// TestFileConfigMapName: a file's ConfigMap is named by its file name in lower case, every
// character that a DNS label cannot hold a dash, and none at either end.
func TestFileConfigMapName(t *testing.T) {
	for in, want := range map[string]string{
		"README.md":               "readme-md",
		"helm/values-istiod.yaml": "helm-values-istiod-yaml",
		"`a{z@A[Z/0:9_":           "a-z-a-z-0-9",
		"..":                      "",
	} {
		if got := dnsName(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// TestMkdirNewFreshName: a new folder's name taken by another (a render at the same
// nanosecond) is passed over for the next, and after a thousand taken names mkdirNew gives up
// rather than loop.
func TestMkdirNewFreshName(t *testing.T) {
	at := time.Unix(0, 1_700_000_000_000_000_000)
	clock = func() time.Time { return at }
	t.Cleanup(func() { clock = time.Now })
	parent := t.TempDir()
	taken := func(i int64) string {
		return filepath.Join(parent, ".out.meshgen-new-"+strconv.FormatInt(at.UnixNano()+i, 36))
	}
	if err := os.Mkdir(taken(0), 0o755); err != nil {
		t.Fatal(err)
	}
	if d, err := mkdirNew(parent, ".out.meshgen-new-"); err != nil || d != taken(1) {
		t.Errorf("got %s (%v), want %s", d, err, taken(1))
	}
	for i := int64(2); i <= 1000; i++ {
		if err := os.Mkdir(taken(i), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if d, err := mkdirNew(parent, ".out.meshgen-new-"); !errors.Is(err, fs.ErrExist) {
		t.Errorf("every name taken: got %s (%v), want an error", d, err)
	}
}
