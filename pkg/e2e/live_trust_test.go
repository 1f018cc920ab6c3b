package e2e

// Trust in the live mesh (check 5): the test plays the user, who runs `meshgen certs` and the
// kubectl commands it prints; cert-manager's CA issuer, which issues the Certificates
// meshgen writes; and the kubelet, which mounts istiod's Secret volumes (cacerts at
// /etc/cacerts; istiod reads ./etc/cacerts from its working directory).

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/meshgen/meshgen/pkg/gen"
)

// checkTrust is issue 13's check 5: one root under every istiod.
const checkTrust = 5

// playUser runs `meshgen certs` on the input and, in each cluster, the kubectl commands it
// prints for that cluster; it returns the mesh's root certificate.
func (m *liveMesh) playUser(t *testing.T, dir string, inputs ...string) []byte {
	t.Helper()
	certs := filepath.Join(dir, "certs")
	stdout, stderr, code := run(t, dir, nil, meshgen(t), append(append([]string{"certs"}, inputs...), "-o", certs)...)
	if code != 0 {
		t.Fatalf("meshgen certs: exit %d\n%s", code, stderr)
	}
	var c *liveCluster
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if name, ok := strings.CutPrefix(line, "# "); ok {
			name, _, _ = strings.Cut(name, ":")
			c = m.byName[name]
			continue
		}
		args := strings.Fields(line)
		if len(args) == 0 || args[0] != "kubectl" {
			continue
		}
		if c == nil {
			t.Fatalf("meshgen certs: a command for no cluster: %s\n%s", line, stdout)
		}
		c.mustKubectl(t, nil, args[1:]...)
	}
	root, err := os.ReadFile(filepath.Join(certs, "root-cert.pem"))
	if err != nil {
		t.Fatalf("meshgen certs wrote no root: %v", err)
	}
	return root
}

// playCertManager issues every Certificate of the cluster's output whose issuer is a CA
// ClusterIssuer of the output, as cert-manager's CA issuer does: a key as the Certificate
// asks, signed by the issuer's key pair (a Secret in cert-manager's cluster resource
// namespace), into the Certificate's Secret with tls.crt, tls.key and ca.crt. Certificates
// of other issuers (ACME) are not issued: nothing here needs them.
func (m *liveMesh) playCertManager(t *testing.T, c *liveCluster) {
	t.Helper()
	files := inPhases(filepath.Join(m.out, c.name), "*.yaml")
	var objs []object
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, decodeObjects(t, f, b)...)
	}
	issuers := map[string]string{}
	for _, o := range objs {
		if o.kind() == "ClusterIssuer" && o.str("spec", "ca", "secretName") != "" {
			issuers[o.name()] = o.str("spec", "ca", "secretName")
		}
	}
	for _, o := range objs {
		secretName, ok := issuers[o.str("spec", "issuerRef", "name")]
		if o.kind() != "Certificate" || o.str("spec", "issuerRef", "kind") != "ClusterIssuer" || !ok {
			continue
		}
		caCert, caKey := readTLSSecret(t, c, "cert-manager", secretName)
		crt, key := issue(t, o, caCert, caKey)
		b, _ := json.Marshal(map[string]any{
			"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
			"metadata": map[string]any{"name": o.str("spec", "secretName"), "namespace": o.str("metadata", "namespace")},
			"data": map[string]string{
				"tls.crt": base64.StdEncoding.EncodeToString(crt),
				"tls.key": base64.StdEncoding.EncodeToString(key),
				"ca.crt":  base64.StdEncoding.EncodeToString(pemCert(caCert.Raw)),
			},
		})
		c.mustKubectl(t, b, "apply", "--server-side=false", "-f", "-")
	}
}

