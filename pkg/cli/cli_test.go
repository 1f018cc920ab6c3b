package cli

import (
	"strings"
	"testing"
)

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
		{[]string{"version", "extra"}, Usage, "Usage: meshgen version"},
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
