package api

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

const base = `
apiVersion: meshgen.dev/v1alpha1
kind: MeshConfig
metadata: {name: m}
spec:
  istio: {version: 1.12.0}
  rancher: {project: istio}
  clusters:
  - {name: a, network: na, rancherClusterID: c-a, apiServer: "https://a.example.com/k8s", apiServerCA: system, ingressAddress: 192.0.2.1}
  - {name: b, network: nb, rancherClusterID: c-b, apiServer: "https://b.example.com:6443", apiServerCA: system, ingressAddress: 192.0.2.2}
  namespaces: [{name: app}]
  issuers:
  - name: le
    acme: {email: ops@example.com, server: "https://acme.example.com/dir", dns01Webhook: {groupName: acme.example.com, solverName: s}}
  services:
  - name: web
    namespace: app
    port: 8080
    versions:
    - {name: v1, weight: 40, clusters: [a]}
    - {name: v2, weight: 60, clusters: [b]}
    http: [{exact: /hello}]
    ingress: {hosts: [web.example.com], tls: {issuer: le}}
`

func baseConfig(t *testing.T) (*MeshConfig, Credentials) {
	t.Helper()
	c, es := decodeString(t, base)
	if es != nil {
		t.Fatal(es)
	}
	Default(c)
	return c, Credentials{"a": {Cluster: "a", Token: "x"}, "b": {Cluster: "b", Token: "y"}}
}

