// Package api defines the MeshConfig input, its defaults and its checks.
package api

// Group, version and kind of the one input meshgen reads.
const (
	APIVersion = "meshgen.dev/v1alpha1"
	Kind       = "MeshConfig"
)

// MeshConfig describes one multi-primary Istio mesh, on one network or several.
type MeshConfig struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Metadata   Metadata `json:"metadata"`
	Spec       Spec     `json:"spec"`
}

type Metadata struct {
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type Spec struct {
	MeshID          string          `json:"meshID,omitempty"`
	Istio           Istio           `json:"istio"`
	ControlPlane    ControlPlane    `json:"controlPlane,omitempty"`
	Rancher         *Rancher        `json:"rancher,omitempty"`
	Clusters        []Cluster       `json:"clusters"`
	RemoteSecrets   RemoteSecrets   `json:"remoteSecrets,omitempty"`
	Trust           Trust           `json:"trust,omitempty"`
	NetworkPolicies NetworkPolicies `json:"networkPolicies,omitempty"`
	DNS             DNS             `json:"dns,omitempty"`
	Security        Security        `json:"security,omitempty"`
	Namespaces      []Namespace     `json:"namespaces,omitempty"`
	Issuers         []Issuer        `json:"issuers,omitempty"`
	Services        []Service       `json:"services,omitempty"`
	// Dataplane is sidecar or ambient (see ambient.go).
	Dataplane string `json:"dataplane,omitempty"`
	GitOps    GitOps `json:"gitops,omitempty"`
}

type Istio struct {
	// Version is the Istio release; it picks the image tag and the API versions.
	Version  string `json:"version"`
	Hub      string `json:"hub,omitempty"`
	Profile  string `json:"profile,omitempty"`
	Revision string `json:"revision,omitempty"`
	// CNI installs the Istio CNI node agent, so that pods need no istio-init container with
	// NET_ADMIN and NET_RAW.
	CNI bool `json:"cni,omitempty"`
	// Installer is how Istio is installed; one of Installers.
	Installer string `json:"installer,omitempty"`
	// Canary and Tags: a second control plane and revision tags (revisions.go).
	Canary *Canary           `json:"canary,omitempty"`
	Tags   map[string]string `json:"tags,omitempty"`
}

// Installers of spec.istio.installer. gen has one installer for each.
const (
	// InstallerOperator: IstioOperators that the in-cluster Istio operator installs (< 1.24).
	InstallerOperator = "operator"
	// InstallerHelm: the values of the base, istiod and gateway charts, and the helm commands.
	InstallerHelm = "helm"
	// InstallerIstioctl: IstioOperator files for istioctl install, not applied.
	InstallerIstioctl = "istioctl"
	// InstallerSail: sailoperator.io/v1 Istio (and IstioCNI) objects that the Sail operator installs.
	InstallerSail = "sail"
)

var Installers = []string{InstallerHelm, InstallerIstioctl, InstallerOperator, InstallerSail}

// OperatorRemoved is the first Istio release without the in-cluster operator (istioctl
// operator init is gone in 1.24.0); from it on the default installer is helm.
var OperatorRemoved = Semver{1, 24, 0}

// DefaultInstaller is the installer of a release: operator below OperatorRemoved, helm from it.
func DefaultInstaller(version string) string {
	if v, ok := ParseSemver(version); ok && v.Less(OperatorRemoved) {
		return InstallerOperator
	}
	return InstallerHelm
}

type ControlPlane struct {
	Namespace    string            `json:"namespace,omitempty"`
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`
	LimitRange   *LimitRange       `json:"limitRange,omitempty"`
}

type LimitRange struct {
	Default        Resources `json:"default,omitempty"`
	DefaultRequest Resources `json:"defaultRequest,omitempty"`
}

type Resources struct {
	CPU    string `json:"cpu,omitempty"`
	Memory string `json:"memory,omitempty"`
}

type Rancher struct {
	Project                       string          `json:"project"`
	DisplayName                   string          `json:"displayName,omitempty"`
	Description                   string          `json:"description,omitempty"`
	ContainerDefaultResourceLimit *ContainerLimit `json:"containerDefaultResourceLimit,omitempty"`
	NamespaceDefaultResourceQuota *QuotaLimit     `json:"namespaceDefaultResourceQuota,omitempty"`
	ResourceQuota                 *QuotaLimit     `json:"resourceQuota,omitempty"`
}

type ContainerLimit struct {
	LimitsCPU      string `json:"limitsCpu,omitempty"`
	LimitsMemory   string `json:"limitsMemory,omitempty"`
	RequestsCPU    string `json:"requestsCpu,omitempty"`
	RequestsMemory string `json:"requestsMemory,omitempty"`
}

type QuotaLimit struct {
	LimitsCPU    string `json:"limitsCpu,omitempty"`
	LimitsMemory string `json:"limitsMemory,omitempty"`
}

type Cluster struct {
	Name             string `json:"name"`
	Network          string `json:"network"`
	RancherClusterID string `json:"rancherClusterID,omitempty"`
	APIServer        string `json:"apiServer,omitempty"`
	// APIServerCA is what the peers' istiod trust for APIServer: a PEM bundle, or "system" for
	// the system roots. Without it, the ca.crt of the cluster's credentials Secret.
	APIServerCA    string `json:"apiServerCA,omitempty"`
	IngressAddress string `json:"ingressAddress,omitempty"`
	// Region and Zone are the cluster's locality: the values of its nodes'
	// topology.kubernetes.io/region and topology.kubernetes.io/zone labels, which Istio reads.
	Region string `json:"region,omitempty"`
	Zone   string `json:"zone,omitempty"`
	// PodCIDRs are the cluster's pod address ranges. Clusters on one network reach each
	// other's pods directly, and the NetworkPolicies admit the peers' pods by these ranges:
	// required for a cluster that shares its network, when NetworkPolicies are written.
	PodCIDRs []string `json:"podCIDRs,omitempty"`
	// GitOpsCluster is the cluster's name in the GitOps tool (Argo CD, Fleet); its name by default.
	GitOpsCluster string `json:"gitopsCluster,omitempty"`
	// Primary makes the cluster a remote of that cluster (see primary.go).
	Primary string `json:"primary,omitempty"`
	// EastWestAddress is the address of the cluster's east-west gateway, an IP or a hostname:
	// a primary's remotes reach its istiod there.
	EastWestAddress string `json:"eastWestAddress,omitempty"`
}

// APIServerCASystem trusts the API server's certificate through the system roots (a Rancher
// server with a public certificate, for example).
const APIServerCASystem = "system"

// Remote secret modes.
const (
	RemoteSecretsInline = "inline"
	RemoteSecretsNone   = "none"
	// RemoteSecretsExternalSecret has external-secrets carry each cluster's reader token
	// through the user's secret store: no token in the input or the output.
	RemoteSecretsExternalSecret = "externalSecret"
)

type RemoteSecrets struct {
	Mode string `json:"mode,omitempty"`
	// Store is the external-secrets store the reader tokens go through (mode externalSecret).
	Store *SecretStoreRef `json:"store,omitempty"`
	// Key is the store key of a cluster's reader token and CA, a pattern with {cluster}.
	Key string `json:"key,omitempty"`
}

// SecretStoreRef names an external-secrets SecretStore (in the control-plane namespace) or
// ClusterSecretStore.
type SecretStoreRef struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// The kinds of external-secrets store, and the placeholder of the store key.
const (
	ClusterSecretStore = "ClusterSecretStore"
	SecretStore        = "SecretStore"
	ClusterPlaceholder = "{cluster}"
	DefaultStoreKey    = "meshgen/{cluster}/reader"
)

// Trust modes.
const TrustExternal = "external"

type Trust struct {
	Mode string `json:"mode,omitempty"`
}

type NetworkPolicies struct {
	// Enabled defaults to true: Rancher's project network isolation blocks the mesh without them.
	Enabled *bool `json:"enabled,omitempty"`
	// APIServerPorts are the local API server's ports that istiod must reach.
	APIServerPorts []int `json:"apiServerPorts,omitempty"`
	// MonitoringNamespace may scrape the sidecars' and gateways' metrics (15020, 15090).
	MonitoringNamespace string `json:"monitoringNamespace,omitempty"`
}

type DNS struct {
	// EndpointCluster gets one external-dns DNSEndpoint per ingress host with the addresses of
	// all clusters, instead of a target annotation per cluster: external-dns instances in
	// different clusters cannot share one name. It defaults to the first cluster with an
	// ingress address when more than one has one.
	EndpointCluster string `json:"endpointCluster,omitempty"`
	// AnnotationPrefix is the prefix of the external-dns annotations meshgen writes: it must be
	// the one the clusters' external-dns reads (its --annotation-prefix).
	AnnotationPrefix string `json:"annotationPrefix,omitempty"`
}

// The annotation prefixes of external-dns: the default before v0.22, and from v0.22 on, which
// reads only its own unless --annotation-prefix says otherwise.
const (
	ExternalDNSAlpha = "external-dns.alpha.kubernetes.io/"
	ExternalDNSGA    = "external-dns.kubernetes.io/"
)

// Mutual TLS modes of the mesh-wide PeerAuthentication; none writes none.
const (
	MTLSStrict     = "strict"
	MTLSPermissive = "permissive"
	MTLSNone       = "none"
)

// Pod Security Standards levels, for the application namespaces' Pod Security Admission labels.
const (
	PodSecurityPrivileged = "privileged"
	PodSecurityBaseline   = "baseline"
	PodSecurityRestricted = "restricted"
)

type Security struct {
	// MTLS is the mode of the mesh-wide PeerAuthentication in the control-plane namespace.
	MTLS string `json:"mtls,omitempty"`
	// PodSecurity is the Pod Security Standard the application namespaces enforce.
	PodSecurity string `json:"podSecurity,omitempty"`
}

type Namespace struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels,omitempty"`
	// Tag is the revision tag the namespace follows (revisions.go).
	Tag string `json:"tag,omitempty"`
}

type Issuer struct {
	Name string `json:"name"`
	ACME *ACME  `json:"acme,omitempty"`
}

type ACME struct {
	Email          string        `json:"email"`
	Server         string        `json:"server"`
	PreferredChain string        `json:"preferredChain,omitempty"`
	DNS01Webhook   *DNS01Webhook `json:"dns01Webhook,omitempty"`
}

type DNS01Webhook struct {
	GroupName  string `json:"groupName"`
	SolverName string `json:"solverName"`
	// Config is the solver's own configuration, passed to the webhook as is (cert-manager's
	// ACMEIssuerDNS01ProviderWebhook.config); its schema is the webhook's.
	Config map[string]any `json:"config,omitempty"`
}

type Service struct {
	Name      string      `json:"name"`
	Namespace string      `json:"namespace"`
	Port      int         `json:"port"`
	Protocol  string      `json:"protocol,omitempty"`
	Versions  []Version   `json:"versions"`
	HTTP      []HTTPMatch `json:"http,omitempty"`
	Ingress   *Ingress    `json:"ingress,omitempty"`
	// Failover turns on locality failover for the service, in every cluster alike.
	Failover *Failover `json:"failover,omitempty"`
}

// Failover is a service's locality failover: the DestinationRule's
// localityLbSetting.failoverPriority and the outlier detection it cannot work without.
type Failover struct {
	// Priority are the labels that rank endpoints: those matching the client on all of them
	// first, then on all but the last, and so on. An entry may fix the value (key=value).
	Priority []string `json:"priority,omitempty"`
}

// The topology labels Istio ranks endpoints by, and the default failover priority.
const (
	LabelNetwork = "topology.istio.io/network"
	LabelRegion  = "topology.kubernetes.io/region"
	LabelZone    = "topology.kubernetes.io/zone"
)

// DefaultFailoverPriority is network, then region, then zone: stay on the network (no east-west
// hop) before staying in the region, and in the region before the zone.
var DefaultFailoverPriority = []string{LabelNetwork, LabelRegion, LabelZone}

type Version struct {
	Name     string   `json:"name"`
	Weight   int      `json:"weight"`
	Clusters []string `json:"clusters"`
}

// HTTPMatch is one URI match; exactly one field is set.
type HTTPMatch struct {
	Exact  string `json:"exact,omitempty"`
	Prefix string `json:"prefix,omitempty"`
	Regex  string `json:"regex,omitempty"`
}

type Ingress struct {
	Hosts []string `json:"hosts"`
	TLS   *TLS     `json:"tls,omitempty"`
}

type TLS struct {
	Issuer string `json:"issuer"`
}
