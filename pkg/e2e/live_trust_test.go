package e2e

// Trust in the live mesh (check 5): the test plays the user, who runs `meshgen certs` and the
// kubectl commands it prints; cert-manager's CA issuer, which issues the Certificates
// meshgen writes; and the kubelet, which mounts istiod's Secret volumes (cacerts at
// /etc/cacerts; istiod reads ./etc/cacerts from its working directory).

import (
	"bufio"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
		res := c.kubectl(t, nil, "get", "secret", secret, "-n", in.namespace, "-o", "json")
		if res.exitCode != 0 {
			continue // optional volumes: absent Secrets mount nothing
		}
		var s struct {
			Data map[string][]byte `json:"data"`
		}
		if err := json.Unmarshal([]byte(res.stdout), &s); err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dir, path)
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
	}
}

// evalTrust: the root istiod publishes in the cluster (ConfigMap istio-ca-root-cert in the
// control-plane namespace) is the mesh's root, and istiod's own serving certificate chains
// to it through an intermediate, so istiod signs with an intermediate under that root.
func (m *liveMesh) evalTrust(cluster string) result {
	r := result{check: checkTrust, cluster: cluster, what: "istiod signs under the mesh's root through an intermediate"}
	out, err := m.byName[cluster].get("configmap", "istio-ca-root-cert", "-n", m.inst[cluster].namespace, "-o", "jsonpath={.data.root-cert\\.pem}")
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
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AppendCertsFromPEM(m.root)
	for _, ic := range chain[1:] {
		inter.AddCert(ic)
	}
	chains, err := chain[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		r.detail = "istiod's certificate does not chain to the mesh's root: " + err.Error()
		return r
	}
	// leaf, intermediate, root: istiod's CA is an intermediate, not the root itself.
	if len(chains[0]) < 3 {
		r.detail = fmt.Sprintf("istiod's certificate is signed by the root itself (chain of %d)", len(chains[0]))
		return r
	}
	r.ok = true
	r.detail = "root " + chains[0][len(chains[0])-1].Subject.String() + ", intermediate " + chains[0][1].Subject.String()
	return r
}

// get is kubectl get for the checks, which run outside a test's helpers.
func (c *liveCluster) get(args ...string) ([]byte, error) {
	cmd := exec.Command(c.tools.kubectl, append([]string{"--kubeconfig=" + c.kubeconfig, "--cache-dir=" + filepath.Join(c.dir, "kubectl-cache"), "get"}, args...)...)
	cmd.Env = kubectlEnv()
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
