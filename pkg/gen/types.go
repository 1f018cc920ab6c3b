package gen

import (
	networking "istio.io/api/networking/v1alpha3"
	security "istio.io/api/security/v1beta1"
)

// Local types for objects whose Go types live in modules meshgen does not otherwise need
// (Rancher, cert-manager, external-dns, the Istio operator; Kubernetes' own are in kube.go). Only the fields meshgen writes are
// declared, all omitempty, so nothing unset is emitted. Istio's networking specs are the
// upstream istio.io/api types; only their Kubernetes envelope is local.

// Rancher management.cattle.io/v3 Project.
type project struct {
	object `json:",inline"`
	Spec   projectSpec `json:"spec"`
}

type projectSpec struct {
	ClusterName                   string          `json:"clusterName"`
	DisplayName                   string          `json:"displayName"`
	Description                   string          `json:"description,omitempty"`
	ContainerDefaultResourceLimit *containerLimit `json:"containerDefaultResourceLimit,omitempty"`
	NamespaceDefaultResourceQuota *projectQuota   `json:"namespaceDefaultResourceQuota,omitempty"`
	ResourceQuota                 *projectQuota   `json:"resourceQuota,omitempty"`
}

type containerLimit struct {
	LimitsCPU      string `json:"limitsCpu,omitempty"`
	LimitsMemory   string `json:"limitsMemory,omitempty"`
	RequestsCPU    string `json:"requestsCpu,omitempty"`
	RequestsMemory string `json:"requestsMemory,omitempty"`
}

type projectQuota struct {
	Limit quota `json:"limit"`
}

type quota struct {
	LimitsCPU    string `json:"limitsCpu,omitempty"`
	LimitsMemory string `json:"limitsMemory,omitempty"`
}

// install.istio.io/v1alpha1 IstioOperator, as istioctl reads it.
type istioOperator struct {
	object `json:",inline"`
	Spec   operatorSpec `json:"spec"`
}

type operatorSpec struct {
	Profile    string          `json:"profile,omitempty"`
	Hub        string          `json:"hub,omitempty"`
	Tag        string          `json:"tag,omitempty"`
	Revision   string          `json:"revision,omitempty"`
	Components *components     `json:"components,omitempty"`
	Values     *operatorValues `json:"values,omitempty"`
}

type components struct {
	CNI             *component         `json:"cni,omitempty"`
	IngressGateways []gatewayComponent `json:"ingressGateways,omitempty"`
}

type component struct {
	Enabled   bool   `json:"enabled"`
	Namespace string `json:"namespace,omitempty"`
}

type gatewayComponent struct {
	Name    string            `json:"name"`
	Enabled bool              `json:"enabled"`
	Label   map[string]string `json:"label,omitempty"`
	K8s     *k8sSpec          `json:"k8s,omitempty"`
}

type k8sSpec struct {
	Env     []envVar        `json:"env,omitempty"`
	Service *gatewayService `json:"service,omitempty"`
}

type gatewayService struct {
	Ports []servicePort `json:"ports"`
}

type operatorValues struct {
	Global   *globalValues  `json:"global,omitempty"`
	Gateways *gatewayValues `json:"gateways,omitempty"`
}

type globalValues struct {
	MeshID       string        `json:"meshID,omitempty"`
	MultiCluster *multiCluster `json:"multiCluster,omitempty"`
	Network      string        `json:"network,omitempty"`
}

type multiCluster struct {
	ClusterName string `json:"clusterName,omitempty"`
	Enabled     bool   `json:"enabled,omitempty"`
}

type gatewayValues struct {
	IstioIngressgateway *injection `json:"istio-ingressgateway,omitempty"`
}

type injection struct {
	InjectionTemplate string `json:"injectionTemplate"`
}

// Istio networking objects: upstream specs in a Kubernetes envelope. The specs are written by
// protoJSON (protojson.go), which gives their own MarshalJSON's JSON without its cost.
type gateway struct {
	object `json:",inline"`
	Spec   gatewaySpec `json:"spec"`
}

type virtualService struct {
	object `json:",inline"`
	Spec   virtualServiceSpec `json:"spec"`
}