func readTLSSecret(t *testing.T, c *liveCluster, ns, name string) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	res := c.mustKubectl(t, nil, "get", "secret", name, "-n", ns, "-o", "json")
	var s struct {
		Data map[string][]byte `json:"data"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &s); err != nil {
		t.Fatal(err)
	}
	cb, _ := pem.Decode(s.Data["tls.crt"])
	kb, _ := pem.Decode(s.Data["tls.key"])
	if cb == nil || kb == nil {
		t.Fatalf("secret %s/%s in %s: no PEM tls.crt or tls.key", ns, name, c.name)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	var key any
	switch kb.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(kb.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(kb.Bytes)
	default:
		key, err = x509.ParsePKCS8PrivateKey(kb.Bytes)
	}
	if err != nil {
		t.Fatalf("secret %s/%s in %s: tls.key: %v", ns, name, c.name, err)
	}
	return cert, key.(crypto.Signer)
}

// issue signs a Certificate's spec: subject, DNS names, CA flag, usages, duration and key.
func issue(t *testing.T, cert object, ca *x509.Certificate, caKey crypto.Signer) (crtPEM, keyPEM []byte) {
	t.Helper()
	var key crypto.Signer
	var err error
	size := 2048
	if f, ok := cert.get("spec", "privateKey", "size").(float64); ok {
		size = int(f)
	}
	switch cert.str("spec", "privateKey", "algorithm") {
	case "ECDSA":
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		key, err = rsa.GenerateKey(rand.Reader, size)
	}
	if err != nil {
		t.Fatal(err)
	}
	d := 90 * 24 * time.Hour
	if s := cert.str("spec", "duration"); s != "" {
		if d, err = time.ParseDuration(s); err != nil {
			t.Fatalf("Certificate %s: duration: %v", cert.name(), err)
		}
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cert.str("spec", "commonName")},
		NotBefore:    time.Now().Add(-time.Minute), NotAfter: time.Now().Add(d),
		IsCA: cert.get("spec", "isCA") == true, BasicConstraintsValid: true,
	}
	for _, o := range anyList(cert.get("spec", "subject", "organizations")) {
		tmpl.Subject.Organization = append(tmpl.Subject.Organization, o)
	}
	tmpl.DNSNames = anyList(cert.get("spec", "dnsNames"))
	for _, u := range anyList(cert.get("spec", "usages")) {
		switch u {
		case "digital signature":
			tmpl.KeyUsage |= x509.KeyUsageDigitalSignature
		case "key encipherment":
			tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
		case "cert sign":
			tmpl.KeyUsage |= x509.KeyUsageCertSign
		case "server auth":
			tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
		case "client auth":
			tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageClientAuth)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	return pemCert(der), pemKey(t, key, cert.str("spec", "privateKey", "encoding"))
}

func anyList(v any) []string {
	var out []string
	xs, _ := v.([]any)
	for _, x := range xs {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func pemKey(t *testing.T, key crypto.Signer, encoding string) []byte {
	t.Helper()
	if k, ok := key.(*rsa.PrivateKey); ok && encoding != "PKCS8" {
		return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// playKubelet mounts istiod's Secret volumes that exist in the cluster under dir, at their
// mount paths (dir is istiod's working directory).
func (m *liveMesh) playKubelet(t *testing.T, c *liveCluster, dir string) {
	t.Helper()
	in := m.inst[c.name]
	for secret, path := range in.secretMounts {
		mountSecret(t, c, in.namespace, secret, filepath.Join(dir, path)) // optional volumes: absent Secrets mount nothing
	}
}

// mountSecret writes a Secret's data as files in target, as the kubelet mounts a Secret
// volume; false, and nothing written, when the Secret is absent.
func mountSecret(t *testing.T, c *liveCluster, ns, secret, target string) bool {
	t.Helper()
	res := c.kubectl(t, nil, "get", "secret", secret, "-n", ns, "-o", "json")
	if res.exitCode != 0 {
		return false
	}
	var s struct {
		Data map[string][]byte `json:"data"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &s); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(target); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(target, 0o700); err != nil {
		t.Fatal(err)
	}
	for k, v := range s.Data {
		if err := os.WriteFile(filepath.Join(target, k), v, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return true
}

// evalTrust: the root istiod publishes in the cluster (ConfigMap istio-ca-root-cert in the
// control-plane namespace) is the mesh's root, istiod's own serving certificate chains to it
// through an intermediate, so istiod signs with an intermediate under that root, and a
// workload of the cluster gets its certificate from istiod through that intermediate.
//
// A remote runs no istiod and so needs no CA: it must have no Secret cacerts (meshgen certs
// prints none for it), its istio-ca-root-cert is the one its primary's istiod writes there,
// and the istiod that signs for it (its primary's, see servePrimaries) does so through the
// primary's own intermediate, the one in the primary's cacerts.
func (m *liveMesh) evalTrust(cluster string) result {
	r := result{check: checkTrust, cluster: cluster, what: "istiod signs under the mesh's root through an intermediate"}
	ns := m.inst[cluster].namespace
	var primaryCA *x509.Certificate
	if cl := m.cfg.Spec.Cluster(cluster); cl != nil && cl.Remote() {
		r.what = "no CA of its own (no cacerts): " + cl.Primary + "'s istiod writes the mesh's root here and signs through " + cl.Primary + "'s intermediate"
		if _, err := m.byName[cluster].get("secret", gen.CACertsSecret, "-n", ns, "-o", "name"); err == nil {
			r.detail = "a remote holds the Secret " + gen.CACertsSecret + ", which no istiod reads"
			return r
		} else if !strings.Contains(err.Error(), "NotFound") {
			r.detail = "Secret " + gen.CACertsSecret + ": " + err.Error()
			return r
		}
		var err error
		if primaryCA, err = m.signingCA(cl.Primary); err != nil {
			r.detail = err.Error()
			return r
		}
	}
	out, err := m.byName[cluster].get("configmap", "istio-ca-root-cert", "-n", ns, "-o", "jsonpath={.data.root-cert\\.pem}")
	if err != nil {
		r.detail = "no ConfigMap istio-ca-root-cert: " + err.Error()
		return r
	}
	if !samePEM(out, m.root) {
		r.detail = "the cluster's istio-ca-root-cert holds another root: " + subjects(out)
		return r
	}
	conn, err := tls.Dial("tcp", m.istiod[cluster].secureGRPC, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2"}})
	if err != nil {
		r.detail = "istiod's secure xDS port: " + err.Error()
		return r
	}
	chain := conn.ConnectionState().PeerCertificates
	conn.Close()
	if ok, detail := chainsThrough(chain, m.root, primaryCA); !ok {
		r.detail = detail
		return r
	}
	// A workload of the cluster gets its certificate through the intermediate of the istiod
	// that serves it: its own cacerts', or its primary's for a remote.
	ca := primaryCA
	if ca == nil {
		ca, _ = m.signingCA(cluster) // none when istiod runs without cacerts: any intermediate
	}
	chain, id, err := m.workloadCert(cluster)
	if err != nil {
		r.detail = "a workload certificate: " + err.Error()
		return r
	}
	ok, detail := chainsThrough(chain, m.root, ca)
	switch {
	case !ok:
		r.detail = "a workload certificate: " + detail
	case len(chain[0].URIs) != 1 || !strings.HasSuffix(chain[0].URIs[0].String(), id):
		r.detail = fmt.Sprintf("a workload certificate names %v, not %s", chain[0].URIs, id)
	default:
		r.ok, r.detail = true, "workload "+chain[0].URIs[0].String()+": "+detail
	}
	return r
}

// chainsThrough tells whether the leaf of a served chain verifies to root through an
// intermediate (not the root itself), and, with ca set, through exactly that intermediate.
func chainsThrough(chain []*x509.Certificate, root []byte, ca *x509.Certificate) (bool, string) {
	if len(chain) == 0 {
		return false, "istiod served no certificate"
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AppendCertsFromPEM(root)
	for _, ic := range chain[1:] {
		inter.AddCert(ic)
	}
	chains, err := chain[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return false, "istiod's certificate does not chain to the mesh's root: " + err.Error()
	}
	// leaf, intermediate, root: istiod's CA is an intermediate, not the root itself.
	if len(chains[0]) < 3 {
		return false, fmt.Sprintf("istiod's certificate is signed by the root itself (chain of %d)", len(chains[0]))
	}
	if ca != nil && !chains[0][1].Equal(ca) {
		return false, "istiod signs through " + chains[0][1].Subject.String() + ", not the primary's intermediate " + ca.Subject.String()
	}
	return true, "root " + chains[0][len(chains[0])-1].Subject.String() + ", intermediate " + chains[0][1].Subject.String()
}

// signingCA is the intermediate in a cluster's cacerts: ca-cert.pem as meshgen certs writes
// it, or tls.crt as cert-manager does.
func (m *liveMesh) signingCA(cluster string) (*x509.Certificate, error) {
	out, err := m.byName[cluster].get("secret", gen.CACertsSecret, "-n", m.inst[cluster].namespace, "-o", "json")
	if err != nil {
		return nil, fmt.Errorf("%s's Secret %s: %v", cluster, gen.CACertsSecret, err)
	}
	var s struct {
		Data map[string][]byte `json:"data"`
	}
	if err := json.Unmarshal(out, &s); err != nil {
		return nil, err
	}
	b := s.Data["ca-cert.pem"]
	if b == nil {
		b = s.Data["tls.crt"]
	}
	p, _ := pem.Decode(b)
	if p == nil {
		return nil, fmt.Errorf("%s's Secret %s: no ca-cert.pem or tls.crt", cluster, gen.CACertsSecret)
	}
	return x509.ParseCertificate(p.Bytes)
}

// get is kubectl get for the checks, which run outside a test's helpers.
func (c *liveCluster) get(args ...string) ([]byte, error) {
	return c.run(nil, append([]string{"get"}, args...)...)
}

// run is kubectl for the checks, with stdin.
func (c *liveCluster) run(stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.Command(c.tools.kubectl, append([]string{"--kubeconfig=" + c.kubeconfig, "--cache-dir=" + filepath.Join(c.dir, "kubectl-cache")}, args...)...)
	cmd.Env = kubectlEnv()
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		err = fmt.Errorf("%v: %s", err, strings.TrimSpace(string(ee.Stderr)))
	}
	return out, err
}

func samePEM(a, b []byte) bool {
	pa, _ := pem.Decode(a)
	pb, _ := pem.Decode(b)
	return pa != nil && pb != nil && string(pa.Bytes) == string(pb.Bytes)
}

func subjects(b []byte) string {
	var out []string
	for {
		var p *pem.Block
		p, b = pem.Decode(b)
		if p == nil {
			break
		}
		if c, err := x509.ParseCertificate(p.Bytes); err == nil {
			out = append(out, c.Subject.String())
		}
	}
	return strings.Join(out, ", ")
}

// foreignCACerts writes, in istiod's file format, an intermediate under a root that is not
// the mesh's: what a cluster whose cacerts came from elsewhere would mount.
func foreignCACerts(t *testing.T, dir string) {
	t.Helper()
	rootKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	root := &x509.Certificate{SerialNumber: big.NewInt(10), Subject: pkix.Name{CommonName: "foreign root"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	rootDER, err := x509.CreateCertificate(rand.Reader, root, root, &rootKey.PublicKey, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	root, _ = x509.ParseCertificate(rootDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(11), Subject: pkix.Name{CommonName: "foreign intermediate", Organization: []string{"Istio"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, root, &key.PublicKey, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"ca-cert.pem":    pemCert(caDER),
		"ca-key.pem":     pemKey(t, key, ""),
		"root-cert.pem":  pemCert(rootDER),
		"cert-chain.pem": append(pemCert(caDER), pemCert(rootDER)...),
	}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestChainsThrough: evalTrust's chain rule, offline. A leaf under hub's intermediate holds
// for hub's intermediate and for no intermediate named; negative controls: the same leaf
// asked to chain through dc2's intermediate (a remote signed by the wrong primary), a leaf
// signed by the root itself, and a leaf under another root each fail.
func TestChainsThrough(t *testing.T) {
	type ca struct {
		cert *x509.Certificate
		key  crypto.Signer
	}
	serial := int64(0)
	mk := func(cn string, parent *ca, isCA bool) *ca {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		serial++
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			IsCA: isCA, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
		signer, signKey := tmpl, crypto.Signer(key)
		if parent != nil {
			signer, signKey = parent.cert, parent.key
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, key.Public(), signKey)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return &ca{c, key}
	}
	root, other := mk("root", nil, true), mk("other root", nil, true)
	hub, dc2 := mk("hub", root, true), mk("dc2", root, true)
	leaf, byRoot, foreign := mk("istiod", hub, false), mk("istiod", root, false), mk("istiod", mk("foreign", other, true), false)
	rootPEM := pemCert(root.cert.Raw)
	for _, tc := range []struct {
		name  string
		chain []*x509.Certificate
		ca    *x509.Certificate
		ok    bool
	}{
		{"hub's leaf, any intermediate", []*x509.Certificate{leaf.cert, hub.cert}, nil, true},
		{"hub's leaf through hub", []*x509.Certificate{leaf.cert, hub.cert}, hub.cert, true},
		{"hub's leaf through dc2", []*x509.Certificate{leaf.cert, hub.cert}, dc2.cert, false},
		{"signed by the root", []*x509.Certificate{byRoot.cert}, nil, false},
		{"another root", []*x509.Certificate{foreign.cert}, hub.cert, false},
		{"nothing served", nil, nil, false},
	} {
		if ok, detail := chainsThrough(tc.chain, rootPEM, tc.ca); ok != tc.ok {
			t.Errorf("%s: %v (%s), want %v", tc.name, ok, detail, tc.ok)
		}
	}
}

// trustAccount is the ServiceAccount the trust check asks a workload certificate for.
const trustAccount = "meshgen-live-trust"

// workloadCert asks the istiod that serves a cluster for a workload certificate as pilot-agent
// does: a CSR to IstioCertificateService on istiod's secure gRPC port (15012), with a token of
// a ServiceAccount of the cluster (audience istio-ca) and the cluster's ID, which istiod
// checks with a TokenReview in that cluster (for a remote, through its remote secret). It
// returns the chain istiod signs and the identity it should name.
func (m *liveMesh) workloadCert(cluster string) ([]*x509.Certificate, string, error) {
	c := m.byName[cluster]
	ns := m.inst[cluster].namespace // the gateways' namespace, where the mesh has none of its own
	if len(m.cfg.Spec.Namespaces) > 0 {
		ns = m.cfg.Spec.Namespaces[0].Name
	}
	sa, _ := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{"name": trustAccount, "namespace": ns}})
	if _, err := c.run(sa, "apply", "--server-side=true", "--field-manager=live-trust", "-f", "-"); err != nil {
		return nil, "", err
	}
	token, err := c.run(nil, "create", "token", trustAccount, "-n", ns, "--audience=istio-ca", "--duration=10m")
	if err != nil {
		return nil, "", err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, "", err
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		return nil, "", err
	}
	// IstioCertificateRequest{csr: 1, validity_duration: 3}, as gRPC's length-prefixed frame.
	msg := protowire.AppendTag(nil, 1, protowire.BytesType)
	msg = protowire.AppendString(msg, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr})))
	msg = protowire.AppendTag(msg, 3, protowire.VarintType)
	msg = protowire.AppendVarint(msg, 3600)
	body := append([]byte{0, 0, 0, 0, 0}, msg...)
	binary.BigEndian.PutUint32(body[1:5], uint32(len(msg)))
	req, err := http.NewRequest(http.MethodPost, "https://"+m.istiod[cluster].secureGRPC+"/istio.v1.auth.IstioCertificateService/CreateCertificate", bytes.NewReader(body))
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Content-Type", "application/grpc")
	req.Header.Set("TE", "trailers")
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	req.Header.Set("ClusterID", cluster)
	// The chain is checked by the caller, against the mesh's root.
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{ForceAttemptHTTP2: true, TLSClientConfig: &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2"}}}}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", err
	}
	if st := resp.Trailer.Get("Grpc-Status"); st != "0" {
		return nil, "", fmt.Errorf("CreateCertificate: grpc-status %q: %s", st+resp.Header.Get("Grpc-Status"), resp.Trailer.Get("Grpc-Message")+resp.Header.Get("Grpc-Message"))
	}
	if len(out) < 5 {
		return nil, "", fmt.Errorf("CreateCertificate: a response of %d bytes", len(out))
	}
	// IstioCertificateResponse{cert_chain: 1 (repeated)}: leaf first.
	var chain []*x509.Certificate
	for b := out[5:]; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, "", protowire.ParseError(n)
		}
		b = b[n:]
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return nil, "", protowire.ParseError(n)
		}
		if num == 1 && typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(b)
			for rest := v; ; {
				var p *pem.Block
				if p, rest = pem.Decode(rest); p == nil {
					break
				}
				crt, err := x509.ParseCertificate(p.Bytes)
				if err != nil {
					return nil, "", err
				}
				chain = append(chain, crt)
			}
		}
		b = b[n:]
	}
	return chain, "/ns/" + ns + "/sa/" + trustAccount, nil
}

