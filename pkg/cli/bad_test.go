package cli

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"

	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/gen"
)

// The bad-input corpus: every folder under testdata/bad is one case. A CLI case holds
// input.yaml or input.json (the MeshConfig file, given first), optionally more input files
// (given after it, sorted) and args.txt (extra render flags). A KRM case holds rl.yaml, fed to
// the function mode on stdin. want.txt lists, one a line, substrings the error output must
// contain: the file, the field path and what is expected.
const badCorpus = "../../testdata/bad"

// badMinCases keeps the corpus from shrinking unnoticed.
const badMinCases = 60

// badControl lists the files of a case that are not inputs.
var badControl = []string{"want.txt", "args.txt", "README.md"}

func TestBadInputs(t *testing.T) {
	dirs, err := os.ReadDir(badCorpus)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		n++
		dir := filepath.Join(badCorpus, d.Name())
		t.Run(d.Name(), func(t *testing.T) {
			want := badReadWant(t, dir)
			if _, err := os.Stat(filepath.Join(dir, "rl.yaml")); err == nil {
				b, err := os.ReadFile(filepath.Join(dir, "rl.yaml"))
				if err != nil {
					t.Fatal(err)
				}
				badCheckKRM(t, b, want)
				return
			}
			files, args := badInputs(t, dir)
			badCheckCLI(t, files, args, nil, want)
		})
	}
	if n < badMinCases {
		t.Errorf("badCorpus has %d cases, want at least %d", n, badMinCases)
	}
	t.Logf("%d bad-input cases", n)
}

func badReadWant(t *testing.T, dir string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "want.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			want = append(want, l)
		}
	}
	if len(want) == 0 {
		t.Fatalf("%s/want.txt lists nothing", dir)
	}
	return want
}

// badInputs returns the input files of a case, the MeshConfig file first, and its extra flags.
func badInputs(t *testing.T, dir string) (files, args []string) {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var first string
	for _, e := range es {
		switch name := e.Name(); {
		case slices.Contains(badControl, name):
		case name == "input.yaml" || name == "input.json":
			first = filepath.Join(dir, name)
		default:
			files = append(files, filepath.Join(dir, name))
		}
	}
	if first == "" {
		t.Fatalf("%s has neither input.yaml, input.json nor rl.yaml", dir)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "args.txt")); err == nil {
		args = strings.Fields(string(b))
	}
	return append([]string{first}, files...), args
}

// badCheckCLI runs render into a tree, render to a stream and validate, and checks each fails
// cleanly: exit status 1, every wanted substring on stderr, nothing on stdout, no tree.
func badCheckCLI(t *testing.T, files, args []string, stdin []byte, want []string) {
	t.Helper()
	outDir := filepath.Join(t.TempDir(), "out")
	cmds := map[string][]string{
		"render -o": append(append(append([]string{"render"}, files...), args...), "-o", outDir),
		"render":    append(append([]string{"render"}, files...), args...),
	}
	if len(args) == 0 {
		cmds["validate"] = append([]string{"validate"}, files...)
	}
	for _, name := range slices.Sorted(maps.Keys(cmds)) {
		var stdout, stderr bytes.Buffer
		code := Main(cmds[name], bytes.NewReader(stdin), &stdout, &stderr)
		if code != Invalid {
			t.Errorf("%s: exit status %d, want %d; stderr:\n%s", name, code, Invalid, stderr.String())
		}
		if stdout.Len() > 0 {
			t.Errorf("%s: wrote %d bytes to stdout, want none:\n%.2000s", name, stdout.Len(), stdout.String())
		}
		badCheckMessage(t, name, stderr.String(), want)
	}
	if _, err := os.Lstat(outDir); err == nil {
		t.Errorf("render -o created %s", outDir)
	}
	siblings, err := os.ReadDir(filepath.Dir(outDir))
	if err != nil {
		t.Fatal(err)
	}
	if len(siblings) > 0 {
		t.Errorf("render -o left %v beside the output folder", siblings)
	}
}

