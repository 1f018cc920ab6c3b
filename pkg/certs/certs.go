// Package certs writes a mesh's shared root CA and one intermediate CA per cluster that runs
// istiod (a remote of primary-remote gets none), offline, in the files and layout of Istio's
// tools/certs/Makefile.selfsigned.mk, which it replaces:
//
//	DIR/root-cert.pem, DIR/root-key.pem
//	DIR/<cluster>/{ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem}
//
// Subjects, key type and size, validity and extensions are the Makefile's (tools/certs/common.mk):
// RSA 4096, SHA-256, O=Istio, CN=Root CA for the root and O=Istio, CN=Intermediate CA,
// L=<cluster> for an intermediate, ten years, basicConstraints critical CA:true (pathlen:0 for
// an intermediate), keyUsage critical digitalSignature, nonRepudiation, keyEncipherment,
// keyCertSign, subjectKeyIdentifier = hash, and the intermediate's SAN istiod.<namespace>.svc.
// Two deliberate differences: an intermediate never outlives its root, and RSA keys are
// written as PKCS#1 ("RSA PRIVATE KEY", what every Istio release reads).
//
// Nothing a user has is replaced unless asked: an existing root is reused, never replaced; a
// cluster folder that is complete and chains to the root is kept byte for byte; anything else
// in the way is an error unless Force is set. Either every planned file is written or, when a
// check fails, none is. Private keys are written with mode 0600 and never printed.
package certs

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// File names, exactly as Istio's Makefile and the cacerts secret name them.
const (
	RootCert  = "root-cert.pem"
	RootKey   = "root-key.pem"
	CACert    = "ca-cert.pem"
	CAKey     = "ca-key.pem"
	CertChain = "cert-chain.pem"
)

// ClusterFiles are the files of a cluster folder, which become the keys of its cacerts secret.
var ClusterFiles = []string{CACert, CAKey, RootCert, CertChain}

// TreeMarker is the file meshgen render -o leaves at the root of a GitOps tree (pkg/out's
// ManifestFile). Keys are never written into a folder at or under one.
const TreeMarker = ".meshgen"

// Defaults of Makefile.selfsigned.mk (ROOTCA_KEYSZ, ROOTCA_DAYS, INTERMEDIATE_DAYS).
const (
	DefaultKeyBits = 4096
	Validity       = 3650 * 24 * time.Hour
)

// Options says what to write where.
type Options struct {
	// Dir is the output folder; created (mode 0700) when missing.
	Dir string
	// Namespace is the control-plane namespace: the intermediates' SAN istiod.<ns>.svc.
	Namespace string
	// Clusters get one intermediate each, in DIR/<cluster>/. Names are DNS labels (checked by
	// the MeshConfig's validation), so they are safe as folder names.
	Clusters []string
	// Remotes are the clusters with a primary (primary-remote): they run no istiod, so they
	// get no intermediate; their primaries' istiods sign their workloads' certificates. A
	// folder of one, left by an earlier run, is kept as it is, with a warning.
	Remotes []string
	// RootOnly writes only the root (trust.mode certManager: cert-manager issues the
	// intermediates in the clusters).
	RootOnly bool
	// Force replaces the four files of a cluster folder that is incomplete or does not chain to
	// the root with a new intermediate. A complete folder that chains to the root is kept even
	// then (to rotate a cluster's intermediate, remove its folder); the root is never replaced.
	Force bool
	// KeyBits is the RSA key size of new keys; DefaultKeyBits when 0.
	KeyBits int
	// Now and Rand default to time.Now and crypto/rand.
	Now  func() time.Time
	Rand io.Reader
}

// Action says what happened to the root or a cluster folder.
type Action string

const (
	Created  Action = "created"
	Reused   Action = "reused"
	Kept     Action = "kept"
	Replaced Action = "replaced"
)

// Result reports what Write did, for the caller to print. It holds no key material.
type Result struct {
	Root     Action
	Clusters []ClusterResult
	// Warnings are things the user should know but that did not stop the run.
	Warnings []string
}

type ClusterResult struct {
	Name   string
	Action Action
}

