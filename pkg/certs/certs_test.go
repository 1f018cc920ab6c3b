package certs

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// testBits keeps key generation cheap; the default size is the Makefile's 4096.
const testBits = 2048

func write(t *testing.T, dir string, force bool, clusters ...string) (*Result, error) {
	t.Helper()
	return Write(Options{Dir: dir, Namespace: "istio-system", Clusters: clusters, Force: force, KeyBits: testBits})
}

func mustWrite(t *testing.T, dir string, force bool, clusters ...string) *Result {
	t.Helper()
	res, err := write(t, dir, force, clusters...)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// snapshot is every file under dir with its bytes and mode.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			m[rel+"/"] = info.Mode().String()
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		m[rel] = info.Mode().String() + " " + string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func sameSnapshot(t *testing.T, before, after map[string]string, except ...string) {
	t.Helper()
	for k, v := range before {
		if slices.ContainsFunc(except, func(p string) bool { return strings.HasPrefix(k, p) }) {
			continue
		}
		if after[k] != v {
			t.Errorf("%s changed", k)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok && !slices.ContainsFunc(except, func(p string) bool { return strings.HasPrefix(k, p) }) {
			t.Errorf("%s appeared", k)
		}
	}
}

func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := parseCert(path, b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// rdns is a subject's attributes in certificate order, as openssl prints them.
func rdns(n pkix.Name) string {
	short := map[string]string{"2.5.4.3": "CN", "2.5.4.7": "L", "2.5.4.10": "O"}
	var s []string
	for _, a := range n.Names {
		s = append(s, short[a.Type.String()]+"="+fmt.Sprint(a.Value))
	}
	return strings.Join(s, ",")
}

// openssl returns the openssl binary. make test has it (.ci/tools installs Debian's openssl
// when it is missing); a run without it fails unless MESHGEN_SKIP_E2E=1 says to skip.
func openssl(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("MESHGEN_OPENSSL"); p != "" {
		return p
	}
	p, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("MESHGEN_SKIP_E2E") != "" {
			t.Skip("openssl not on PATH and MESHGEN_SKIP_E2E set")
		}
		t.Fatal("openssl not on PATH: run eval \"$(bash .ci/tools)\" or set MESHGEN_SKIP_E2E=1")
	}
	return p
}

func opensslVerify(t *testing.T, rootFile, certFile string) error {
	t.Helper()
	out, err := exec.Command(openssl(t), "verify", "-x509_strict", "-purpose", "any", "-CAfile", rootFile, certFile).CombinedOutput()
	if err != nil {
		return &verifyError{string(out)}
	}
	return nil
}

type verifyError struct{ out string }

func (e *verifyError) Error() string { return e.out }

func TestWriteLayout(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "certs")
	res := mustWrite(t, dir, false, "c1", "c2")
	if res.Root != Created || len(res.Clusters) != 2 || res.Clusters[0] != (ClusterResult{"c1", Created}) || res.Clusters[1] != (ClusterResult{"c2", Created}) {
		t.Fatalf("result %+v", res)
	}
	want := map[string]os.FileMode{
		".": 0o700, RootCert: 0o644, RootKey: 0o600,
		"c1": 0o700, "c1/" + CACert: 0o644, "c1/" + CAKey: 0o600, "c1/" + RootCert: 0o644, "c1/" + CertChain: 0o644,
		"c2": 0o700, "c2/" + CACert: 0o644, "c2/" + CAKey: 0o600, "c2/" + RootCert: 0o644, "c2/" + CertChain: 0o644,
	}
	got := map[string]os.FileMode{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		info, _ := d.Info()
		rel, _ := filepath.Rel(dir, p)
		got[filepath.ToSlash(rel)] = info.Mode().Perm()
		return nil
	})
	for k, m := range want {
		if got[k] != m {
			t.Errorf("%s: mode %04o, want %04o", k, got[k], m)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected %s", k)
		}
	}

	rootPEM, _ := os.ReadFile(filepath.Join(dir, RootCert))
	root := readCert(t, filepath.Join(dir, RootCert))
	if rdns(root.Subject) != "O=Istio,CN=Root CA" || !root.IsCA || root.MaxPathLen > 0 || !bytes.Equal(root.RawSubject, root.RawIssuer) {
		t.Errorf("root: subject %s, CA %v, pathlen %d", root.Subject, root.IsCA, root.MaxPathLen)
	}
	wantUsage := x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign
	if root.KeyUsage != wantUsage {
		t.Errorf("root key usage %b, want %b", root.KeyUsage, wantUsage)
	}
	if d := root.NotAfter.Sub(root.NotBefore); d != Validity {
		t.Errorf("root validity %v", d)
	}
	for _, cl := range []string{"c1", "c2"} {
		cd := filepath.Join(dir, cl)
		ca := readCert(t, filepath.Join(cd, CACert))
		if rdns(ca.Subject) != "O=Istio,CN=Intermediate CA,L="+cl || !ca.IsCA || !ca.MaxPathLenZero || ca.MaxPathLen != 0 {
			t.Errorf("%s: subject %s, CA %v, pathlen %d", cl, ca.Subject, ca.IsCA, ca.MaxPathLen)
		}
		if ca.KeyUsage != wantUsage || !slices.Equal(ca.DNSNames, []string{"istiod.istio-system.svc"}) {
			t.Errorf("%s: key usage %b, DNS names %v", cl, ca.KeyUsage, ca.DNSNames)
		}
		if !bytes.Equal(ca.AuthorityKeyId, root.SubjectKeyId) || len(ca.SubjectKeyId) != 20 {
			t.Errorf("%s: key identifiers", cl)
		}
		if ca.NotAfter.After(root.NotAfter) {
			t.Errorf("%s: outlives the root", cl)
		}
		if err := Verify(ca, root, time.Now()); err != nil {
			t.Errorf("%s: crypto/x509: %v", cl, err)
		}
		if err := opensslVerify(t, filepath.Join(dir, RootCert), filepath.Join(cd, CACert)); err != nil {
			t.Errorf("%s: openssl verify: %v", cl, err)
		}
		// The files Istio reads: the root copy, the chain, and a key that belongs to the cert.
		if b, _ := os.ReadFile(filepath.Join(cd, RootCert)); !bytes.Equal(b, rootPEM) {
			t.Errorf("%s: %s is not the root", cl, RootCert)
		}
		caPEM, _ := os.ReadFile(filepath.Join(cd, CACert))
		if b, _ := os.ReadFile(filepath.Join(cd, CertChain)); !bytes.Equal(b, append(caPEM, rootPEM...)) {
			t.Errorf("%s: %s is not ca-cert then root-cert", cl, CertChain)
		}
		keyPEM, _ := os.ReadFile(filepath.Join(cd, CAKey))
		if blk, _ := pem.Decode(keyPEM); blk == nil || blk.Type != "RSA PRIVATE KEY" {
			t.Errorf("%s: key is not PKCS#1", cl)
		}
		key, err := parseKey(CAKey, keyPEM)
		if err != nil || !samePublic(ca, key) {
			t.Errorf("%s: key does not match: %v", cl, err)
		}
	}
}