func TestValidateBase(t *testing.T) {
	c, cs := baseConfig(t)
	if es := Validate(c, cs); es != nil {
		t.Fatalf("the base config must be valid: %v", es)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*MeshConfig, Credentials)
		path   string
		msg    string
	}{
		{"apiVersion", func(c *MeshConfig, _ Credentials) { c.APIVersion = "v1" }, "apiVersion", "must be"},
		{"kind", func(c *MeshConfig, _ Credentials) { c.Kind = "Mesh" }, "kind", "must be"},
		{"name required", func(c *MeshConfig, _ Credentials) { c.Metadata.Name = "" }, "metadata.name", "required"},
		{"name not DNS", func(c *MeshConfig, _ Credentials) { c.Metadata.Name = "My_Mesh" }, "metadata.name", "DNS label"},
		{"meshID", func(c *MeshConfig, _ Credentials) { c.Spec.MeshID = "a b" }, "spec.meshID", "label value"},
		{"version required", func(c *MeshConfig, _ Credentials) { c.Spec.Istio.Version = "" }, "spec.istio.version", "required"},
		{"version not semver", func(c *MeshConfig, _ Credentials) { c.Spec.Istio.Version = "1.12" }, "spec.istio.version", "release like"},
		{"version too old", func(c *MeshConfig, _ Credentials) { c.Spec.Istio.Version = "1.11.4" }, "spec.istio.version", "1.12 or newer"},
		{"hub", func(c *MeshConfig, _ Credentials) { c.Spec.Istio.Hub = "Docker Hub" }, "spec.istio.hub", "image repository"},
		{"profile", func(c *MeshConfig, _ Credentials) { c.Spec.Istio.Profile = "demoo" }, "spec.istio.profile", "one of"},
		{"revision", func(c *MeshConfig, _ Credentials) { c.Spec.Istio.Revision = "1.24" }, "spec.istio.revision", "DNS label"},
		{"installer unknown", func(c *MeshConfig, _ Credentials) { c.Spec.Istio.Installer = "kubectl" }, "spec.istio.installer", "one of"},
		{"operator on 1.24", func(c *MeshConfig, _ Credentials) {
			c.Spec.Istio.Version, c.Spec.Istio.Installer = "1.24.0", InstallerOperator
		}, "spec.istio.installer", "removed in 1.24.0"},
		{"sail on 1.31", func(c *MeshConfig, _ Credentials) {
			c.Spec.Istio.Version, c.Spec.Istio.Installer = "1.31.0", InstallerSail
		}, "spec.istio.version", "the newest, Sail 1.30.3, installs 1.28.0 to 1.30.3"},
		{"sail gap", func(c *MeshConfig, _ Credentials) {
			c.Spec.Istio.Version, c.Spec.Istio.Installer = "1.23.1", InstallerSail
		}, "spec.istio.version", "of 1.23, Sail 1.25.2 installs 1.23.2 to 1.23.5"},
		{"sail profile", func(c *MeshConfig, _ Credentials) {
			c.Spec.Istio.Version, c.Spec.Istio.Installer, c.Spec.Istio.Profile = "1.30.3", InstallerSail, "minimal"
		}, "spec.istio.profile", "the Sail operator knows the profiles"},
		{"cp namespace", func(c *MeshConfig, _ Credentials) { c.Spec.ControlPlane.Namespace = "Istio" }, "spec.controlPlane.namespace", "DNS label"},
		{"node selector", func(c *MeshConfig, _ Credentials) {
			c.Spec.ControlPlane.NodeSelector = map[string]string{"role": "in gress"}
		}, "spec.controlPlane.nodeSelector.role", "label value"},
		{"limit range", func(c *MeshConfig, _ Credentials) {
			c.Spec.ControlPlane.LimitRange = &LimitRange{Default: Resources{CPU: "lots"}}
		}, "spec.controlPlane.limitRange.default.cpu", "quantity"},
		{"limit range below istiod", func(c *MeshConfig, _ Credentials) {
			c.Spec.ControlPlane.LimitRange = &LimitRange{Default: Resources{CPU: "100m", Memory: "100Mi"}, DefaultRequest: Resources{CPU: "10m", Memory: "10Mi"}}
		}, "spec.controlPlane.limitRange.default.cpu", "below what istiod requests with profile default (500m)"},
		{"limit range below istiod memory", func(c *MeshConfig, _ Credentials) {
			c.Spec.ControlPlane.LimitRange = &LimitRange{Default: Resources{Memory: "1Gi"}}
		}, "spec.controlPlane.limitRange.default.memory", "(2048Mi)"},
		{"limit range below the CNI agent", func(c *MeshConfig, _ Credentials) {
			c.Spec.Istio.Profile, c.Spec.Istio.CNI = "demo", true
			c.Spec.ControlPlane.LimitRange = &LimitRange{Default: Resources{CPU: "5m"}}
		}, "spec.controlPlane.limitRange.default.cpu", "istio-cni-node requests with profile demo (10m)"},
		{"limit range request above limit", func(c *MeshConfig, _ Credentials) {
			c.Spec.ControlPlane.LimitRange = &LimitRange{Default: Resources{CPU: "4"}, DefaultRequest: Resources{CPU: "5"}}
		}, "spec.controlPlane.limitRange.defaultRequest.cpu", "above the default limit"},
		{"rancher container limit below istiod", func(c *MeshConfig, _ Credentials) {
			c.Spec.Rancher.ContainerDefaultResourceLimit = &ContainerLimit{LimitsCPU: "200m", LimitsMemory: "128Mi", RequestsCPU: "100m", RequestsMemory: "64Mi"}
		}, "spec.rancher.containerDefaultResourceLimit.limitsMemory", "below what istiod requests with profile default (2048Mi)"},
		{"rancher container request above limit", func(c *MeshConfig, _ Credentials) {
			c.Spec.Rancher.ContainerDefaultResourceLimit = &ContainerLimit{LimitsCPU: "4", RequestsCPU: "5"}
		}, "spec.rancher.containerDefaultResourceLimit.requestsCpu", "above the default limit"},
		{"no clusters", func(c *MeshConfig, _ Credentials) { c.Spec.Clusters = nil }, "spec.clusters", "at least one"},
		{"cluster name", func(c *MeshConfig, _ Credentials) { c.Spec.Clusters[1].Name = "B" }, "spec.clusters[1].name", "DNS label"},
		{"cluster reserved", func(c *MeshConfig, cs Credentials) {
			c.Spec.Clusters[1].Name = "rancher"
			cs["rancher"] = cs["b"]
			delete(cs, "b")
			c.Spec.Services[0].Versions[1].Clusters = []string{"rancher"}
		}, "spec.clusters[1].name", "reserved"},
		{"duplicate cluster", func(c *MeshConfig, _ Credentials) { c.Spec.Clusters[1].Name = "a" }, "spec.clusters[1].name", `duplicate cluster "a"`},
		{"network required", func(c *MeshConfig, _ Credentials) { c.Spec.Clusters[0].Network = "" }, "spec.clusters[0].network", "required"},
		{"shared network without pod ranges", func(c *MeshConfig, _ Credentials) { c.Spec.Clusters[1].Network = "na" }, "spec.clusters[1].podCIDRs", `required: the cluster shares network "na" with "a"`},
		{"shared network, one side without pod ranges", func(c *MeshConfig, _ Credentials) {
			c.Spec.Clusters[1].Network = "na"
			c.Spec.Clusters[1].PodCIDRs = []string{"10.2.0.0/16"}
		}, "spec.clusters[0].podCIDRs", `required: the cluster shares network "na" with "b"`},
		{"pod range not a CIDR", func(c *MeshConfig, _ Credentials) { c.Spec.Clusters[0].PodCIDRs = []string{"10.1.0.0"} }, "spec.clusters[0].podCIDRs[0]", "CIDR notation"},
		{"pod range with host bits", func(c *MeshConfig, _ Credentials) { c.Spec.Clusters[0].PodCIDRs = []string{"10.1.2.3/16"} }, "spec.clusters[0].podCIDRs[0]", "CIDR notation"},
		{"pod ranges overlap on one network", func(c *MeshConfig, _ Credentials) {
			c.Spec.Clusters[1].Network = "na"
			c.Spec.Clusters[0].PodCIDRs = []string{"10.1.0.0/16"}
			c.Spec.Clusters[1].PodCIDRs = []string{"10.0.0.0/8"}
		}, "spec.clusters[1].podCIDRs[0]", `overlaps spec.clusters[0].podCIDRs[0] (10.1.0.0/16) of cluster "a" on the same network "na"`},
		{"pod ranges overlap within a cluster", func(c *MeshConfig, _ Credentials) {
			c.Spec.Clusters[0].PodCIDRs = []string{"10.1.0.0/16", "10.1.2.0/24"}
		}, "spec.clusters[0].podCIDRs[1]", "overlaps spec.clusters[0].podCIDRs[0]"},
		{"apiServer required", func(c *MeshConfig, _ Credentials) { c.Spec.Clusters[0].APIServer = "" }, "spec.clusters[0].apiServer", "required"},
		{"apiServer http", func(c *MeshConfig, _ Credentials) { c.Spec.Clusters[0].APIServer = "http://a" }, "spec.clusters[0].apiServer", "https:// URL"},
		{"apiServer port", func(c *MeshConfig, _ Credentials) { c.Spec.Clusters[0].APIServer = "https://a:99999" }, "spec.clusters[0].apiServer", "port"},
		{"duplicate apiServer", func(c *MeshConfig, _ Credentials) { c.Spec.Clusters[1].APIServer = c.Spec.Clusters[0].APIServer }, "spec.clusters[1].apiServer", "duplicate"},
		{"ingress address", func(c *MeshConfig, _ Credentials) { c.Spec.Clusters[0].IngressAddress = "80.158.54" }, "spec.clusters[0].ingressAddress", "IP address or a load balancer's DNS name"},
		{"rancher id required", func(c *MeshConfig, _ Credentials) { c.Spec.Clusters[0].RancherClusterID = "" }, "spec.clusters[0].rancherClusterID", "required"},
		{"rancher id duplicate", func(c *MeshConfig, _ Credentials) { c.Spec.Clusters[1].RancherClusterID = "c-a" }, "spec.clusters[1].rancherClusterID", "duplicate"},
		{"rancher id without rancher", func(c *MeshConfig, _ Credentials) { c.Spec.Rancher = nil }, "spec.clusters[0].rancherClusterID", "spec.rancher is not"},
		{"rancher project", func(c *MeshConfig, _ Credentials) { c.Spec.Rancher.Project = "" }, "spec.rancher.project", "required"},
		{"rancher quota", func(c *MeshConfig, _ Credentials) {
			c.Spec.Rancher.ResourceQuota = &QuotaLimit{LimitsCPU: "12 cores"}
		}, "spec.rancher.resourceQuota.limitsCpu", "quantity"},
		{"remote secrets mode", func(c *MeshConfig, _ Credentials) { c.Spec.RemoteSecrets.Mode = "istioctl" }, "spec.remoteSecrets.mode", "one of"},
		{"trust mode", func(c *MeshConfig, _ Credentials) { c.Spec.Trust.Mode = "plugin" }, "spec.trust.mode", "one of"},
		{"api server port", func(c *MeshConfig, _ Credentials) { c.Spec.NetworkPolicies.APIServerPorts = []int{0} }, "spec.networkPolicies.apiServerPorts[0]", "port"},
		{"dns cluster", func(c *MeshConfig, _ Credentials) { c.Spec.DNS.EndpointCluster = "z" }, "spec.dns.endpointCluster", `unknown cluster "z"`},
		{"dns hostname beside addresses", func(c *MeshConfig, _ Credentials) {
			c.Spec.DNS.EndpointCluster = "a"
			c.Spec.Clusters[1].IngressAddress = "lb-1234.elb.example.com"
		}, "spec.clusters[1].ingressAddress", "a CNAME stands alone"},
		{"ingress address wildcard", func(c *MeshConfig, _ Credentials) { c.Spec.Clusters[0].IngressAddress = "*.example.com" }, "spec.clusters[0].ingressAddress", "DNS name"},
		{"dns annotation prefix", func(c *MeshConfig, _ Credentials) { c.Spec.DNS.AnnotationPrefix = "external-dns.io/" }, "spec.dns.annotationPrefix", "one of"},
		{"namespace name", func(c *MeshConfig, _ Credentials) { c.Spec.Namespaces[0].Name = "App" }, "spec.namespaces[0].name", "DNS label"},
		{"namespace control plane", func(c *MeshConfig, _ Credentials) {
			c.Spec.Namespaces = append(c.Spec.Namespaces, Namespace{Name: "istio-system"})
		}, "spec.namespaces[1].name", "control-plane namespace"},
		{"duplicate namespace", func(c *MeshConfig, _ Credentials) {
			c.Spec.Namespaces = append(c.Spec.Namespaces, Namespace{Name: "app"})
		}, "spec.namespaces[1].name", "duplicate"},
		{"namespace label", func(c *MeshConfig, _ Credentials) { c.Spec.Namespaces[0].Labels = map[string]string{"-x": "y"} }, "spec.namespaces[0].labels", "invalid label key"},
		{"issuer name", func(c *MeshConfig, _ Credentials) { c.Spec.Issuers[0].Name = "LE" }, "spec.issuers[0].name", "DNS subdomain"},
		{"issuer duplicate", func(c *MeshConfig, _ Credentials) { c.Spec.Issuers = append(c.Spec.Issuers, c.Spec.Issuers[0]) }, "spec.issuers[1].name", "duplicate"},
		{"issuer acme", func(c *MeshConfig, _ Credentials) { c.Spec.Issuers[0].ACME = nil }, "spec.issuers[0].acme", "required"},
		{"issuer email", func(c *MeshConfig, _ Credentials) { c.Spec.Issuers[0].ACME.Email = "ops" }, "spec.issuers[0].acme.email", "e-mail"},
		{"issuer server", func(c *MeshConfig, _ Credentials) { c.Spec.Issuers[0].ACME.Server = "acme.example.com" }, "spec.issuers[0].acme.server", "https:// URL"},
		{"issuer without dns01", func(c *MeshConfig, _ Credentials) { c.Spec.Issuers[0].ACME.DNS01Webhook = nil }, "spec.issuers[0].acme.dns01Webhook", "http-01"},
		{"issuer group", func(c *MeshConfig, _ Credentials) { c.Spec.Issuers[0].ACME.DNS01Webhook.GroupName = "" }, "spec.issuers[0].acme.dns01Webhook.groupName", "required"},
		{"issuer solver", func(c *MeshConfig, _ Credentials) { c.Spec.Issuers[0].ACME.DNS01Webhook.SolverName = "" }, "spec.issuers[0].acme.dns01Webhook.solverName", "required"},
		{"service name", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].Name = "Web" }, "spec.services[0].name", "DNS label"},
		{"service namespace unlisted", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].Namespace = "other" }, "spec.services[0].namespace", "not listed"},
		{"service duplicate", func(c *MeshConfig, _ Credentials) {
			s := c.Spec.Services[0]
			s.Ingress = nil
			c.Spec.Services = append(c.Spec.Services, s)
		}, "spec.services[1].name", "duplicate service"},
		{"port zero", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].Port = 0 }, "spec.services[0].port", "between 1 and 65535"},
		{"port negative", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].Port = -1 }, "spec.services[0].port", "between 1 and 65535"},
		{"port too big", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].Port = 70000 }, "spec.services[0].port", "between 1 and 65535"},
		{"protocol", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].Protocol = "udp" }, "spec.services[0].protocol", "one of"},
		{"tcp with matches", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].Protocol = "tcp" }, "spec.services[0].http", "no URI matches"},
		{"tcp with ingress", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].Protocol = "tcp" }, "spec.services[0].ingress", "cannot be exposed"},
		{"monitoring namespace", func(c *MeshConfig, _ Credentials) { c.Spec.NetworkPolicies.MonitoringNamespace = "Mon" }, "spec.networkPolicies.monitoringNamespace", "DNS label"},
		{"no versions", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].Versions = nil }, "spec.services[0].versions", "at least one"},
		{"weights sum", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].Versions[0].Weight = 50 }, "spec.services[0].versions", "add up to 100, got 110"},
		{"weight range", func(c *MeshConfig, _ Credentials) {
			c.Spec.Services[0].Versions[0].Weight = -10
			c.Spec.Services[0].Versions[1].Weight = 110
		}, "spec.services[0].versions[0].weight", "between 0 and 100"},
		{"version name", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].Versions[0].Name = "V1" }, "spec.services[0].versions[0].name", "DNS label"},
		{"version duplicate", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].Versions[1].Name = "v1" }, "spec.services[0].versions[1].name", "duplicate version"},
		{"version without clusters", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].Versions[0].Clusters = nil }, "spec.services[0].versions[0].clusters", "at least one cluster"},
		{"version unknown cluster", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].Versions[0].Clusters = []string{"z"} }, "spec.services[0].versions[0].clusters[0]", `unknown cluster "z"`},
		{"version duplicate cluster", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].Versions[0].Clusters = []string{"a", "a"} }, "spec.services[0].versions[0].clusters[1]", "duplicate"},
		{"match none", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].HTTP = []HTTPMatch{{}} }, "spec.services[0].http[0]", "exactly one"},
		{"match two", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].HTTP = []HTTPMatch{{Exact: "/a", Prefix: "/b"}} }, "spec.services[0].http[0]", "exactly one"},
		{"match exact", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].HTTP = []HTTPMatch{{Exact: "hello"}} }, "spec.services[0].http[0].exact", "start with /"},
		{"match prefix", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].HTTP = []HTTPMatch{{Prefix: "hello"}} }, "spec.services[0].http[0].prefix", "start with /"},
		{"match regex", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].HTTP = []HTTPMatch{{Regex: "(a"}} }, "spec.services[0].http[0].regex", "RE2"},
		{"ingress no hosts", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].Ingress.Hosts = nil }, "spec.services[0].ingress.hosts", "at least one host"},
		{"ingress host", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].Ingress.Hosts = []string{"web"} }, "spec.services[0].ingress.hosts[0]", "fully qualified"},
		{"ingress host shared", func(c *MeshConfig, _ Credentials) {
			c.Spec.Services = append(c.Spec.Services, Service{Name: "api", Namespace: "app", Port: 80, Protocol: "http",
				Versions: []Version{{Name: "v1", Weight: 100, Clusters: []string{"a"}}}, Ingress: &Ingress{Hosts: []string{"web.example.com"}}})
		}, "spec.services[1].ingress.hosts[0]", "already served by app/web"},
		{"ingress issuer", func(c *MeshConfig, _ Credentials) { c.Spec.Services[0].Ingress.TLS.Issuer = "zz" }, "spec.services[0].ingress.tls.issuer", `unknown issuer "zz"`},
		{"mtls mode", func(c *MeshConfig, _ Credentials) { c.Spec.Security.MTLS = "STRICT" }, "spec.security.mtls", "one of"},
		{"pod security level", func(c *MeshConfig, _ Credentials) { c.Spec.Security.PodSecurity = "strict" }, "spec.security.podSecurity", "one of"},
		{"restricted without cni", func(c *MeshConfig, _ Credentials) { c.Spec.Security.PodSecurity = "restricted" }, "spec.security.podSecurity", "NET_ADMIN and NET_RAW"},
		{"baseline without cni", func(c *MeshConfig, _ Credentials) { c.Spec.Security.PodSecurity = "baseline" }, "spec.security.podSecurity", "needs spec.istio.cni: true"},
		{"credentials missing", func(c *MeshConfig, cs Credentials) { delete(cs, "b") }, "spec.clusters[1]", `no credentials for cluster "b"`},
		{"ca required", func(c *MeshConfig, _ Credentials) { c.Spec.Clusters[1].APIServerCA = "" }, "spec.clusters[1].apiServerCA", "required: the other clusters' istiod"},
		{"ca not PEM", func(c *MeshConfig, _ Credentials) { c.Spec.Clusters[0].APIServerCA = "my-ca" }, "spec.clusters[0].apiServerCA", "no PEM block"},
		{"ca not a certificate", func(c *MeshConfig, _ Credentials) {
			c.Spec.Clusters[0].APIServerCA = "-----BEGIN CERTIFICATE-----\nRkFLRSBDQQ==\n-----END CERTIFICATE-----\n"
		}, "spec.clusters[0].apiServerCA", "certificate 1:"},
		{"ca a key", func(c *MeshConfig, _ Credentials) {
			c.Spec.Clusters[0].APIServerCA = "-----BEGIN PRIVATE KEY-----\nRkFLRSBDQQ==\n-----END PRIVATE KEY-----\n"
		}, "spec.clusters[0].apiServerCA", `"PRIVATE KEY", not a CERTIFICATE`},
		{"ca in both places", func(c *MeshConfig, cs Credentials) {
			cs["b"] = Credential{Cluster: "b", Source: "creds.yaml", Token: "y", CA: []byte(testCA)}
		}, "spec.clusters[1].apiServerCA", "keep one of them"},
		{"credentials unknown cluster", func(c *MeshConfig, cs Credentials) {
			cs["z"] = Credential{Cluster: "z", Source: "creds.yaml", File: "creds.yaml", Token: "t"}
		}, "metadata.annotations.meshgen.dev/credentials-for", `credentials for unknown cluster "z"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, cs := baseConfig(t)
			tt.mutate(c, cs)
			wantError(t, Validate(c, cs), tt.path, tt.msg)
		})
	}
}

// rejection is a row of a validation table: a change to a valid MeshConfig and the error it
// must give, at path with msg in its message.
type rejection struct {
	name   string
	mutate func(*MeshConfig)
	path   string
	msg    string
}

// wantRejections runs each row as a subtest on a fresh valid MeshConfig from fixture.
func wantRejections(t *testing.T, fixture func(*testing.T) (*MeshConfig, Credentials), rows []rejection) {
	t.Helper()
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			c, cs := fixture(t)
			r.mutate(c)
			wantError(t, Validate(c, cs), r.path, r.msg)
		})
	}
}

// wantError fails unless es has an error at path whose message contains msg.
func wantError(t *testing.T, es Errors, path, msg string) {
	t.Helper()
	for _, e := range es {
		if e.Path == path && strings.Contains(e.Msg, msg) {
			return
		}
	}
	t.Errorf("want an error at %s containing %q, got %v", path, msg, es)
}

// TestValidateSharedNetwork: clusters may share a network, given their pod ranges (or no
// NetworkPolicies); clusters on different networks may reuse pod ranges, as they never see
// each other's pods.
func TestValidateSharedNetwork(t *testing.T) {
	c, cs := baseConfig(t)
	c.Spec.Clusters[1].Network = "na"
	c.Spec.Clusters[0].PodCIDRs = []string{"10.1.0.0/16"}
	c.Spec.Clusters[1].PodCIDRs = []string{"10.2.0.0/16", "fd00:2::/64"}
	if es := Validate(c, cs); es != nil {
		t.Errorf("two clusters on one network with their pod ranges: %v", es)
	}
	c, cs = baseConfig(t)
	c.Spec.Clusters[1].Network = "na"
	off := false
	c.Spec.NetworkPolicies.Enabled = &off
	if es := Validate(c, cs); es != nil {
		t.Errorf("two clusters on one network without NetworkPolicies need no pod ranges: %v", es)
	}
	c, cs = baseConfig(t)
	c.Spec.Clusters[0].PodCIDRs = []string{"10.1.0.0/16"}
	c.Spec.Clusters[1].PodCIDRs = []string{"10.1.0.0/16"}
	if es := Validate(c, cs); es != nil {
		t.Errorf("the same pod range on two networks: %v", es)
	}
}

func TestValidateNoneModeNeedsNoCredentials(t *testing.T) {
	c, _ := baseConfig(t)
	c.Spec.RemoteSecrets.Mode = RemoteSecretsNone
	c.Spec.Clusters[0].APIServer = ""
	if es := Validate(c, nil); es != nil {
		t.Fatalf("remoteSecrets.mode none needs neither credentials nor apiServer: %v", es)
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name, in, path, msg string
		line                int
	}{
		{"unknown top-level", "apiVersion: x\nspecs: {}\n", "specs", "unknown field", 2},
		{"unknown nested", "spec:\n  istio:\n    versoin: 1.2.3\n", "spec.istio.versoin", "unknown field", 3},
		{"unknown in list", "spec:\n  clusters:\n  - name: a\n    netwrk: b\n", "spec.clusters[0].netwrk", "unknown field", 4},
		{"list as string", "spec:\n  clusters: a\n", "spec.clusters", "expected a list", 2},
		{"string as map", "metadata:\n  name: {a: b}\n", "metadata.name", "expected a string", 2},
		{"float port", "spec:\n  services:\n  - port: 50.5\n", "spec.services[0].port", "expected an integer, got number 50.5", 3},
		{"string weight", "spec:\n  services:\n  - versions:\n    - weight: ten\n", "spec.services[0].versions[0].weight", "expected an integer", 4},
		{"duplicate key", "spec:\n  meshID: a\n  meshID: b\n", "spec.meshID", "duplicate field", 3},
		{"duplicate map key", "spec:\n  controlPlane:\n    nodeSelector: {a: b, a: c}\n", "spec.controlPlane.nodeSelector.a", "duplicate key", 3},
		{"bool as string", "spec:\n  networkPolicies: {enabled: yes-please}\n", "spec.networkPolicies.enabled", "expected true or false", 2},
		{"tagged non-bool", "spec:\n  networkPolicies: {enabled: !!bool maybe}\n", "spec.networkPolicies.enabled", "expected true or false", 2},
		{"merge of a string", "x: &x a\nspec:\n  <<: *x\n", "spec.<<", "a merge takes a mapping", 1},
		{"merged unknown field", "x: &x {netwrk: a}\nspec:\n  clusters:\n  - <<: *x\n", "spec.clusters[0].netwrk", "unknown field", 1},
		{"duplicate beside a merge", "x: &x {name: a}\nspec:\n  clusters:\n  - <<: *x\n    name: b\n    name: c\n", "spec.clusters[0].name", "duplicate field", 6},
		{"quoted << is a field", "spec:\n  \"<<\": {}\n", "spec.<<", "unknown field", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := yaml.Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			_, _, es := Decode(n.YNode())
			for _, e := range es {
				if e.Path == tt.path && strings.Contains(e.Msg, tt.msg) && e.Line == tt.line {
					return
				}
			}
			t.Errorf("want an error at %s line %d containing %q, got %v", tt.path, tt.line, tt.msg, es)
		})
	}
}

// TestDecodeMerge: YAML merge keys work as their definition says: the mapping's own keys win,
// then the first of several merged mappings, and merges nest.
func TestDecodeMerge(t *testing.T) {
	in := `
spec:
  clusters:
  - &base {name: base, network: net-base, apiServer: "https://base:6443"}
  - <<: *base
    name: a
  - &other {name: other, rancherClusterID: c-other, ingressAddress: 192.0.2.1}
  - <<: [*other, *base]
  - &nested {<<: *base, network: net-nested}
  - <<: *nested
    name: n
  controlPlane:
    nodeSelector: {<<: {zone: a, role: mesh}, zone: b}
`
	n, err := yaml.Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	c, _, es := Decode(n.YNode())
	if es != nil {
		t.Fatal(es)
	}
	base := Cluster{Name: "base", Network: "net-base", APIServer: "https://base:6443"}
	other := Cluster{Name: "other", RancherClusterID: "c-other", IngressAddress: "192.0.2.1"}
	both := Cluster{Name: "other", Network: "net-base", APIServer: "https://base:6443", RancherClusterID: "c-other", IngressAddress: "192.0.2.1"}
	want := []Cluster{
		base,
		{Name: "a", Network: "net-base", APIServer: "https://base:6443"},
		other,
		both,
		{Name: "base", Network: "net-nested", APIServer: "https://base:6443"},
		{Name: "n", Network: "net-nested", APIServer: "https://base:6443"},
	}
	if !reflect.DeepEqual(c.Spec.Clusters, want) {
		t.Errorf("clusters\n%+v\nwant\n%+v", c.Spec.Clusters, want)
	}
	if sel := c.Spec.ControlPlane.NodeSelector; sel["zone"] != "b" || sel["role"] != "mesh" || len(sel) != 2 {
		t.Errorf("nodeSelector %v, want zone b (its own) and role mesh (merged)", sel)
	}
}

// TestDecodeMergeBomb: merges that multiply (each level merging the last ten times) count
// against the node budget like aliases, and fail with an error, not with a truncated config.
func TestDecodeMergeBomb(t *testing.T) {
	in := "l0: &l0 {name: a, network: b}\n"
	for i := 1; i <= 8; i++ {
		in += fmt.Sprintf("l%d: &l%d {<<: [%s]}\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	in += "spec:\n  clusters:\n  - <<: *l8\n"
	n, err := yaml.Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	_, _, es := Decode(n.YNode())
	if es == nil || !strings.Contains(es.Error(), "too complex") {
		t.Fatalf("want the node budget to stop the merge, got %v", es)
	}
}

// TestDecodeAliasBomb: a billion-laughs document only expands where its shape fits the
// schema, and the schema has no recursion, so the bomb is refused as the wrong type.
func TestDecodeAliasBomb(t *testing.T) {
	in := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for _, l := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		in += l + ": &" + l + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n"
		prev = l
	}
	in = "spec:\n  bomb:\n" + indent(in) + "  clusters: [*i]\n"
	n, err := yaml.Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	_, _, es := Decode(n.YNode())
	if es == nil || !strings.Contains(es.Error(), "spec.clusters[0]: expected a mapping, got a list") {
		t.Fatalf("want the bomb refused by type, got %v", es)
	}
}

// TestDecodeNodeBudget: aliases that do fit the schema are counted, so a document cannot make
// the decoder visit more than maxNodes nodes.
func TestDecodeNodeBudget(t *testing.T) {
	in := "x: &x {name: a, network: b}\nspec:\n  clusters: [" + strings.Repeat("*x, ", maxNodes/3) + "*x]\n"
	n, err := yaml.Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	_, _, es := Decode(n.YNode())
	if es == nil || !strings.Contains(es.Error(), "too complex") {
		t.Fatalf("want the node budget to stop decoding, got %d errors", len(es))
	}
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n    ") + "\n"
}

// testCA is a self-signed certificate made for the tests.
const testCA = `-----BEGIN CERTIFICATE-----
MIIB4DCCAYWgAwIBAgIUHi69j/LgrbD3NTJXEnKOZQpj0h4wCgYIKoZIzj0EAwIw
RDFCMEAGA1UEAww5RkFLRSB3YXcgQVBJIHNlcnZlciBDQSAtIGV4YW1wbGUgb25s
eSwgdHJ1c3RlZCBieSBub3RoaW5nMCAXDTI2MTEzMDE0NTYzNloYDzIxMjYxMTA2
MTQ1NjM2WjBEMUIwQAYDVQQDDDlGQUtFIHdhdyBBUEkgc2VydmVyIENBIC0gZXhh
bXBsZSBvbmx5LCB0cnVzdGVkIGJ5IG5vdGhpbmcwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASI8sJLZGkCSLUlyEVS2umZtpg0OFw6qpSdpVPYAp2tPS/Tf67fpR9c
GfS5khVXCmuVP24RXNlnwdM5kYfqWMJJo1MwUTAdBgNVHQ4EFgQUwyLvGIu3BKJv
d2gmTornTfJP4IUwHwYDVR0jBBgwFoAUwyLvGIu3BKJvd2gmTornTfJP4IUwDwYD
VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEA/6KlbTDb/iRLofFxr4Xq
95TtiSiEMNWJ2XPApfSUSGICIQDKoActhFITlJqyJtjK6dYIdbKrhbhVNRxOM/pu
sn2z7A==
-----END CERTIFICATE-----
`

// TestValidateCAFromCredentials: a cluster without apiServerCA is valid with a ca.crt in its
// credentials, and with apiServerCA a PEM bundle.
func TestValidateCAFromCredentials(t *testing.T) {
	c, cs := baseConfig(t)
	c.Spec.Clusters[0].APIServerCA = ""
	cs["a"] = Credential{Cluster: "a", Token: "x", CA: []byte(testCA)}
	c.Spec.Clusters[1].APIServerCA = testCA + testCA
	if es := Validate(c, cs); es != nil {
		t.Fatal(es)
	}
}

// TestWarnRancherProxy: an apiServer behind Rancher's proxy warns once, naming the first such
// cluster and how many more there are; a direct API server does not.
func TestWarnRancherProxy(t *testing.T) {
	c, _ := baseConfig(t)
	c.Spec.Clusters[0].APIServer = "https://rancher.example.com/k8s/clusters/c-a"
	c.Spec.Clusters[1].APIServer = "https://rancher.example.com/k8s/clusters/c-b"
	ws := Warnings(c)
	if len(ws) != 1 || ws[0].Path != "spec.clusters[0].apiServer" || !strings.Contains(ws[0].Msg, "(as are 1 more clusters' apiServer)") || !strings.Contains(ws[0].Msg, "expire") {
		t.Errorf("warnings: %v", ws)
	}
	c.Spec.Clusters[0].APIServer = "https://a.example.com:6443"
	c.Spec.Clusters[1].APIServer = "https://b.example.com:6443/k8s"
	if ws := Warnings(c); ws != nil {
		t.Errorf("direct API servers: %v", ws)
	}
}

// TestDefaultDNSOwner: with more than one cluster with an ingress address, the first is the
// DNSEndpoint owner unless one is named; with one, there is none (its Gateway's target
// annotation is enough). A hostname alone is valid.
func TestDefaultDNSOwner(t *testing.T) {
	c, cs := baseConfig(t)
	if c.Spec.DNS.EndpointCluster != "a" || c.Spec.DNS.AnnotationPrefix != ExternalDNSAlpha {
		t.Errorf("defaults: %+v", c.Spec.DNS)
	}
	c, _ = baseConfig(t)
	c.Spec.DNS = DNS{}
	c.Spec.Clusters[0].IngressAddress = ""
	c.Spec.Clusters[1].IngressAddress = "lb-1234.elb.example.com"
	Default(c)
	if c.Spec.DNS.EndpointCluster != "" {
		t.Errorf("one addressed cluster: owner %q", c.Spec.DNS.EndpointCluster)
	}
	if es := Validate(c, cs); es != nil {
		t.Errorf("a hostname alone: %v", es)
	}
}

// TestSecurityDefaults: STRICT mTLS; the strictest Pod Security level the sidecars pass,
// privileged without CNI and baseline with it; restricted with CNI is valid.
func TestSecurityDefaults(t *testing.T) {
	c, cs := baseConfig(t)
	if c.Spec.Security != (Security{MTLS: MTLSStrict, PodSecurity: PodSecurityPrivileged}) {
		t.Errorf("without CNI: %+v", c.Spec.Security)
	}
	c.Spec.Security = Security{}
	c.Spec.Istio.CNI = true
	Default(c)
	if c.Spec.Security.PodSecurity != PodSecurityBaseline {
		t.Errorf("with CNI: %+v", c.Spec.Security)
	}
	c.Spec.Security.PodSecurity = PodSecurityRestricted
	if es := Validate(c, cs); es != nil {
		t.Errorf("restricted with CNI: %v", es)
	}
}

// TestLimitRangeFitsProfile: the seed's LimitRange (100m / 100Mi) fits its demo profile, a
// LimitRange without default limits fits every profile, and none matters with profile empty.
func TestLimitRangeFitsProfile(t *testing.T) {
	seed := &LimitRange{Default: Resources{CPU: "100m", Memory: "100Mi"}, DefaultRequest: Resources{CPU: "10m", Memory: "10Mi"}}
	for _, tt := range []struct {
		profile string
		lr      *LimitRange
	}{
		{"demo", seed},
		{"empty", seed},
		{"default", &LimitRange{DefaultRequest: Resources{CPU: "10m", Memory: "10Mi"}}},
		{"default", &LimitRange{Default: Resources{CPU: "1", Memory: "4Gi"}}},
	} {
		c, cs := baseConfig(t)
		c.Spec.Istio.Profile = tt.profile
		c.Spec.ControlPlane.LimitRange = tt.lr
		if es := Validate(c, cs); es != nil {
			t.Errorf("%s %+v: %v", tt.profile, *tt.lr, es)
		}
	}
}

// TestDefaultInstaller: operator below 1.24, helm from 1.24 on; an explicit installer stays.
func TestDefaultInstaller(t *testing.T) {
	for _, tc := range []struct{ version, set, want string }{
		{"1.12.0", "", InstallerOperator},
		{"1.23.6", "", InstallerOperator},
		{"1.24.0", "", InstallerHelm},
		{"1.31.0", "", InstallerHelm},
		{"1.12.0", InstallerIstioctl, InstallerIstioctl},
		{"1.31.0", InstallerIstioctl, InstallerIstioctl},
	} {
		c := &MeshConfig{Spec: Spec{Istio: Istio{Version: tc.version, Installer: tc.set}}}
		Default(c)
		if c.Spec.Istio.Installer != tc.want {
			t.Errorf("version %s, installer %q: defaulted to %q, want %q", tc.version, tc.set, c.Spec.Istio.Installer, tc.want)
		}
	}
}
