package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestClusterTreeKeepsOthers (issue 11.1): render -o DIR --cluster X changes X's folder alone;
// every other folder meshgen wrote stays byte for byte, and in the manifest, so a later full
// render still owns (and --check still sees) them.
func TestClusterTreeKeepsOthers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gitops")
	files := inputs(t, "mcsps-test")
	if _, e, code := run(t, nil, append([]string{"render", "-o", dir}, files...)...); code != OK {
		t.Fatalf("render: %d %s", code, e)
	}
	full := readTree(t, dir)
	// A stale file in X's folder, as an older render would have left it: X's part is renewed.
	m := filepath.Join(dir, ".meshgen")
	b, err := os.ReadFile(m)
	if err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join("mcsps-test-k8s-01", "sample_service_gone.yaml")
	if err := os.WriteFile(m, append(b, "mcsps-test-k8s-01/sample_service_gone.yaml\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, stale), []byte("kind: Service\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, e, code := run(t, nil, append([]string{"render", "-o", dir, "--cluster", "mcsps-test-k8s-01"}, files...)...); code != OK {
		t.Fatalf("render --cluster: %d %s", code, e)
	}
	after := readTree(t, dir)
	for p, want := range full {
		if after[p] != want {
			t.Errorf("%s changed or went missing after render -o --cluster mcsps-test-k8s-01", p)
		}
	}
	for p := range after {
		if _, ok := full[p]; !ok {
			t.Errorf("%s appeared", p)
		}
	}
	if _, ok := after[stale]; ok {
		t.Errorf("stale %s in the selected folder was kept", stale)
	}
	// The tree is up to date for the whole mesh and for the cluster alone.
	for _, extra := range [][]string{nil, {"--cluster", "mcsps-test-k8s-02"}} {
		o, e, code := run(t, nil, append(append([]string{"render", "-o", dir, "--check"}, extra...), files...)...)
		if code != OK {
			t.Errorf("--check %v: exit %d: %s%s", extra, code, o, e)
		}
	}
}

// TestCheckHidesSecrets (issue 11.3): --check names the Secret keys whose values differ and
// never prints a value, old or new.
func TestCheckHidesSecrets(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gitops")
	files := inputs(t, "mcsps-test")
	if _, e, code := run(t, nil, append([]string{"render", "-o", dir}, files...)...); code != OK {
		t.Fatalf("render: %d %s", code, e)
	}
	p := filepath.Join(dir, "mcsps-test-k8s-01", "3-gateways", "istio-system_secret_istio-remote-secret-mcsps-test-k8s-02.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	const old = "b2xkLXRva2VuLXZhbHVl" // base64 of old-token-value
	var lines []string
	var value string
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "  mcsps-test-k8s-02: "); ok {
			value, l = v, "  mcsps-test-k8s-02: "+old
		}
		lines = append(lines, l)
	}
	if value == "" {
		t.Fatalf("no data value in %s:\n%s", p, b)
	}
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	o, e, code := run(t, nil, append([]string{"render", "-o", dir, "--check"}, files...)...)
	if code != Invalid {
		t.Fatalf("--check of a changed Secret: exit %d: %s", code, e)
	}
	if strings.Contains(o+e, old) || strings.Contains(o+e, value) || strings.Contains(o+e, "token-fake02") {
		t.Errorf("--check printed a Secret value:\n%s%s", o, e)
	}
	if !strings.Contains(o, "Secret values not shown; these keys differ: data.mcsps-test-k8s-02") {
		t.Errorf("--check does not name the key that differs:\n%s", o)
	}
}

// TestTreeHonoursUmask (issue 11.5): folders get 0777 and files 0666 less the umask, as other
// tools make them; the output folder included (it was 0700).
func TestTreeHonoursUmask(t *testing.T) {
	files := inputs(t, "mcsps-test")
	for _, c := range []struct {
		umask     int
		dir, file fs.FileMode
	}{{0o022, 0o755, 0o644}, {0o002, 0o775, 0o664}} {
		old := syscall.Umask(c.umask)
		dir := filepath.Join(t.TempDir(), "a", "gitops")
		_, e, code := run(t, nil, append([]string{"render", "-o", dir}, files...)...)
		syscall.Umask(old)
		if code != OK {
			t.Fatalf("render: %d %s", code, e)
		}
		filepath.WalkDir(filepath.Dir(dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				t.Fatal(err)
			}
			info, _ := d.Info()
			want := c.file
			if d.IsDir() {
				want = c.dir
			}
			if info.Mode().Perm() != want {
				t.Errorf("umask %03o: %s is %v, want %v", c.umask, p, info.Mode().Perm(), want)
			}
			return nil
		})
	}
}