// Negative control for the chain checks: an intermediate of one root does not verify against
// another root, in crypto/x509 or in openssl.
func TestVerifyOtherRootFails(t *testing.T) {
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	mustWrite(t, a, false, "c1")
	mustWrite(t, b, false, "c1")
	rootB := readCert(t, filepath.Join(b, RootCert))
	caA := readCert(t, filepath.Join(a, "c1", CACert))
	if err := Verify(caA, rootB, time.Now()); err == nil {
		t.Error("crypto/x509 verified an intermediate against a foreign root")
	}
	if err := opensslVerify(t, filepath.Join(b, RootCert), filepath.Join(a, "c1", CACert)); err == nil {
		t.Error("openssl verified an intermediate against a foreign root")
	}
	// And the own root still verifies, so the failure above is the root's doing.
	if err := opensslVerify(t, filepath.Join(a, RootCert), filepath.Join(a, "c1", CACert)); err != nil {
		t.Errorf("own root: %v", err)
	}
}

func TestRerunChangesNothing(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, dir, false, "c1", "c2")
	before := snapshot(t, dir)
	res := mustWrite(t, dir, false, "c1", "c2")
	if res.Root != Reused || res.Clusters[0].Action != Kept || res.Clusters[1].Action != Kept {
		t.Errorf("result %+v", res)
	}
	sameSnapshot(t, before, snapshot(t, dir))
	// --force repairs only: a complete folder that chains to the root stays as it is.
	mustWrite(t, dir, true, "c1", "c2")
	sameSnapshot(t, before, snapshot(t, dir))
}

func TestNewClusterAddsOnlyItsFolder(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, dir, false, "c1")
	before := snapshot(t, dir)
	res := mustWrite(t, dir, false, "c1", "c2")
	if res.Root != Reused || res.Clusters[0].Action != Kept || res.Clusters[1].Action != Created {
		t.Errorf("result %+v", res)
	}
	after := snapshot(t, dir)
	sameSnapshot(t, before, after, "c2")
	if _, ok := after["c2/"+CACert]; !ok {
		t.Fatal("c2 not written")
	}
	if err := Verify(readCert(t, filepath.Join(dir, "c2", CACert)), readCert(t, filepath.Join(dir, RootCert)), time.Now()); err != nil {
		t.Error(err)
	}
	// A cluster dropped from the mesh keeps its folder: nothing is deleted.
	mustWrite(t, dir, false, "c2")
	if _, err := os.Stat(filepath.Join(dir, "c1", CAKey)); err != nil {
		t.Error(err)
	}
}

