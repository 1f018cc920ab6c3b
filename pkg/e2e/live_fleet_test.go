package e2e

// The live-mesh test's fleet: one etcd, and per cluster of the mesh a kube-apiserver with its
// own etcd prefix, serving certificate and token, and later an istiod run as a process
// against it. Everything listens on free loopback ports and is stopped by its pid
// (startProcess registers the cleanup).

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// liveCluster is one simulated member cluster.
type liveCluster struct {
	*kubeCluster
	name  string
	caPEM []byte // the CA that signed the API server's serving certificate: the credentials' ca.crt
}

// startFleet starts one etcd and an API server per cluster name.
func startFleet(t *testing.T, tools kubeTools, names []string) []*liveCluster {
	t.Helper()
	return retryPortRace(t, "the fleet", func() ([]*liveCluster, error) { return tryStartFleet(t, tools, names) })
}

func tryStartFleet(t *testing.T, tools kubeTools, names []string) (_ []*liveCluster, err error) {
	dir := t.TempDir()
	var started []*serverProcess
	defer func() {
		if err != nil {
			for i := len(started) - 1; i >= 0; i-- {
				started[i].stop(t)
			}
		}
	}()
	ports, err := freePorts(2 + len(names))
	if err != nil {
		return nil, err
	}
	clientURL := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	peerURL := "http://127.0.0.1:" + strconv.Itoa(ports[1])
	etcdLog := filepath.Join(dir, "etcd.log")
	etcd, err := startProcess(t, "etcd", etcdLog, tools.etcd,
		"--name=live", "--data-dir="+filepath.Join(dir, "etcd-data"),
		"--listen-client-urls="+clientURL, "--advertise-client-urls="+clientURL,
		"--listen-peer-urls="+peerURL, "--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=live="+peerURL, "--initial-cluster-state=new",
		"--logger=zap", "--log-level=warn")
	if err != nil {
		return nil, err
	}
	started = append(started, etcd)
	if err := waitHTTP(etcd, etcdLog, clientURL+"/health", "", etcdReadyTimeout); err != nil {
		return nil, fmt.Errorf("etcd: %w", err)
	}
	var fleet []*liveCluster
	var procs []*serverProcess
	for i, name := range names {
		cdir := filepath.Join(dir, name)
		if err := os.MkdirAll(cdir, 0o755); err != nil {
			return nil, err
		}
		c := &liveCluster{kubeCluster: &kubeCluster{tools: tools, dir: cdir}, name: name}
		if err := c.writeCredentials(); err != nil {
			return nil, err
		}
		c.server = "https://127.0.0.1:" + strconv.Itoa(ports[2+i])
		c.apiLog = filepath.Join(cdir, "kube-apiserver.log")
		p, err := startProcess(t, "kube-apiserver "+name, c.apiLog, tools.apiserver,
			"--etcd-servers="+clientURL,
			// One etcd, one key space per cluster: the API servers know nothing of each other.
			"--etcd-prefix=/"+name,
			"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
			"--secure-port="+strconv.Itoa(ports[2+i]),
			"--tls-cert-file="+filepath.Join(cdir, "serving.crt"),
			"--tls-private-key-file="+filepath.Join(cdir, "serving.key"),
			"--cert-dir="+filepath.Join(cdir, "certs"),
			"--authorization-mode=AlwaysAllow",
			"--token-auth-file="+filepath.Join(cdir, "tokens.csv"),
			"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
			"--service-account-key-file="+filepath.Join(cdir, "sa.pub"),
			"--service-account-signing-key-file="+filepath.Join(cdir, "sa.key"),
			"--service-cluster-ip-range=10.96.0.0/16",
			"--disable-admission-plugins=ServiceAccount",
			"--profiling=false")
		if err != nil {
			return nil, err
		}
		started = append(started, p)
		procs = append(procs, p)
		fleet = append(fleet, c)
	}
	for i, c := range fleet {
		if err := waitHTTP(procs[i], c.apiLog, c.server+"/readyz", c.token, apiserverReadyTimeout); err != nil {
			return nil, fmt.Errorf("kube-apiserver %s: %w", c.name, err)
		}
		if err := c.writeVerifiedKubeconfig(); err != nil {
			return nil, err
		}
	}
	return fleet, nil
}

// writeCredentials makes the cluster's CA, serving certificate (for 127.0.0.1), token and
// service-account keys.
func (c *liveCluster) writeCredentials() error {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "live CA " + c.name},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	ca, _ = x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "kube-apiserver " + c.name},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	c.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	files := map[string][]byte{
		"serving.crt": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}),
		"serving.key": pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(c.dir, n), b, 0o600); err != nil {
			return err
		}
	}
	// writeAuthFiles makes the token (an admin: AlwaysAllow) and the service-account keys.
	return c.writeAuthFiles()
}

// writeVerifiedKubeconfig is the test's own kubeconfig: it verifies the serving certificate.
func (c *liveCluster) writeVerifiedKubeconfig() error {
	c.kubeconfig = filepath.Join(c.dir, "kubeconfig")
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: %[1]s
  cluster:
    server: %[2]s
    certificate-authority-data: %[3]s
users:
- name: admin
  user:
    token: %[4]s
contexts:
- name: %[1]s
  context: {cluster: %[1]s, user: admin}
current-context: %[1]s
`, c.name, c.server, base64.StdEncoding.EncodeToString(c.caPEM), c.token)
	return os.WriteFile(c.kubeconfig, []byte(cfg), 0o600)
}

// otherCA is a PEM CA certificate that signed none of the fleet's servers: the ca.crt of
// the negative control.
func otherCA(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sn := make([]byte, 8)
	_, _ = rand.Read(sn)
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "unrelated CA " + hex.EncodeToString(sn)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, ca, ca, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
