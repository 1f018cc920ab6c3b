package api

import "fmt"

// TrustCertManager: cert-manager issues each cluster's intermediate CA into cacerts from a CA
// ClusterIssuer over the mesh's shared root.
const TrustCertManager = "certManager"

// MinCertManagerIstio is the first release whose istiod reads the kubernetes.io/tls layout
// (tls.crt, tls.key, ca.crt) that cert-manager writes into cacerts: added in 1.14.2
// (istio/istio#38528, PR #39732; istio.io release notes of 1.14.2, 2022-07-25) and present from
// 1.15.0 on. 1.13.6, released the same day, did not get it; before, istiod reads only
// ca-cert.pem, ca-key.pem, root-cert.pem and cert-chain.pem and starts a self-signed CA of its
// own when they are missing.
var MinCertManagerIstio = Semver{1, 14, 2}

// AutoReloadIstio is the first release whose istiod reloads a renewed cacerts without a
// restart by default (AUTO_RELOAD_PLUGIN_CERTS on by default, istio/istio#43104, PR #43946).
var AutoReloadIstio = Semver{1, 18, 0}

// CertManagerNamespace is where cert-manager reads a ClusterIssuer's CA secret: its cluster
// resource namespace (--cluster-resource-namespace), cert-manager's own namespace by default.
const CertManagerNamespace = "cert-manager"

// RootCAName names the mesh's root: the CA ClusterIssuer and the kubernetes.io/tls Secret (in
// CertManagerNamespace) that holds the root key pair the user provides.
func RootCAName(c *MeshConfig) string { return c.Metadata.Name + "-root-ca" }

// validateTrust checks spec.trust against the Istio release and the issuers' names.
func validateTrust(es *Errors, c *MeshConfig) {
	s := &c.Spec
	oneOf(es, "spec.trust.mode", s.Trust.Mode, TrustExternal, TrustCertManager)
	if s.Trust.Mode != TrustCertManager {
		return
	}
	if v, ok := ParseSemver(s.Istio.Version); ok && v.Less(MinCertManagerIstio) {
		es.add("spec.trust.mode", "%s needs Istio %d.%d.%d or newer: istiod %s reads only ca-cert.pem, ca-key.pem, root-cert.pem and cert-chain.pem from cacerts, not cert-manager's tls.crt, tls.key and ca.crt (added in 1.14.2, istio/istio#38528); use %s with meshgen certs, or a newer spec.istio.version",
			TrustCertManager, MinCertManagerIstio.Major, MinCertManagerIstio.Minor, MinCertManagerIstio.Patch, s.Istio.Version, TrustExternal)
	}
	root := RootCAName(c)
	for i, is := range s.Issuers {
		if is.Name == root {
			es.add(fmt.Sprintf("spec.issuers[%d].name", i), "%q is the ClusterIssuer of the mesh's root with spec.trust.mode %s; choose another name", root, TrustCertManager)
		}
	}
}
