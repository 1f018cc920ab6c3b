package api

import (
	"strings"
	"testing"
)

// The tests in this file pin rules that mutation testing (make mutate) found no test held:
// each states the rule a user relies on, and fails for the mutant it was written after.

// TestCABundleErrorsCountCertificates: an error in a CA bundle names the block by its
// number, counting from 1 and counting the good certificates before it, so that the user
// finds the bad block in a bundle of several.
func TestCABundleErrorsCountCertificates(t *testing.T) {
	const key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
	const bad = "-----BEGIN CERTIFICATE-----\nRkFLRSBDQQ==\n-----END CERTIFICATE-----\n"
	for _, tt := range []struct{ in, want string }{
		{testCA, ""},
		{testCA + "\n" + testCA, ""},
		{"junk", "no PEM block at certificate 1"},
		{testCA + "junk", "no PEM block at certificate 2"},
		{testCA + testCA + "junk", "no PEM block at certificate 3"},
		{key, `block 1 is a "PRIVATE KEY", not a CERTIFICATE`},
		{testCA + key, `block 2 is a "PRIVATE KEY", not a CERTIFICATE`},
		{testCA + bad, "certificate 2: "},
		{"", "empty"},
		{" \n\t\n", "empty"},
	} {
		err := ParseCABundle([]byte(tt.in))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%.40q: %v", tt.in, err)
		case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)):
			t.Errorf("%.40q: got %v, want %q", tt.in, err, tt.want)
		}
	}
}

// TestCredentialsCA: a ca.crt in a credentials Secret is read when it is a PEM bundle, and
// refused at its own key when it is not (the cluster then has no credentials).
func TestCredentialsCA(t *testing.T) {
	secret := "apiVersion: v1\nkind: Secret\nmetadata: {name: r, annotations: {meshgen.dev/credentials-for: a, config.kubernetes.io/local-config: \"true\"}}\nstringData:\n  token: t\n  ca.crt: |\n"
	cs, es := ReadCredentials([]Doc{parseOne(t, secret+indent(testCA))})
	if es != nil || string(cs["a"].CA) != testCA {
		t.Errorf("a PEM ca.crt: %v, CA %q", es, cs["a"].CA)
	}
	cs, es = ReadCredentials([]Doc{parseOne(t, secret+indent("not a certificate"))})
	if len(es) != 1 || es[0].Path != "stringData.ca.crt" || !strings.Contains(es[0].Msg, "ca.crt must be a PEM bundle of certificates: no PEM block at certificate 1") {
		t.Errorf("a ca.crt that is no PEM: %v", es)
	}
	if _, ok := cs["a"]; ok {
		t.Errorf("credentials with a bad ca.crt kept: %+v", cs)
	}
}

// TestWarnOneRancherProxy: one cluster behind Rancher's proxy warns without counting others;
// a mesh of one cluster has no remote secrets, so it carries no Rancher token and no warning.
func TestWarnOneRancherProxy(t *testing.T) {
	c, _ := baseConfig(t)
	c.Spec.Clusters[1].APIServer = "https://rancher.example.com/k8s/clusters/c-b"
	ws := Warnings(c)
	if len(ws) != 1 || ws[0].Path != "spec.clusters[1].apiServer" || !strings.HasPrefix(ws[0].Msg, "a Rancher proxy URL: the remote secrets") {
		t.Errorf("one cluster behind Rancher: %v", ws)
	}
	c.Spec.Clusters = c.Spec.Clusters[1:]
	if ws := Warnings(c); ws != nil {
		t.Errorf("a mesh of one cluster: %v", ws)
	}
}

// TestIngressAddressNames: an ingress address that is not an IP is a load balancer's DNS
// name: at most 253 bytes (RFC 1035, Kubernetes' DNS-1123 subdomain) and a last label with a
// letter (ingress.example.123 is a mistyped address, not a name).
func TestIngressAddressNames(t *testing.T) {
	for _, tt := range []struct {
		addr  string
		valid bool
	}{
		{hostOf(253), true},
		{hostOf(254), false},
		{"lb-1.elb.example.com", true},
		{"ingress.example.123", false},
		{"ingress.example.1a", true},
	} {
		c, cs := baseConfig(t)
		c.Spec.DNS.EndpointCluster = ""
		c.Spec.Clusters[1].IngressAddress = tt.addr
		es := Validate(c, cs)
		if tt.valid && es != nil {
			t.Errorf("%.30s (%d bytes): %v", tt.addr, len(tt.addr), es)
		}
		if !tt.valid && (len(es) != 1 || es[0].Path != "spec.clusters[1].ingressAddress" || !strings.Contains(es[0].Msg, "must be an IP address or a load balancer's DNS name")) {
			t.Errorf("%.30s (%d bytes): want it refused as no name, got %v", tt.addr, len(tt.addr), es)
		}
	}
}

// TestDNSOwnerWithOneHostname: a hostname ingress address is a CNAME, which cannot share the
// ingress hosts' names with other addresses; alone it can, even with an owner named.
func TestDNSOwnerWithOneHostname(t *testing.T) {
	c, cs := baseConfig(t)
	c.Spec.DNS.EndpointCluster = "b"
	c.Spec.Clusters[0].IngressAddress = ""
	c.Spec.Clusters[1].IngressAddress = "lb-1.elb.example.com"
	if es := Validate(c, cs); es != nil {
		t.Errorf("one hostname, owner named: %v", es)
	}
	c.Spec.Clusters[0].IngressAddress = "192.0.2.1"
	es := Validate(c, cs)
	if len(es) != 1 || es[0].Path != "spec.clusters[1].ingressAddress" || !strings.Contains(es[0].Msg, "a CNAME stands alone") {
		t.Errorf("a hostname beside an IP: %v", es)
	}
}

// TestTCPServiceWithoutMatches: a tcp service is routed by port; without URI matches and an
// ingress it is valid, with URI matches it is refused.
func TestTCPServiceWithoutMatches(t *testing.T) {
	c, cs := baseConfig(t)
	svc := &c.Spec.Services[0]
	svc.Protocol, svc.HTTP, svc.Ingress = ProtocolTCP, nil, nil
	if es := Validate(c, cs); es != nil {
		t.Errorf("tcp without matches: %v", es)
	}
	svc.HTTP = []HTTPMatch{{Prefix: "/"}}
	wantError(t, Validate(c, cs), "spec.services[0].http", "a tcp service has no URI matches")
}

// TestExternalSecretCredentialsLocated: in mode externalSecret, credentials given anyway are
// reported in their own file without the Secret's name in front; without a file (KRM mode)
// the message names the Secret.
func TestExternalSecretCredentialsLocated(t *testing.T) {
	const msg = `credentials for cluster "a", but spec.remoteSecrets.mode externalSecret reads none`
	for _, tt := range []struct {
		cred       Credential
		file, want string
	}{
		{Credential{Cluster: "a", Token: "x", Source: "creds.yaml", File: "creds.yaml", Line: 5}, "creds.yaml", msg},
		{Credential{Cluster: "a", Token: "x", Source: "Secret r"}, "", "Secret r: " + msg},
	} {
		es := Validate(externalSecretConfig(t), Credentials{"a": tt.cred})
		if len(es) != 1 || es[0].File != tt.file || !strings.HasPrefix(es[0].Msg, tt.want) {
			t.Errorf("credentials from %q: %+v", tt.cred.Source, es)
		}
	}
}

// hostOf is a DNS name of n bytes (n > 192) in labels of at most 63.
func hostOf(n int) string {
	h := strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "."
	return h + strings.Repeat("d", n-len(h))
}