// Write plans every file, checks everything in the way, and then writes. On any error nothing
// has been written.
func Write(o Options) (*Result, error) {
	if o.KeyBits == 0 {
		o.KeyBits = DefaultKeyBits
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	now := o.Now().UTC().Truncate(time.Second)
	res := &Result{}
	warn, err := checkDir(o.Dir)
	if err != nil {
		return nil, err
	}
	res.Warnings = append(res.Warnings, warn...)
	for _, r := range o.Remotes {
		if _, err := os.Stat(filepath.Join(o.Dir, r, CAKey)); err == nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s holds an intermediate CA key, but %s is a remote cluster: it runs no istiod and needs none; remove the folder, and the Secret cacerts in %s, when you no longer want them (meshgen keeps them)", filepath.Join(o.Dir, r), r, r))
		}
	}

	var errs []error
	var plan []file
	root, rootPEM, rootKey, created, err := loadRoot(o.Dir, now)
	switch {
	case err != nil:
		errs = append(errs, err)
	case created:
		res.Root = Created
	default:
		res.Root = Reused
		if st, err := os.Stat(filepath.Join(o.Dir, RootKey)); err == nil && st.Mode().Perm()&0o077 != 0 {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s is readable by others (mode %04o); chmod 600 it", filepath.Join(o.Dir, RootKey), st.Mode().Perm()))
		}
	}
	if len(errs) == 0 && created {
		key, err := rsa.GenerateKey(o.Rand, o.KeyBits)
		if err != nil {
			return nil, err
		}
		if root, rootPEM, err = selfSign(o.Rand, key, now); err != nil {
			return nil, err
		}
		rootKey = key
		plan = append(plan, file{rel: RootKey, data: encodeKey(key), mode: 0o600}, file{rel: RootCert, data: rootPEM, mode: 0o644})
	}
	// Every cluster is checked before any key is made, so one run reports every problem. With
	// a broken root (root nil) only the folders' completeness can be checked.
	if !o.RootOnly {
		for _, cl := range o.Clusters {
			act, err := clusterState(o.Dir, cl, root, rootPEM, now)
			switch {
			case err != nil && !o.Force:
				errs = append(errs, err)
				continue
			case err != nil:
				act = Replaced
			}
			res.Clusters = append(res.Clusters, ClusterResult{cl, act})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, r := range res.Clusters {
		if r.Action == Kept {
			continue
		}
		files, err := issue(o, r.Name, root, rootPEM, rootKey, now)
		if err != nil {
			return nil, err
		}
		for i := range files {
			files[i].replace = r.Action == Replaced
		}
		plan = append(plan, files...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := writeAll(o.Dir, plan); err != nil {
		return nil, err
	}
	return res, nil
}

// checkDir refuses a folder inside a GitOps tree that meshgen render wrote, and warns about one
// inside a Git work tree.
func checkDir(dir string) ([]string, error) {
	if dir == "" {
		return nil, errors.New("no output folder given")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	// Resolve symbolic links on the part that exists, so a link cannot hide the tree.
	existing, rest := abs, ""
	for {
		if _, err := os.Lstat(existing); err == nil {
			break
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			break
		}
		rest = filepath.Join(filepath.Base(existing), rest)
		existing = parent
	}
	if r, err := filepath.EvalSymlinks(existing); err == nil {
		abs = filepath.Join(r, rest)
	}
	var warn []string
	for d := abs; ; d = filepath.Dir(d) {
		if st, err := os.Stat(filepath.Join(d, TreeMarker)); err == nil && st.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: inside the GitOps tree %s (it has %s, written by meshgen render); private keys must not go there, choose a folder outside it", dir, d, TreeMarker)
		}
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil && warn == nil {
			warn = append(warn, fmt.Sprintf("%s is inside the Git work tree %s; make sure Git ignores it: it holds private keys", dir, d))
		}
		if filepath.Dir(d) == d {
			return warn, nil
		}
	}
}

// loadRoot reads the existing root, or reports that there is none (created). A root with one
// of its two files missing, or whose files do not belong together, is an error: meshgen never
// replaces a root.
func loadRoot(dir string, now time.Time) (cert *x509.Certificate, certPEM []byte, key crypto.Signer, created bool, err error) {
	cp, kp := filepath.Join(dir, RootCert), filepath.Join(dir, RootKey)
	certPEM, cerr := os.ReadFile(cp)
	keyPEM, kerr := os.ReadFile(kp)
	switch {
	case errors.Is(cerr, fs.ErrNotExist) && errors.Is(kerr, fs.ErrNotExist):
		return nil, nil, nil, true, nil
	case cerr != nil && !errors.Is(cerr, fs.ErrNotExist):
		return nil, nil, nil, false, cerr
	case kerr != nil && !errors.Is(kerr, fs.ErrNotExist):
		return nil, nil, nil, false, kerr
	case cerr != nil:
		return nil, nil, nil, false, fmt.Errorf("%s: exists without %s; meshgen never replaces a root: restore the certificate, or remove the key to start a new root", kp, RootCert)
	case kerr != nil:
		return nil, nil, nil, false, fmt.Errorf("%s: exists without %s; meshgen never replaces a root: restore the key, or remove the certificate to start a new root", cp, RootKey)
	}
	cert, err = parseCert(cp, certPEM)
	if err != nil {
		return nil, nil, nil, false, err
	}
	if !cert.IsCA {
		return nil, nil, nil, false, fmt.Errorf("%s: not a CA certificate (basicConstraints CA:true missing)", cp)
	}
	if cert.KeyUsage != 0 && cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		return nil, nil, nil, false, fmt.Errorf("%s: key usage lacks certificate signing", cp)
	}
	if now.After(cert.NotAfter) {
		return nil, nil, nil, false, fmt.Errorf("%s: expired on %s", cp, cert.NotAfter.Format(time.DateOnly))
	}
	key, err = parseKey(kp, keyPEM)
	if err != nil {
		return nil, nil, nil, false, err
	}
	if !samePublic(cert, key) {
		return nil, nil, nil, false, fmt.Errorf("%s: not the key of %s", kp, cp)
	}
	return cert, certPEM, key, false, nil
}

// clusterState looks at a cluster folder: nothing there yet (Created), complete and chaining to
// the root (Kept), or an error saying what is wrong. With root nil only the files' presence is
// checked.
func clusterState(dir, cluster string, root *x509.Certificate, rootPEM []byte, now time.Time) (Action, error) {
	d := filepath.Join(dir, cluster)
	var present, missing []string
	data := map[string][]byte{}
	for _, f := range ClusterFiles {
		b, err := os.ReadFile(filepath.Join(d, f))
		switch {
		case err == nil:
			present = append(present, f)
			data[f] = b
		case errors.Is(err, fs.ErrNotExist):
			missing = append(missing, f)
		default:
			return "", err
		}
	}
	if len(present) == 0 {
		return Created, nil
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("%s: incomplete, %s missing; rerun with --force to issue a new intermediate", d, strings.Join(missing, ", "))
	}
	if root == nil {
		return Kept, nil
	}
	fail := func(format string, args ...any) (Action, error) {
		return "", fmt.Errorf("%s: %s; rerun with --force to issue a new intermediate", d, fmt.Sprintf(format, args...))
	}
	ca, err := parseCert(filepath.Join(d, CACert), data[CACert])
	if err != nil {
		return fail("%v", err)
	}
	key, err := parseKey(filepath.Join(d, CAKey), data[CAKey])
	if err != nil {
		return fail("%v", err)
	}
	if !samePublic(ca, key) {
		return fail("%s is not the key of %s", CAKey, CACert)
	}
	if !bytes.Equal(data[RootCert], rootPEM) {
		return fail("%s differs from %s", RootCert, filepath.Join(dir, RootCert))
	}
	if !bytes.Equal(data[CertChain], concat(data[CACert], rootPEM)) {
		return fail("%s is not %s followed by %s", CertChain, CACert, RootCert)
	}
	if err := Verify(ca, root, now); err != nil {
		return fail("%s: %v", CACert, err)
	}
	return Kept, nil
}

// Verify checks that ca is a CA certificate that chains to root at the given time.
func Verify(ca, root *x509.Certificate, now time.Time) error {
	if !ca.IsCA {
		return errors.New("not a CA certificate")
	}
	pool := x509.NewCertPool()
	pool.AddCert(root)
	_, err := ca.Verify(x509.VerifyOptions{Roots: pool, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	return err
}

// issue makes a cluster's intermediate and its four files.
func issue(o Options, cluster string, root *x509.Certificate, rootPEM []byte, rootKey crypto.Signer, now time.Time) ([]file, error) {
	key, err := rsa.GenerateKey(o.Rand, o.KeyBits)
	if err != nil {
		return nil, err
	}
	notAfter := now.Add(Validity)
	if notAfter.After(root.NotAfter) {
		notAfter = root.NotAfter
	}
	tmpl, err := template(o.Rand, &key.PublicKey, now, notAfter)
	if err != nil {
		return nil, err
	}
	tmpl.Subject = subject("Istio", "Intermediate CA", cluster)
	tmpl.MaxPathLenZero = true
	if o.Namespace != "" {
		tmpl.DNSNames = []string{"istiod." + o.Namespace + ".svc"}
	}
	der, err := x509.CreateCertificate(o.Rand, tmpl, root, &key.PublicKey, rootKey)
	if err != nil {
		return nil, fmt.Errorf("signing the intermediate of %s: %w", cluster, err)
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	d := cluster + string(filepath.Separator)
	return []file{
		{rel: d + CAKey, data: encodeKey(key), mode: 0o600},
		{rel: d + CACert, data: caPEM, mode: 0o644},
		{rel: d + RootCert, data: rootPEM, mode: 0o644},
		{rel: d + CertChain, data: concat(caPEM, rootPEM), mode: 0o644},
	}, nil
}

func selfSign(r io.Reader, key *rsa.PrivateKey, now time.Time) (*x509.Certificate, []byte, error) {
	tmpl, err := template(r, &key.PublicKey, now, now.Add(Validity))
	if err != nil {
		return nil, nil, err
	}
	tmpl.Subject = subject("Istio", "Root CA", "")
	der, err := x509.CreateCertificate(r, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	return cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// subject is common.mk's req_dn in its order: O, CN, then L where there is one (pkix.Name's
// own fields would put L first).
func subject(o, cn, l string) pkix.Name {
	n := pkix.Name{ExtraNames: []pkix.AttributeTypeAndValue{{Type: oidO, Value: o}, {Type: oidCN, Value: cn}}}
	if l != "" {
		n.ExtraNames = append(n.ExtraNames, pkix.AttributeTypeAndValue{Type: oidL, Value: l})
	}
	return n
}

var (
	oidCN = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidL  = asn1.ObjectIdentifier{2, 5, 4, 7}
	oidO  = asn1.ObjectIdentifier{2, 5, 4, 10}
)

// template holds what root and intermediate share: common.mk's req_ext section.
func template(r io.Reader, pub crypto.PublicKey, notBefore, notAfter time.Time) (*x509.Certificate, error) {
	// openssl's -CAcreateserial: a random serial; 128 bits, positive, within RFC 5280's 20 octets.
	serial, err := rand.Int(r, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	serial.Add(serial, big.NewInt(1))
	skid, err := keyID(pub)
	if err != nil {
		return nil, err
	}
	return &x509.Certificate{
		SerialNumber:          serial,
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		BasicConstraintsValid: true,
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign,
		SubjectKeyId:          skid,
	}, nil
}

// keyID is RFC 5280's method 1, what openssl's subjectKeyIdentifier = hash computes: the SHA-1
// of the subjectPublicKey bits.
func keyID(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil {
		return nil, err
	}
	sum := sha1.Sum(spki.PublicKey.Bytes)
	return sum[:], nil
}

func encodeKey(key *rsa.PrivateKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
}

func parseCert(path string, b []byte) (*x509.Certificate, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s: no PEM certificate", path)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return c, nil
}

// parseKey reads the key encodings Istio reads (PKCS#1, SEC 1, PKCS#8). Its errors never
// quote the file's content.
func parseKey(path string, b []byte) (crypto.Signer, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("%s: no PEM private key", path)
	}
	var k any
	var err error
	switch blk.Type {
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(blk.Bytes)
	case "PRIVATE KEY":
		k, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
	default:
		return nil, fmt.Errorf("%s: PEM block %q is not a private key Istio reads", path, blk.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: unreadable private key", path)
	}
	switch s := k.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		return s.(crypto.Signer), nil
	}
	return nil, fmt.Errorf("%s: unsupported key type %T", path, k)
}

func samePublic(c *x509.Certificate, k crypto.Signer) bool {
	p, ok := c.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	return ok && p.Equal(k.Public())
}

func concat(a, b []byte) []byte {
	return append(append(make([]byte, 0, len(a)+len(b)), a...), b...)
}

type file struct {
	rel  string
	data []byte
	mode fs.FileMode
	// replace allows an existing file at rel to be replaced; without it a file that appeared
	// since the checks is an error, not an overwrite.
	replace bool
}

// writeAll writes every file to a temporary name beside its place first, then moves them into
// place, so a failure leaves at most whole files and never a truncated key. A new file is
// linked into place, which fails rather than overwrite a file that appeared in the meantime.
func writeAll(dir string, files []file) error {
	if len(files) == 0 {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	var tmps []string
	cleanup := func() {
		for _, t := range tmps {
			os.Remove(t)
		}
	}
	for _, f := range files {
		p := filepath.Join(dir, f.rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			cleanup()
			return err
		}
		t, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".tmp-*")
		if err != nil {
			cleanup()
			return err
		}
		tmps = append(tmps, t.Name())
		// CreateTemp makes the file 0600, so a key is never readable by others, even briefly.
		if _, err := t.Write(f.data); err != nil {
			t.Close()
			cleanup()
			return err
		}
		if err := t.Chmod(f.mode); err != nil {
			t.Close()
			cleanup()
			return err
		}
		if err := t.Sync(); err != nil {
			t.Close()
			cleanup()
			return err
		}
		if err := t.Close(); err != nil {
			cleanup()
			return err
		}
	}
	for i, f := range files {
		p := filepath.Join(dir, f.rel)
		var err error
		if f.replace {
			err = os.Rename(tmps[i], p)
		} else if err = os.Link(tmps[i], p); err == nil {
			err = os.Remove(tmps[i])
		}
		if err != nil {
			cleanup()
			return err
		}
	}
	return nil
}