type destinationRule struct {
	object `json:",inline"`
	Spec   destinationRuleSpec `json:"spec"`
}

type gatewaySpec struct{ *networking.Gateway }

type virtualServiceSpec struct{ *networking.VirtualService }

type destinationRuleSpec struct{ *networking.DestinationRule }

func (s gatewaySpec) MarshalJSON() ([]byte, error)         { return protoJSON(s.Gateway) }
func (s virtualServiceSpec) MarshalJSON() ([]byte, error)  { return protoJSON(s.VirtualService) }
func (s destinationRuleSpec) MarshalJSON() ([]byte, error) { return protoJSON(s.DestinationRule) }

// security.istio.io PeerAuthentication: the upstream spec in a Kubernetes envelope, like the
// networking objects.
type peerAuthentication struct {
	object `json:",inline"`
	Spec   peerAuthenticationSpec `json:"spec"`
}

type peerAuthenticationSpec struct{ *security.PeerAuthentication }

func (s peerAuthenticationSpec) MarshalJSON() ([]byte, error) {
	return protoJSON(s.PeerAuthentication)
}

// cert-manager.io/v1 Certificate and ClusterIssuer.
type certificate struct {
	object `json:",inline"`
	Spec   certificateSpec `json:"spec"`
}

type certificateSpec struct {
	SecretName string    `json:"secretName"`
	CommonName string    `json:"commonName,omitempty"`
	DNSNames   []string  `json:"dnsNames"`
	IssuerRef  issuerRef `json:"issuerRef"`
}

type issuerRef struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
	Name  string `json:"name"`
}

type clusterIssuer struct {
	object `json:",inline"`
	Spec   issuerSpec `json:"spec"`
}

type issuerSpec struct {
	ACME acmeIssuer `json:"acme"`
}

type acmeIssuer struct {
	Email               string       `json:"email"`
	Server              string       `json:"server"`
	PreferredChain      string       `json:"preferredChain,omitempty"`
	PrivateKeySecretRef secretRef    `json:"privateKeySecretRef"`
	Solvers             []acmeSolver `json:"solvers"`
}

type secretRef struct {
	Name string `json:"name"`
}

type acmeSolver struct {
	DNS01 dns01 `json:"dns01"`
}

type dns01 struct {
	Webhook webhook `json:"webhook"`
}

type webhook struct {
	GroupName  string         `json:"groupName"`
	SolverName string         `json:"solverName"`
	Config     map[string]any `json:"config,omitempty"`
}

// externaldns.k8s.io/v1alpha1 DNSEndpoint.
type dnsEndpoint struct {
	object `json:",inline"`
	Spec   dnsEndpointSpec `json:"spec"`
}

type dnsEndpointSpec struct {
	Endpoints []endpoint `json:"endpoints"`
}

type endpoint struct {
	DNSName    string   `json:"dnsName"`
	RecordType string   `json:"recordType"`
	RecordTTL  int      `json:"recordTTL,omitempty"`
	Targets    []string `json:"targets"`
}

// kubeconfig is the file a remote secret carries (clientcmd's v1 Config, the fields used).
type kubeconfig struct {
	APIVersion     string         `json:"apiVersion"`
	Kind           string         `json:"kind"`
	Clusters       []namedCluster `json:"clusters"`
	Contexts       []namedContext `json:"contexts"`
	CurrentContext string         `json:"current-context"`
	Preferences    struct{}       `json:"preferences"`
	Users          []namedUser    `json:"users"`
}

type namedCluster struct {
	Name    string      `json:"name"`
	Cluster kubeCluster `json:"cluster"`
}

type kubeCluster struct {
	Server                   string `json:"server"`
	CertificateAuthorityData []byte `json:"certificate-authority-data,omitempty"`
}

type namedContext struct {
	Name    string      `json:"name"`
	Context kubeContext `json:"context"`
}

type kubeContext struct {
	Cluster string `json:"cluster"`
	User    string `json:"user"`
}

type namedUser struct {
	Name string   `json:"name"`
	User kubeUser `json:"user"`
}

type kubeUser struct {
	Token string `json:"token"`
}
