package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/meshgen/meshgen/internal/invariant"
)

// repo is the repository root, from this package's folder.
var repo = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}()

// tool finds a pinned tool from its MESHGEN_<NAME> variable (make test sets them through
// .ci/tools) or PATH. A missing tool fails the test: only MESHGEN_SKIP_E2E=1 skips, loudly.
func tool(t *testing.T, name string) string {
	t.Helper()
	if os.Getenv("MESHGEN_SKIP_E2E") == "1" {
		t.Skipf("MESHGEN_SKIP_E2E=1: skipping the test that runs the real %s", name)
	}
	if p := os.Getenv("MESHGEN_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))); p != "" {
		return p
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: run the tests with make test (it installs the pinned tools), or eval \"$(bash .ci/tools)\" first; MESHGEN_SKIP_E2E=1 skips", name)
	}
	return p
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

// meshgen builds the command once per test binary.
func meshgen(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "meshgen-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "meshgen")
		cmd := exec.Command("go", "build", "-o", binPath, "./fn")
		cmd.Dir = repo
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

// run runs a command and returns stdout, stderr and the exit code.
func run(t *testing.T, dir string, stdin []byte, name string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%s: %v", name, err)
		}
		code = ee.ExitCode()
	}
	return o.String(), e.String(), code
}

// exampleMeshes lists examples/*/ (and examples/*/step*/) that hold a mesh.yaml.
func exampleMeshes(t *testing.T) []string {
	t.Helper()
	names, err := invariant.ExampleNames(repo)
	if err != nil || len(names) < 2 {
		t.Fatalf("want at least two examples, got %v (%v)", names, err)
	}
	return names
}

// renderTree renders an example into a fresh folder with the CLI and returns the folder.
func renderTree(t *testing.T, example string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	files, _ := filepath.Glob(filepath.Join(repo, "examples", example, "*.yaml"))
	args := append([]string{"render", "-o", out}, files...)
	if _, stderr, code := run(t, repo, nil, meshgen(t), args...); code != 0 {
		t.Fatalf("meshgen render: exit %d\n%s", code, stderr)
	}
	return out
}

// folders lists the cluster folders of a rendered tree, sorted.
func folders(t *testing.T, tree string) []string {
	t.Helper()
	es, err := os.ReadDir(tree)
	if err != nil {
		t.Fatal(err)
	}
	var ds []string
	for _, e := range es {
		if e.IsDir() {
			ds = append(ds, e.Name())
		}
	}
	sort.Strings(ds)
	return ds
}

// inPhases globs pattern in a cluster folder's phase folders (<cluster>/<phase>/, where render
// -o writes the objects) and in the folder itself (a hub folder's objects), phases in order.
func inPhases(dir, pattern string) []string {
	fs, _ := filepath.Glob(filepath.Join(dir, pattern))
	in, _ := filepath.Glob(filepath.Join(dir, "[1-9]-*", pattern))
	return append(fs, in...)
}

// objectFile is the path of the object file named base in a cluster folder, in whichever phase
// folder holds it (the path in the first phase when none does, for a clear error).
func objectFile(dir, base string) string {
	if fs := inPhases(dir, base); len(fs) > 0 {
		return fs[0]
	}
	return filepath.Join(dir, "1-base", base)
}

// manifests lists a folder's object files, in all its phases, without the kustomization.yaml
// files.
func manifests(t *testing.T, dir string) []string {
	t.Helper()
	fs := inPhases(dir, "*.yaml")
	var out []string
	for _, f := range fs {
		// kustomization.yaml and Fleet's fleet.yaml describe a folder; they are no objects.
		if b := filepath.Base(f); b != "kustomization.yaml" && b != "fleet.yaml" {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s: no manifests", dir)
	}
	return out
}