func TestForce(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, dir, false, "c1", "c2")
	// c1's intermediate swapped for one of another root: it no longer chains.
	other := t.TempDir()
	mustWrite(t, other, false, "c1")
	for _, f := range []string{CACert, CAKey} {
		b, _ := os.ReadFile(filepath.Join(other, "c1", f))
		os.WriteFile(filepath.Join(dir, "c1", f), b, 0o600)
	}
	before := snapshot(t, dir)
	_, err := write(t, dir, false, "c1", "c2", "c3")
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "c1")) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("got %v, want an error naming c1 and --force", err)
	}
	// Nothing written, not even the new cluster c3.
	sameSnapshot(t, before, snapshot(t, dir))

	res := mustWrite(t, dir, true, "c1", "c2", "c3")
	want := []ClusterResult{{"c1", Replaced}, {"c2", Kept}, {"c3", Created}}
	if !slices.Equal(res.Clusters, want) {
		t.Errorf("result %+v, want %+v", res.Clusters, want)
	}
	sameSnapshot(t, before, snapshot(t, dir), "c1", "c3")
	root := readCert(t, filepath.Join(dir, RootCert))
	for _, cl := range []string{"c1", "c3"} {
		if err := Verify(readCert(t, filepath.Join(dir, cl, CACert)), root, time.Now()); err != nil {
			t.Errorf("%s: %v", cl, err)
		}
		if st, _ := os.Stat(filepath.Join(dir, cl, CAKey)); st.Mode().Perm() != 0o600 {
			t.Errorf("%s: key mode %04o", cl, st.Mode().Perm())
		}
	}
	// The repaired tree is stable again.
	after := snapshot(t, dir)
	mustWrite(t, dir, false, "c1", "c2", "c3")
	sameSnapshot(t, after, snapshot(t, dir))
}

func TestRefusals(t *testing.T) {
	setup := map[string]func(t *testing.T, dir string){
		"inside a GitOps tree": func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(filepath.Dir(dir), TreeMarker), []byte("x.yaml\n"), 0o644)
		},
		"GitOps tree itself": func(t *testing.T, dir string) {
			os.MkdirAll(dir, 0o755)
			os.WriteFile(filepath.Join(dir, TreeMarker), []byte("x.yaml\n"), 0o644)
		},
		"root key without cert": func(t *testing.T, dir string) {
			mustWrite(t, dir, false)
			os.Remove(filepath.Join(dir, RootCert))
		},
		"root cert without key": func(t *testing.T, dir string) {
			mustWrite(t, dir, false)
			os.Remove(filepath.Join(dir, RootKey))
		},
		"root key of another root": func(t *testing.T, dir string) {
			mustWrite(t, dir, false)
			other := filepath.Join(filepath.Dir(dir), "other")
			mustWrite(t, other, false)
			b, _ := os.ReadFile(filepath.Join(other, RootKey))
			os.WriteFile(filepath.Join(dir, RootKey), b, 0o600)
		},
		"root cert unreadable": func(t *testing.T, dir string) {
			mustWrite(t, dir, false, "c1")
			os.WriteFile(filepath.Join(dir, RootCert), []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), 0o644)
		},
		"incomplete cluster folder": func(t *testing.T, dir string) {
			mustWrite(t, dir, false, "c1")
			os.Remove(filepath.Join(dir, "c1", CertChain))
		},
		"cluster folder of another root": func(t *testing.T, dir string) {
			mustWrite(t, dir, false, "c1")
			os.Remove(filepath.Join(dir, RootCert))
			os.Remove(filepath.Join(dir, RootKey))
			other := filepath.Join(filepath.Dir(dir), "other")
			mustWrite(t, other, false)
			for _, f := range []string{RootCert, RootKey} {
				b, _ := os.ReadFile(filepath.Join(other, f))
				os.WriteFile(filepath.Join(dir, f), b, 0o600)
			}
		},
	}
	wants := map[string]string{
		"inside a GitOps tree":           "inside the GitOps tree",
		"GitOps tree itself":             "inside the GitOps tree",
		"root key without cert":          "root-key.pem: exists without root-cert.pem",
		"root cert without key":          "root-cert.pem: exists without root-key.pem",
		"root key of another root":       "root-key.pem: not the key of",
		"root cert unreadable":           "root-cert.pem: x509:",
		"incomplete cluster folder":      "incomplete, cert-chain.pem missing",
		"cluster folder of another root": "root-cert.pem differs",
	}
	for name, f := range setup {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "certs")
			f(t, dir)
			before := snapshot(t, filepath.Dir(dir))
			_, err := write(t, dir, false, "c1", "c2")
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), wants[name]) {
				t.Errorf("got %v, want %q", err, wants[name])
			}
			if strings.Contains(err.Error(), "MII") || strings.Contains(err.Error(), "PRIVATE KEY") {
				t.Errorf("error quotes key material: %v", err)
			}
			sameSnapshot(t, before, snapshot(t, filepath.Dir(dir)))
		})
	}
}

