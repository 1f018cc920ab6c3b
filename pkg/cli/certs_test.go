package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func init() { certsKeyBits = 2048 }

// noKeys fails when output could hold key material.
func noKeys(t *testing.T, s ...string) {
	t.Helper()
	for _, x := range s {
		if strings.Contains(x, "PRIVATE KEY") || strings.Contains(x, "MII") {
			t.Errorf("output holds key material:\n%s", x)
		}
	}
}

func certsTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			info, _ := d.Info()
			m[p] = info.Mode().String() + string(b)
		}
		return nil
	})
	return m
}

func TestCertsExternal(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "certs")
	args := append(append([]string{"certs"}, inputs(t, "mcsps-test")...), "-o", dir)
	stdout, stderr, code := run(t, nil, args...)
	if code != OK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	noKeys(t, stdout, stderr)
	for _, cl := range []string{"mcsps-test-k8s-01", "mcsps-test-k8s-02"} {
		want := "kubectl create secret generic cacerts -n istio-system"
		for _, f := range []string{"ca-cert.pem", "ca-key.pem", "root-cert.pem", "cert-chain.pem"} {
			want += " --from-file=" + filepath.Join(dir, cl, f)
		}
		if !strings.Contains(stdout, want+"\n") {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
		if st, err := os.Stat(filepath.Join(dir, cl, "ca-key.pem")); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s key: %v %v", cl, st, err)
		}
	}
	if !strings.Contains(stderr, "root created") {
		t.Errorf("stderr:\n%s", stderr)
	}
	// A rerun changes nothing, succeeds and prints the same commands.
	before := certsTree(t, dir)
	stdout2, stderr2, code := run(t, nil, args...)
	if code != OK || stdout2 != stdout || !strings.Contains(stderr2, "root reused") || !strings.Contains(stderr2, "intermediate kept") {
		t.Errorf("rerun: exit %d\n%s\n%s", code, stdout2, stderr2)
	}
	after := certsTree(t, dir)
	if len(after) != len(before) {
		t.Errorf("rerun: %d files, before %d", len(after), len(before))
	}
	for k, v := range before {
		if after[k] != v {
			t.Errorf("rerun changed %s", k)
		}
	}
}

func TestCertsCertManager(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "certs")
	stdout, stderr, code := run(t, nil, append(append([]string{"certs"}, inputs(t, "cert-manager")...), "-o", dir)...)
	if code != OK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	noKeys(t, stdout, stderr)
	want := "kubectl create secret tls shop-eu-root-ca -n cert-manager --cert=" + filepath.Join(dir, "root-cert.pem") + " --key=" + filepath.Join(dir, "root-key.pem") + "\n"
	if strings.Count(stdout, want) != 2 {
		t.Errorf("want the root secret command once per cluster:\n%s", stdout)
	}
	// cert-manager issues the intermediates: no cluster folders.
	if got := len(certsTree(t, dir)); got != 2 {
		t.Errorf("%d files, want root-cert.pem and root-key.pem", got)
	}
}

func TestCertsRefusals(t *testing.T) {
	files := inputs(t, "mcsps-test")
	tree := filepath.Join(t.TempDir(), "clusters")
	if _, stderr, code := run(t, nil, append(append([]string{"render"}, files...), "-o", tree)...); code != OK {
		t.Fatalf("render: %s", stderr)
	}
	bad := filepath.Join(t.TempDir(), "mesh.yaml")
	b, _ := os.ReadFile(filepath.Join(root, "examples", "cert-manager", "mesh.yaml"))
	os.WriteFile(bad, []byte(strings.Replace(string(b), "version: 1.31.0", "version: 1.13.9", 1)), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"into the GitOps tree", append(append([]string{"certs"}, files...), "-o", filepath.Join(tree, "certs")), Invalid, "inside the GitOps tree"},
		{"no -o", append([]string{"certs"}, files...), Usage, "-o DIR are required"},
		{"no file", []string{"certs", "-o", t.TempDir()}, Usage, "at least one FILE"},
		{"invalid mesh", []string{"certs", bad, filepath.Join(root, "examples", "cert-manager", "credentials.yaml"), "-o", t.TempDir()}, Invalid, "mesh.yaml:13: spec.trust.mode: certManager needs Istio 1.14.2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := run(t, nil, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) || stdout != "" {
				t.Errorf("exit %d (want %d), stdout %q, stderr:\n%s", code, tc.code, stdout, stderr)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(tree, "certs")); !os.IsNotExist(err) {
		t.Errorf("wrote into the tree: %v", err)
	}
}

