package api

import (
	"strings"
	"testing"
)

func TestTrustCertManagerVersions(t *testing.T) {
	for _, tc := range []struct {
		version string
		ok      bool
	}{
		{"1.12.0", false},
		{"1.13.9", false},
		{"1.14.1", false},
		// Negative controls: the releases that read cert-manager's layout pass.
		{"1.14.2", true},
		{"1.15.0", true},
		{"1.24.2", true},
		{"1.31.0", true},
	} {
		c, cs := baseConfig(t)
		c.Spec.Istio.Version = tc.version
		c.Spec.Istio.Installer = DefaultInstaller(tc.version)
		c.Spec.Trust.Mode = TrustCertManager
		es := Validate(c, cs)
		if tc.ok {
			if es != nil {
				t.Errorf("%s: %v", tc.version, es)
			}
			continue
		}
		if len(es) != 1 || es[0].Path != "spec.trust.mode" || !strings.Contains(es[0].Msg, "1.14.2 or newer") || !strings.Contains(es[0].Msg, tc.version) {
			t.Errorf("%s: got %v", tc.version, es)
		}
		// The same release with external trust is fine: the check is certManager's alone.
		c.Spec.Trust.Mode = TrustExternal
		if es := Validate(c, cs); es != nil {
			t.Errorf("%s external: %v", tc.version, es)
		}
	}
}

func TestTrustRootIssuerName(t *testing.T) {
	c, cs := baseConfig(t)
	c.Spec.Istio.Version = "1.24.2"
	c.Spec.Istio.Installer = InstallerHelm
	c.Spec.Issuers[0].Name = RootCAName(c)
	c.Spec.Services[0].Ingress.TLS.Issuer = RootCAName(c)
	if es := Validate(c, cs); es != nil {
		t.Fatalf("external trust leaves the name free: %v", es)
	}
	c.Spec.Trust.Mode = TrustCertManager
	es := Validate(c, cs)
	if len(es) != 1 || es[0].Path != "spec.issuers[0].name" || !strings.Contains(es[0].Msg, "m-root-ca") {
		t.Errorf("got %v", es)
	}
}