// Negative control for the GitOps-tree refusal: a sibling of the tree is fine.
func TestBesideGitOpsTree(t *testing.T) {
	base := t.TempDir()
	os.MkdirAll(filepath.Join(base, "clusters"), 0o755)
	os.WriteFile(filepath.Join(base, "clusters", TreeMarker), []byte("x.yaml\n"), 0o644)
	mustWrite(t, filepath.Join(base, "certs"), false, "c1")
	if _, err := write(t, filepath.Join(base, "clusters", "certs"), false, "c1"); err == nil {
		t.Error("wrote under the tree")
	}
	// Through a symbolic link, too.
	os.Symlink(filepath.Join(base, "clusters"), filepath.Join(base, "link"))
	if _, err := write(t, filepath.Join(base, "link", "certs"), false, "c1"); err == nil {
		t.Error("wrote under the tree through a link")
	}
}

func TestRootOnly(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(Options{Dir: dir, Clusters: []string{"c1"}, RootOnly: true, KeyBits: testBits}); err != nil {
		t.Fatal(err)
	}
	got := snapshot(t, dir)
	if len(got) != 3 || got[RootCert] == "" || got[RootKey] == "" {
		t.Errorf("files %v", slices.Sorted(func(yield func(string) bool) {
			for k := range got {
				if !yield(k) {
					return
				}
			}
		}))
	}
}

func TestGitWorkTreeWarning(t *testing.T) {
	base := t.TempDir()
	os.Mkdir(filepath.Join(base, ".git"), 0o755)
	res := mustWrite(t, filepath.Join(base, "certs"), false)
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "Git") {
		t.Errorf("warnings %q", res.Warnings)
	}
	// Negative control: outside a work tree, no warning.
	res = mustWrite(t, filepath.Join(t.TempDir(), "certs"), false)
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %q", res.Warnings)
	}
}

func TestLooseRootKeyWarning(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "certs")
	mustWrite(t, dir, false, "c1")
	if res := mustWrite(t, dir, false, "c1"); len(res.Warnings) != 0 {
		t.Errorf("0600 key: warnings %q", res.Warnings)
	}
	os.Chmod(filepath.Join(dir, RootKey), 0o644)
	res := mustWrite(t, dir, false, "c1")
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "readable by others (mode 0644)") {
		t.Errorf("warnings %q", res.Warnings)
	}
}

// One run names every broken folder, not just the first.
func TestEveryProblemReported(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, dir, false, "c1", "c2", "c3")
	os.Remove(filepath.Join(dir, "c1", CertChain))
	os.WriteFile(filepath.Join(dir, "c3", RootCert), []byte("not a root\n"), 0o644)
	_, err := write(t, dir, false, "c1", "c2", "c3")
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "c1")+": incomplete") || !strings.Contains(err.Error(), filepath.Join(dir, "c3")+": root-cert.pem differs") || strings.Contains(err.Error(), filepath.Join(dir, "c2")) {
		t.Errorf("got %v", err)
	}
}

// TestRemotes: a remote gets no intermediate; a folder of one from an earlier run is kept
// byte for byte, with a warning that names it and no key material. Negative control: the same
// cluster passed as a primary gets its folder.
func TestRemotes(t *testing.T) {
	dir := t.TempDir()
	res, err := Write(Options{Dir: dir, Namespace: "istio-system", Clusters: []string{"hub"}, Remotes: []string{"edge"}, KeyBits: testBits})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Clusters) != 1 || res.Clusters[0].Name != "hub" || len(res.Warnings) != 0 {
		t.Errorf("result %+v", res)
	}
	if _, err := os.Stat(filepath.Join(dir, "edge")); !os.IsNotExist(err) {
		t.Errorf("edge: %v", err)
	}
	// An earlier run, from before remotes got none, wrote edge's folder.
	mustWrite(t, dir, false, "hub", "edge")
	before := snapshot(t, dir)
	if before["edge/"+CAKey] == "" {
		t.Fatal("edge as a primary: no intermediate")
	}
	res, err = Write(Options{Dir: dir, Namespace: "istio-system", Clusters: []string{"hub"}, Remotes: []string{"edge"}, KeyBits: testBits})
	if err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, before, snapshot(t, dir))
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], filepath.Join(dir, "edge")+" holds an intermediate CA key, but edge is a remote") || strings.Contains(res.Warnings[0], "PRIVATE") {
		t.Errorf("warnings %q", res.Warnings)
	}
}
