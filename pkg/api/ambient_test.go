package api

import (
	"strings"
	"testing"
)

const ambientBase = `
apiVersion: meshgen.dev/v1alpha1
kind: MeshConfig
metadata: {name: m}
spec:
  dataplane: ambient
  istio: {version: 1.29.0}
  remoteSecrets: {mode: none}
  clusters:
  - {name: a, network: na}
  - {name: b, network: nb}
  namespaces: [{name: app}]
  services:
  - name: web
    namespace: app
    port: 8080
    versions:
    - {name: v1, weight: 40, clusters: [a]}
    - {name: v2, weight: 60, clusters: [b]}
    failover: {}
`

func ambientConfig(t *testing.T) *MeshConfig {
	t.Helper()
	c, es := decodeString(t, ambientBase)
	if es != nil {
		t.Fatal(es)
	}
	Default(c)
	return c
}

// TestAmbientDefaults: ambient implies the CNI node agent, the ambient profile, and with them
// the baseline Pod Security level; the default data plane is sidecar.
func TestAmbientDefaults(t *testing.T) {
	c := ambientConfig(t)
	if s := c.Spec; !s.Istio.CNI || s.Istio.Profile != ProfileAmbient || s.Security.PodSecurity != PodSecurityBaseline || s.Istio.Installer != InstallerHelm {
		t.Errorf("ambient defaults: cni %v, profile %q, podSecurity %q, installer %q", s.Istio.CNI, s.Istio.Profile, s.Security.PodSecurity, s.Istio.Installer)
	}
	if es := Validate(c, nil); es != nil {
		t.Fatalf("the ambient base must be valid (1.29.0 is the first release allowed): %v", es)
	}
	s, es := decodeString(t, strings.Replace(ambientBase, "dataplane: ambient", "", 1))
	if es != nil {
		t.Fatal(es)
	}
	Default(s)
	if s.Spec.Dataplane != DataplaneSidecar || s.Spec.Istio.CNI || s.Spec.Istio.Profile != DefaultProfile {
		t.Errorf("sidecar defaults: dataplane %q, cni %v, profile %q", s.Spec.Dataplane, s.Spec.Istio.CNI, s.Spec.Istio.Profile)
	}
}

func TestValidateAmbient(t *testing.T) {
	tests := []rejection{
		{"dataplane unknown", func(c *MeshConfig) { c.Spec.Dataplane = "sidecarless" }, "spec.dataplane", "one of sidecar, ambient"},
		{"1.28 alpha only", func(c *MeshConfig) { c.Spec.Istio.Version = "1.28.9" }, "spec.dataplane", "needs Istio 1.29 or newer"},
		{"1.27 alpha only", func(c *MeshConfig) { c.Spec.Istio.Version = "1.27.0" }, "spec.dataplane", "alpha in 1.27 and 1.28"},
		{"operator", func(c *MeshConfig) { c.Spec.Istio.Installer = InstallerOperator }, "spec.istio.installer", "operator was removed in 1.24, before ambient"},
		{"profile", func(c *MeshConfig) { c.Spec.Istio.Profile = "demo" }, "spec.istio.profile", `must be "ambient"`},
		{"revision", func(c *MeshConfig) { c.Spec.Istio.Revision = "canary" }, "spec.istio.revision", "not supported"},
		{"shared network", func(c *MeshConfig) { c.Spec.Clusters[1].Network = "na" }, "spec.clusters[1].network", "one network per cluster"},
		{"ingress", func(c *MeshConfig) { c.Spec.Services[0].Ingress = &Ingress{Hosts: []string{"web.example.com"}} }, "spec.services[0].ingress", "not supported"},
		{"tcp split", func(c *MeshConfig) { c.Spec.Services[0].Protocol = ProtocolTCP }, "spec.services[0].versions", "TCPRoute"},
		{"service named like the waypoint", func(c *MeshConfig) { c.Spec.Services[0].Name = "waypoint" }, "spec.services[0].name", "name of the waypoint"},
		{"version Service is another service", func(c *MeshConfig) {
			c.Spec.Services = append(c.Spec.Services, Service{Name: "web-v2", Namespace: "app", Port: 80, Protocol: DefaultProtocol, Versions: []Version{{Name: "v1", Weight: 100, Clusters: []string{"a"}}}})
		}, "spec.services[0].versions[1].name", `Service "web-v2", which is already spec.services[1]`},
		{"version Service name too long", func(c *MeshConfig) { c.Spec.Services[0].Versions[1].Name = strings.Repeat("v", 60) }, "spec.services[0].versions[1].name", "longer than 63"},
	}
	wantRejections(t, func(t *testing.T) (*MeshConfig, Credentials) { return ambientConfig(t), nil }, tests)
	// What ambient refuses stays allowed with sidecars: the checks key on spec.dataplane.
	c := ambientConfig(t)
	c.Spec.Dataplane = DataplaneSidecar
	c.Spec.Istio.Version, c.Spec.Istio.Profile, c.Spec.Istio.Revision = "1.28.0", DefaultProfile, "canary"
	c.Spec.Services[0].Protocol = ProtocolTCP
	if es := Validate(c, nil); es != nil {
		t.Errorf("a sidecar mesh with ambient's refusals: %v", es)
	}
	// istioctl installs ambient too (the guide's IstioOperator).
	c = ambientConfig(t)
	c.Spec.Istio.Installer = InstallerIstioctl
	if es := Validate(c, nil); es != nil {
		t.Errorf("ambient with istioctl: %v", es)
	}
	// A tcp service with one weighted version needs no route: ambient allows it.
	c = ambientConfig(t)
	c.Spec.Services[0].Protocol = ProtocolTCP
	c.Spec.Services[0].Versions[0].Weight, c.Spec.Services[0].Versions[1].Weight = 0, 100
	if es := Validate(c, nil); es != nil {
		t.Errorf("ambient tcp service without a split: %v", es)
	}
}