// TestLiveTrustRemote: check 5 on primary-remote's remote, live, with its negative controls,
// which the mesh-wide ones (live_test.go) do not aim at a remote: a Secret cacerts put into
// the remote, and its primary's istiod restarted on another primary's cacerts (same root, so
// only the intermediate is wrong), each make the check fail; undone, it holds again.
func TestLiveTrustRemote(t *testing.T) {
	liveSkip(t)
	m := startMesh(t, filepath.Join(repo, "examples", "primary-remote", "mesh.yaml"))
	var remote, primary, other *liveCluster
	for _, cl := range m.cfg.Spec.Clusters {
		if cl.Remote() && remote == nil {
			remote, primary = m.byName[cl.Name], m.byName[cl.Primary]
		}
	}
	for _, cl := range m.cfg.Spec.Clusters {
		if !cl.Remote() && primary != nil && cl.Name != primary.name {
			other = m.byName[cl.Name]
		}
	}
	if remote == nil || other == nil {
		t.Fatal("primary-remote: want a remote and a second primary")
	}
	// await polls the remote's check until it holds (or fails with in in its detail).
	await := func(ok bool, in string) {
		t.Helper()
		var r result
		for deadline := time.Now().Add(settleTimeout); time.Now().Before(deadline); time.Sleep(time.Second) {
			if r = m.evalTrust(remote.name); r.ok == ok && strings.Contains(r.detail, in) {
				fmt.Println(r)
				return
			}
		}
		t.Fatalf("want ok=%v with %q: %s", ok, in, r)
	}
	await(true, "workload spiffe://")

	ns := m.inst[remote.name].namespace
	stray, _ := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": gen.CACertsSecret, "namespace": ns},
		"stringData": map[string]string{"ca-cert.pem": "unused"}})
	remote.mustKubectl(t, stray, "apply", "--server-side=false", "-f", "-")
	await(false, "holds the Secret cacerts")
	remote.mustKubectl(t, nil, "delete", "secret", gen.CACertsSecret, "-n", ns)
	await(true, "workload spiffe://")

	mount, ok := m.inst[primary.name].secretMounts[gen.CACertsSecret]
	if !ok {
		t.Fatalf("%s's istiod mounts no %s", primary.name, gen.CACertsSecret)
	}
	m.restartIstiod(t, primary, func(dir string) {
		// other's cacerts, as the kubelet would mount them in primary's istiod.
		if !mountSecret(t, other, m.inst[other.name].namespace, gen.CACertsSecret, filepath.Join(dir, mount)) {
			t.Fatalf("%s has no Secret %s", other.name, gen.CACertsSecret)
		}
	})
	await(false, "not the primary's intermediate")
	m.restartIstiod(t, primary, func(dir string) { m.playKubelet(t, primary, dir) })
	await(true, "workload spiffe://")
}