// badCheckKRM runs the function mode and checks it fails cleanly: exit status 1, every wanted
// substring on stderr and in the results when it writes a ResourceList, whose items must be
// exactly the input items.
func badCheckKRM(t *testing.T, in []byte, want []string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(nil, bytes.NewReader(in), &stdout, &stderr)
	if code != Invalid {
		t.Errorf("exit status %d, want %d; stderr:\n%s", code, Invalid, stderr.String())
	}
	badCheckMessage(t, "stderr", stderr.String(), want)
	if stdout.Len() == 0 {
		return
	}
	rl, err := fn.ParseResourceList(stdout.Bytes())
	if err != nil {
		t.Fatalf("stdout is not a ResourceList: %v\n%.2000s", err, stdout.String())
	}
	var msgs []string
	hasError := false
	for _, r := range rl.Results {
		// Each result says its file and field once, as fields, and the problem in its text.
		m := r.Message
		if r.Field != nil {
			if strings.Contains(r.Message, r.Field.Path+":") {
				t.Errorf("result %q repeats its field path %s", r.Message, r.Field.Path)
			}
			m = r.Field.Path + ": " + m
		}
		if r.File != nil {
			if strings.Contains(r.Message, r.File.Path) {
				t.Errorf("result %q repeats its file %s", r.Message, r.File.Path)
			}
			m = r.File.Path + ": " + m
		}
		msgs = append(msgs, m)
		hasError = hasError || r.Severity == fn.Error
	}
	if !hasError {
		t.Errorf("the ResourceList on stdout has no error result: %v", msgs)
	}
	badCheckMessage(t, "results", strings.Join(msgs, "\n"), want)
	inRL, err := fn.ParseResourceList(in)
	if err != nil {
		t.Fatalf("stdout holds a ResourceList for input that is none: %v", err)
	}
	if len(rl.Items) != len(inRL.Items) {
		t.Errorf("stdout holds %d items, input %d", len(rl.Items), len(inRL.Items))
	}
	for _, it := range rl.Items {
		if it.GetLabel(gen.ManagedByLabel) == gen.ManagedBy {
			t.Errorf("stdout holds a generated object %s %s", it.GetKind(), it.GetName())
		}
	}
}

func badCheckMessage(t *testing.T, run, msg string, want []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("%s: output lacks %q; got:\n%.4000s", run, w, msg)
		}
	}
	for _, bad := range []string{"goroutine", "panic", ".go:", "runtime."} {
		if strings.Contains(msg, bad) {
			t.Errorf("%s: output contains %q (a stack trace?):\n%.4000s", run, bad, msg)
		}
	}
}

// A valid mesh whose name is 100,000 characters long: refused with the path, not echoed whole.
func TestBadLongName(t *testing.T) {
	long := strings.Repeat("a", 100000)
	mesh := strings.Replace(string(detReadExample(t, "mesh.yaml")), "name: mcsps-test\n", "name: "+long+"\n", 1)
	if !strings.Contains(mesh, long) {
		t.Fatal("the example's metadata.name moved")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "long.yaml")
	badWriteFile(t, file, mesh)
	creds := filepath.Join(dir, "creds.yaml")
	badWriteFile(t, creds, string(detReadExample(t, "credentials.yaml")))
	badCheckCLI(t, []string{file, creds}, nil, nil, []string{"long.yaml:6: metadata.name: too long (100000 characters)"})

	rl := detResourceList(t, mesh, string(detReadExample(t, "credentials.yaml")))
	badCheckKRM(t, rl, []string{"metadata.name: too long (100000 characters)"})
}

