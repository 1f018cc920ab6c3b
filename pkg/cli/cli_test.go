package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHelpOnStdout: help that was asked for goes to stdout, a usage error's to stderr.
func TestHelpOnStdout(t *testing.T) {
	for _, args := range [][]string{{"render", "--help"}, {"render", "x.yaml", "-h"}, {"validate", "--help"}, {"version", "-help"}, {"certs", "--help"}, {"--help"}} {
		o, e, code := run(t, nil, args...)
		if code != OK || !strings.Contains(o, "Usage:") || e != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want the help on stdout alone", args, code, o, e)
		}
	}
	o, e, code := run(t, nil, "render", "--nope", "x.yaml")
	if code != Usage || o != "" || !strings.Contains(e, "Usage: meshgen render") {
		t.Errorf("a bad flag: exit %d, stdout %q, stderr %q; want the help on stderr", code, o, e)
	}
}

// TestUnknownClusterIsUsage: --cluster names a cluster the mesh lacks: a usage error (exit 2)
// naming the flag, the name and the clusters there are, with nothing written.
func TestUnknownClusterIsUsage(t *testing.T) {
	files := inputs(t, "mcsps-test")
	dir := filepath.Join(t.TempDir(), "out")
	for _, extra := range [][]string{nil, {"-o", dir}} {
		o, e, code := run(t, nil, append(append([]string{"render", "--cluster", "north"}, extra...), files...)...)
		if code != Usage || o != "" || !strings.Contains(e, `--cluster: unknown cluster "north"; the mesh has rancher, mcsps-test-k8s-01, mcsps-test-k8s-02`) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", extra, code, o, e)
		}
	}
	if _, err := os.Lstat(dir); err == nil {
		t.Error("render -o with an unknown cluster created the tree")
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		out  string // in stdout or stderr
	}{
		{[]string{"--help"}, OK, "meshgen render FILE..."},
		{[]string{"help"}, OK, "meshgen validate FILE..."},
		{[]string{"render", "--help"}, OK, "Usage: meshgen render"},
		{[]string{"validate", "-h"}, OK, "Usage: meshgen validate"},
		{[]string{"version", "--help"}, OK, "Usage: meshgen version"},
		{[]string{"version"}, OK, "meshgen v"},
		{[]string{"version", "extra"}, Usage, `unexpected argument "extra"; it takes none`},
		{[]string{"bogus"}, Usage, `unknown command "bogus"`},
		{[]string{"render"}, Usage, "at least one FILE"},
		{[]string{"render", "--nope", "x.yaml"}, Usage, "flag provided but not defined"},
		{[]string{"render", "--check", "x.yaml"}, Usage, "--check needs -o DIR"},
		{[]string{"validate", "/does/not/exist.yaml"}, Invalid, "no such file"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			o, e, code := run(t, nil, tt.args...)
			if code != tt.code || !strings.Contains(o+e, tt.out) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s%s", code, tt.code, tt.out, o, e)
			}
		})
	}
}

// TestClusterFlag: --cluster selects exactly one folder's objects; rancher is a folder too.
func TestClusterFlag(t *testing.T) {
	files := inputs(t, "mcsps-test")
	for _, cl := range []string{"mcsps-test-k8s-02", "rancher"} {
		o, e, code := run(t, nil, append([]string{"render", "--cluster", cl}, files...)...)
		if code != OK {
			t.Fatalf("%s: exit %d: %s", cl, code, e)
		}
		n := strings.Count(o, "# Source: ")
		if n == 0 || strings.Count(o, "# Source: "+cl+"/") != n {
			t.Errorf("--cluster %s: %d documents, not all from %s/", cl, n, cl)
		}
	}
}
