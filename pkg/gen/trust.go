package gen

import (
	"strings"

	"github.com/meshgen/meshgen/pkg/api"
)

// Validity of a cluster's intermediate CA with spec.trust.mode certManager: a year, renewed
// by cert-manager 30 days before it ends.
const (
	intermediateDuration    = "8760h"
	intermediateRenewBefore = "720h"
)

// CACertsSecret is the secret istiod reads its signing CA from, in the control-plane namespace.
const CACertsSecret = "cacerts"

// trust writes, with spec.trust.mode certManager, the mesh's root CA ClusterIssuer (the same in
// every cluster, over the root key pair the user stores in the Secret api.RootCAName in
// api.CertManagerNamespace) and the cluster's intermediate CA Certificate, which cert-manager
// writes into cacerts in the control-plane namespace (tls.crt, tls.key, ca.crt; istiod reads
// that layout from 1.14.2 on, which validation enforces). cacerts must exist before istiod
// starts, or istiod makes a self-signed CA of its own: these objects belong to the first
// phase of a rollout, with the namespaces.
//
// A remote gets neither: it runs no istiod, so nothing there reads cacerts. Its primary's
// istiod signs its workloads' certificates and, running with EXTERNAL_ISTIOD, writes the
// root into the remote's istio-ca-root-cert ConfigMaps (Istio's namespace controller, run by
// the primary on every remote it leads). Issuing a CA there would only put a CA key, and the
// root's key under the ClusterIssuer, where no one uses them.
func (g *gen) trust(cl *api.Cluster) {
	if g.cfg.Spec.Trust.Mode != api.TrustCertManager || cl.Remote() {
		return
	}
	root := api.RootCAName(g.cfg)
	ci := &caClusterIssuer{object: g.meta("", root)}
	ci.Spec.CA.SecretName = root
	// Both before istiod starts (see above), not with the ACME issuers and certificates.
	g.addAt(cl.Name, PhaseBase, kClusterIssuer, ci)

	c := &caCertificate{object: g.meta(g.cpNamespace(), CACertsSecret)}
	c.Spec = caCertificateSpec{
		SecretName:  CACertsSecret,
		IsCA:        true,
		CommonName:  cl.Name,
		Subject:     &certSubject{Organizations: []string{"Istio"}},
		DNSNames:    []string{"istiod." + g.cpNamespace() + ".svc"},
		Duration:    intermediateDuration,
		RenewBefore: intermediateRenewBefore,
		PrivateKey:  &certPrivateKey{Algorithm: "RSA", Encoding: "PKCS1", Size: 4096},
		Usages:      []string{"digital signature", "key encipherment", "cert sign"},
		IssuerRef:   issuerRef{Group: "cert-manager.io", Kind: "ClusterIssuer", Name: root},
	}
	g.addAt(cl.Name, PhaseBase, kCertificate, c)
}

// cert-manager.io/v1 ClusterIssuer of type CA.
type caClusterIssuer struct {
	object `json:",inline"`
	Spec   struct {
		CA struct {
			SecretName string `json:"secretName"`
		} `json:"ca"`
	} `json:"spec"`
}

// cert-manager.io/v1 Certificate of a CA, the fields meshgen sets.
type caCertificate struct {
	object `json:",inline"`
	Spec   caCertificateSpec `json:"spec"`
}

type caCertificateSpec struct {
	SecretName  string          `json:"secretName"`
	IsCA        bool            `json:"isCA"`
	CommonName  string          `json:"commonName"`
	Subject     *certSubject    `json:"subject,omitempty"`
	DNSNames    []string        `json:"dnsNames,omitempty"`
	Duration    string          `json:"duration,omitempty"`
	RenewBefore string          `json:"renewBefore,omitempty"`
	PrivateKey  *certPrivateKey `json:"privateKey,omitempty"`
	Usages      []string        `json:"usages,omitempty"`
	IssuerRef   issuerRef       `json:"issuerRef"`
}

type certSubject struct {
	Organizations []string `json:"organizations,omitempty"`
}

type certPrivateKey struct {
	Algorithm string `json:"algorithm,omitempty"`
	Encoding  string `json:"encoding,omitempty"`
	Size      int    `json:"size,omitempty"`
}

// Info returns what the user must know to roll the mesh out that the output cannot say by
// itself: how Istio is installed, where trust comes from and when it must be in place. Each is one line, for an info
// result in KRM mode and for stderr in the CLI.
func Info(c *api.MeshConfig) []string {
	return append(installerInfo(c), trustInfo(c)...)
}

func trustInfo(c *api.MeshConfig) []string {
	ns := c.Spec.ControlPlane.Namespace
	every := "every cluster"
	if rs := remoteNames(c); rs != "" {
		every = "every primary cluster (not the remotes " + rs + ", whose primaries' istiods sign their certificates)"
	}
	switch c.Spec.Trust.Mode {
	case api.TrustExternal:
		return []string{"meshgen: spec.trust.mode external: " + every + " needs the Secret " + CACertsSecret + " in namespace " + ns +
			" (keys ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem; intermediates of one shared root) before istiod starts," +
			" or istiod makes a self-signed CA of its own and cross-cluster mTLS fails; meshgen certs writes them and prints the kubectl commands"}
	case api.TrustCertManager:
		root := api.RootCAName(c)
		out := []string{"meshgen: spec.trust.mode certManager: " + every + " needs cert-manager and the mesh's root key pair as the Secret " + root +
			" (type kubernetes.io/tls: tls.crt, tls.key) in namespace " + api.CertManagerNamespace +
			" (cert-manager's cluster resource namespace), and the Certificate " + CACertsSecret + " in namespace " + ns +
			" must be Ready before istiod starts; meshgen certs writes the root and prints the kubectl commands"}
		if v, ok := api.ParseSemver(c.Spec.Istio.Version); ok && v.Less(api.AutoReloadIstio) {
			out = append(out, "meshgen: Istio "+c.Spec.Istio.Version+" reloads a renewed "+CACertsSecret+
				" only with AUTO_RELOAD_PLUGIN_CERTS=true on istiod (the default from 1.18): set it, or restart istiod after cert-manager renews the intermediate (yearly)")
		}
		return out
	}
	return nil
}

// remoteNames lists the mesh's remotes, comma-separated, empty when it has none.
func remoteNames(c *api.MeshConfig) string {
	var rs []string
	for _, cl := range c.Spec.Clusters {
		if cl.Remote() {
			rs = append(rs, cl.Name)
		}
	}
	return strings.Join(rs, ", ")
}