// A FILE over api.MaxFileBytes is refused unread, on disk and on stdin; a ResourceList has
// its own, larger limit (limits_test.go).
func TestBadOversized(t *testing.T) {
	// Valid YAML throughout, so only the size can be the reason.
	big := "# " + strings.Repeat("x", api.MaxFileBytes) + "\n" + string(detReadExample(t, "mesh.yaml"))
	file := filepath.Join(t.TempDir(), "big.yaml")
	badWriteFile(t, file, big)
	want := []string{"big.yaml: larger than 8388608 bytes; refused"}
	badCheckCLI(t, []string{file}, nil, nil, want)
	badCheckCLI(t, []string{"-"}, nil, []byte(big), []string{"-: larger than 8388608 bytes; refused"})

	// Exactly at the limit is still read.
	atLimit := string(detReadExample(t, "mesh.yaml"))
	atLimit = "# " + strings.Repeat("x", api.MaxFileBytes-len(atLimit)-3) + "\n" + atLimit
	if len(atLimit) != api.MaxFileBytes {
		t.Fatalf("built %d bytes, want %d", len(atLimit), api.MaxFileBytes)
	}
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"validate", "-", filepath.Join(detExamples, "mcsps-test", "credentials.yaml")}, strings.NewReader(atLimit), &stdout, &stderr); code != OK {
		t.Errorf("input of exactly MaxFileBytes: exit status %d, want %d; stderr:\n%s", code, OK, stderr.String())
	}
}

// A MeshConfig written as JSON (tabs and all) renders exactly as the YAML it came from.
func TestJSONInput(t *testing.T) {
	for _, ex := range detExampleDirs(t) {
		t.Run(filepath.Base(ex), func(t *testing.T) {
			y, err := os.ReadFile(filepath.Join(ex, "mesh.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			j := detToJSON(t, y)
			if !bytes.Contains(j, []byte("\n\t\"")) {
				t.Fatalf("JSON is not tab-indented:\n%s", j)
			}
			dir := t.TempDir()
			badWriteFile(t, filepath.Join(dir, "mesh.json"), string(j))
			// Examples without remote secrets in the output have no credentials.
			creds, _ := filepath.Glob(filepath.Join(ex, "credentials.yaml"))
			want := detRenderStream(t, append([]string{filepath.Join(ex, "mesh.yaml")}, creds...), nil)
			got := detRenderStream(t, append([]string{filepath.Join(dir, "mesh.json")}, creds...), nil)
			if !bytes.Equal(got, want) {
				t.Errorf("JSON input renders differently from YAML")
			}
		})
	}
}

func badWriteFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// An alias bomb fails (or, in an item meshgen does not read, passes through) without expanding:
// the memory allocated stays far below what even a partial expansion would need.
func TestAliasBombBounded(t *testing.T) {
	const limit = 256 << 20
	bomb := "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: lol\n  data:\n    l0: &l0 lol\n"
	for i := 1; i <= 12; i++ {
		bomb += fmt.Sprintf("    l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	mesh := string(detReadExample(t, "mesh.yaml"))
	creds := string(detReadExample(t, "credentials.yaml"))
	passing := strings.Replace(string(detResourceList(t, mesh, creds)), "items:\n", "items:\n"+bomb, 1)
	for _, tc := range []struct {
		name string
		run  func() (int, string)
		want int
	}{
		{"cli schema bomb", func() (int, string) {
			var stdout, stderr bytes.Buffer
			code := Main([]string{"validate", filepath.Join(badCorpus, "alias-bomb-schema", "input.yaml")}, nil, &stdout, &stderr)
			return code, stderr.String()
		}, Invalid},
		{"krm schema bomb", func() (int, string) {
			in, err := os.ReadFile(filepath.Join(badCorpus, "krm-alias-bomb-schema", "rl.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			code := Main(nil, bytes.NewReader(in), &stdout, &stderr)
			return code, stderr.String()
		}, Invalid},
		{"krm bomb in a foreign item", func() (int, string) {
			var stdout, stderr bytes.Buffer
			code := Main(nil, strings.NewReader(passing), &stdout, &stderr)
			if !strings.Contains(stdout.String(), "l12: &l12 [*l11, *l11, ") {
				t.Errorf("the bomb did not pass through as written")
			}
			return code, stderr.String()
		}, OK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			code, stderr := tc.run()
			runtime.ReadMemStats(&after)
			if code != tc.want {
				t.Errorf("exit status %d, want %d; stderr:\n%.2000s", code, tc.want, stderr)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > limit {
				t.Errorf("allocated %d MiB, want at most %d MiB", n>>20, limit>>20)
			}
		})
	}
}
