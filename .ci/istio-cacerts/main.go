// Command istio-cacerts loads a cacerts folder as istiod does with a plugged-in CA
// (ca.NewPluggedCertIstioCAOptions, the istiod file layout), signs a workload certificate with
// it, and checks that the workload certificate, with the chain istiod hands out, verifies
// against root-cert.pem. It prints "ok" or the error and exits 1.
package main

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"istio.io/istio/security/pkg/pki/ca"
	"istio.io/istio/security/pkg/pki/util"
)

func main() {
	if err := run(os.Args[1]); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("ok")
}

func run(dir string) error {
	bundle := ca.SigningCAFileBundle{
		RootCertFile:    filepath.Join(dir, ca.RootCertFile),
		CertChainFiles:  []string{filepath.Join(dir, ca.CertChainFile)},
		SigningCertFile: filepath.Join(dir, ca.CACertFile),
		SigningKeyFile:  filepath.Join(dir, ca.CAPrivateKeyFile),
	}
	opts, err := ca.NewPluggedCertIstioCAOptions(bundle, time.Hour, 24*time.Hour, 2048)
	if err != nil {
		return err
	}
	istioCA, err := ca.NewIstioCA(opts)
	if err != nil {
		return err
	}
	id := "spiffe://cluster.local/ns/default/sa/default"
	csr, _, err := util.GenCSR(util.CertOptions{Host: id, RSAKeySize: 2048})
	if err != nil {
		return err
	}
	chain, err := istioCA.SignWithCertChain(csr, ca.CertOpts{SubjectIDs: []string{id}, TTL: time.Hour})
	if err != nil {
		return err
	}
	if len(chain) != 1 {
		return fmt.Errorf("want one PEM chain, got %d", len(chain))
	}
	var certs []*x509.Certificate
	for rest := []byte(chain[0]); ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return err
		}
		certs = append(certs, c)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(opts.KeyCertBundle.GetRootCertPem()) {
		return fmt.Errorf("no root")
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err = certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	return err
}
