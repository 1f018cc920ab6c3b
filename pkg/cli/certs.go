package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/certs"
	"github.com/meshgen/meshgen/pkg/gen"
)

const certsHelp = `Usage: meshgen certs FILE... -o DIR [--force]

Writes the mesh's CA files offline, as Istio's tools/certs/Makefile.selfsigned.mk does:
DIR/root-cert.pem and DIR/root-key.pem, and with spec.trust.mode external, for every cluster
that runs istiod DIR/<cluster>/{ca-cert.pem,ca-key.pem,root-cert.pem,cert-chain.pem}. A remote
(clusters[].primary) gets nothing: its primary's istiod signs its workloads' certificates.
Prints the kubectl commands that put them into each cluster (before istiod starts); never
prints a key.

An existing root is reused, never replaced. A cluster folder that is complete and chains to
the root is kept as it is; a new cluster gets a new intermediate. Keys are written with mode
0600. DIR must not be inside a tree written by meshgen render -o (keys do not belong in Git).

`

// certsKeyBits is the RSA key size; tests lower it to keep key generation cheap.
var certsKeyBits = certs.DefaultKeyBits

func certsCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, in, code := start("certs", certsHelp, cmdCerts, args, stdin, stdout, stderr)
	if in == nil {
		return code
	}
	c := in.Config
	rootOnly := c.Spec.Trust.Mode == api.TrustCertManager
	// A remote runs no istiod: nothing there reads cacerts, and no ClusterIssuer there needs
	// the root (gen's trust writes none).
	var names, remotes []string
	for _, cl := range c.Spec.Clusters {
		if cl.Remote() {
			remotes = append(remotes, cl.Name)
		} else {
			names = append(names, cl.Name)
		}
	}
	res, err := certs.Write(certs.Options{
		Dir:       o.out,
		Namespace: c.Spec.ControlPlane.Namespace,
		Clusters:  names,
		Remotes:   remotes,
		RootOnly:  rootOnly,
		Force:     o.force,
		KeyBits:   certsKeyBits,
	})
	if err != nil {
		for _, l := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(stderr, "meshgen:", l)
		}
		return Invalid
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(stderr, "meshgen: warning:", w)
	}
	fmt.Fprintf(stderr, "meshgen: %s: root %s\n", filepath.Join(o.out, certs.RootCert), res.Root)
	for _, r := range res.Clusters {
		fmt.Fprintf(stderr, "meshgen: %s: intermediate %s\n", filepath.Join(o.out, r.Name), r.Action)
	}
	ns := c.Spec.ControlPlane.Namespace
	for _, cl := range c.Spec.Clusters {
		if cl.Remote() {
			fmt.Fprintf(stdout, "# %s: nothing: a remote of %s runs no istiod; %s's istiod signs its workloads' certificates and writes the root into its istio-ca-root-cert ConfigMaps\n", cl.Name, cl.Primary, cl.Primary)
			continue
		}
		if rootOnly {
			fmt.Fprintf(stdout, "# %s: the root for cert-manager's ClusterIssuer %s (cert-manager installed)\n", cl.Name, api.RootCAName(c))
			fmt.Fprintf(stdout, "kubectl create secret tls %s -n %s --cert=%s --key=%s\n", api.RootCAName(c), api.CertManagerNamespace,
				shellQuote(filepath.Join(o.out, certs.RootCert)), shellQuote(filepath.Join(o.out, certs.RootKey)))
			continue
		}
		fmt.Fprintf(stdout, "# %s: before istiod starts (namespace %s must exist)\n", cl.Name, ns)
		fmt.Fprintf(stdout, "kubectl create secret generic %s -n %s", gen.CACertsSecret, ns)
		for _, f := range certs.ClusterFiles {
			fmt.Fprintf(stdout, " --from-file=%s", shellQuote(filepath.Join(o.out, cl.Name, f)))
		}
		fmt.Fprintln(stdout)
	}
	return OK
}

// shellQuote quotes a path for sh when it holds anything but plain characters.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=+,@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// info prints, after a successful render, what the user must do for the output to work (see
// gen.Info); the KRM mode returns the same lines as info results.
func info(code int, in *api.Input, stderr io.Writer) int {
	if code == OK {
		for _, m := range gen.Info(in.Config) {
			fmt.Fprintln(stderr, m)
		}
	}
	return code
}