// The trust info reaches stderr after a render, and only after a successful one.
func TestRenderTrustInfo(t *testing.T) {
	_, stderr, code := run(t, nil, append([]string{"render"}, inputs(t, "mcsps-test")...)...)
	if code != OK || !strings.Contains(stderr, "meshgen: spec.trust.mode external: every cluster needs the Secret cacerts in namespace istio-system (keys ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	_, stderr, code = run(t, nil, append([]string{"render"}, inputs(t, "cert-manager")...)...)
	if code != OK || !strings.Contains(stderr, "Secret shop-eu-root-ca (type kubernetes.io/tls: tls.crt, tls.key) in namespace cert-manager") || strings.Contains(stderr, "AUTO_RELOAD_PLUGIN_CERTS") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	// Negative control: a render that fails (no credentials) prints its errors, no info.
	_, stderr, code = run(t, nil, "render", filepath.Join(root, "examples", "mcsps-test", "mesh.yaml"))
	if code != Invalid || !strings.Contains(stderr, "no credentials") || strings.Contains(stderr, "trust.mode") {
		t.Errorf("failed render: exit %d, stderr:\n%s", code, stderr)
	}
}

func TestCertsForce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "certs")
	args := append(append([]string{"certs"}, inputs(t, "mcsps-test")...), "-o", dir)
	if _, stderr, code := run(t, nil, args...); code != OK {
		t.Fatal(stderr)
	}
	os.Remove(filepath.Join(dir, "mcsps-test-k8s-02", "cert-chain.pem"))
	_, stderr, code := run(t, nil, args...)
	if code != Invalid || !strings.Contains(stderr, "mcsps-test-k8s-02: incomplete, cert-chain.pem missing; rerun with --force") {
		t.Errorf("without --force: exit %d\n%s", code, stderr)
	}
	_, stderr, code = run(t, nil, append(args, "--force")...)
	if code != OK || !strings.Contains(stderr, "mcsps-test-k8s-02: intermediate replaced") || !strings.Contains(stderr, "mcsps-test-k8s-01: intermediate kept") {
		t.Errorf("--force: exit %d\n%s", code, stderr)
	}
}

// TestCertsRemote: in primary-remote, meshgen certs writes an intermediate for each primary
// and none for the remote, prints cacerts commands for the primaries only and says why the
// remote gets nothing; with certManager the root Secret goes to the primaries only (the
// remote has no ClusterIssuer). Negative control: the same mesh without clusters[].primary
// gives edge its folder and its cacerts command.
func TestCertsRemote(t *testing.T) {
	files := inputs(t, "primary-remote")
	b, err := os.ReadFile(filepath.Join(root, "examples", "primary-remote", "mesh.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	variant := func(edit func(string) string) []string {
		p := filepath.Join(t.TempDir(), "mesh.yaml")
		if err := os.WriteFile(p, []byte(edit(string(b))), 0o644); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range files {
			if filepath.Base(f) == "mesh.yaml" {
				f = p
			}
			out = append(out, f)
		}
		return out
	}
	certManager := variant(func(s string) string {
		return strings.Replace(s, "spec:\n", "spec:\n  trust:\n    mode: certManager\n", 1)
	})
	noPrimary := variant(func(s string) string { return strings.Replace(s, "    primary: hub\n", "", 1) })
	for _, tc := range []struct {
		name      string
		files     []string
		folders   []string // cluster folders written
		cacerts   []string // clusters with a cacerts command
		rootFor   int      // root Secret commands
		remoteMsg bool
	}{
		{"external", files, []string{"dc2", "hub"}, []string{"hub", "dc2"}, 0, true},
		{"certManager", certManager, nil, nil, 2, true},
		{"without primary", noPrimary, []string{"dc2", "edge", "hub"}, []string{"hub", "dc2", "edge"}, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "certs")
			stdout, stderr, code := run(t, nil, append(append([]string{"certs"}, tc.files...), "-o", dir)...)
			if code != OK {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			noKeys(t, stdout, stderr)
			var folders []string
			ents, _ := os.ReadDir(dir)
			for _, e := range ents {
				if e.IsDir() {
					folders = append(folders, e.Name())
				}
			}
			if strings.Join(folders, " ") != strings.Join(tc.folders, " ") {
				t.Errorf("folders %v, want %v", folders, tc.folders)
			}
			var cacerts []string
			for _, l := range strings.Split(stdout, "\n") {
				if strings.HasPrefix(l, "kubectl create secret generic cacerts ") {
					cacerts = append(cacerts, filepath.Base(filepath.Dir(strings.Fields(l)[7][len("--from-file="):])))
				}
			}
			if strings.Join(cacerts, " ") != strings.Join(tc.cacerts, " ") {
				t.Errorf("cacerts commands for %v, want %v\n%s", cacerts, tc.cacerts, stdout)
			}
			if got := strings.Count(stdout, "kubectl create secret tls branch-root-ca -n cert-manager"); got != tc.rootFor {
				t.Errorf("%d root Secret commands, want %d\n%s", got, tc.rootFor, stdout)
			}
			msg := "# edge: nothing: a remote of hub runs no istiod; hub's istiod signs its workloads' certificates"
			if strings.Contains(stdout, msg) != tc.remoteMsg || strings.Contains(stderr, filepath.Join(dir, "edge")) != !tc.remoteMsg {
				t.Errorf("remote's line: want %v\n%s\n%s", tc.remoteMsg, stdout, stderr)
			}
		})
	}
}
