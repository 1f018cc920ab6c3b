package gen

import "encoding/json"

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
	Pilot           *k8sComponent      `json:"pilot,omitempty"`
	CNI             *component         `json:"cni,omitempty"`
	IngressGateways []gatewayComponent `json:"ingressGateways,omitempty"`
}

// k8sComponent is a component whose Kubernetes settings meshgen sets (istiod's env).
type k8sComponent struct {
	K8s *k8sSpec `json:"k8s,omitempty"`
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
	// RevisionTags and DefaultRevision: see revisions.go.
	RevisionTags    []string      `json:"revisionTags,omitempty"`
	DefaultRevision string        `json:"defaultRevision,omitempty"`
	Pilot           *pilotValues  `json:"pilot,omitempty"`
	IstiodRemote    *istiodRemote `json:"istiodRemote,omitempty"`
}

type globalValues struct {
	MeshID       string        `json:"meshID,omitempty"`
	MultiCluster *multiCluster `json:"multiCluster,omitempty"`
	Network      string        `json:"network,omitempty"`
	// RemotePilotAddress is a remote's primary istiod (primary.go).
	RemotePilotAddress string `json:"remotePilotAddress,omitempty"`
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

// Istio objects: upstream specs in a Kubernetes envelope, written by istio.io/api's own
// MarshalJSON, so a field or enum meshgen starts to set is written as Istio writes it.
type gateway struct {
	object `json:",inline"`
	Spec   *istioSpec `json:"spec"`
}

type virtualService struct {
	object `json:",inline"`
	Spec   *istioSpec `json:"spec"`
}

type destinationRule struct {
	object `json:",inline"`
	Spec   *istioSpec `json:"spec"`
}

type peerAuthentication struct {
	object `json:",inline"`
	Spec   *istioSpec `json:"spec"`
}

// istioSpec is an Istio spec and its JSON. istio.io/api's marshaller walks the message by
// reflection, which costs as much as the rest of the object; but a service's specs are the
// same in every cluster, so the clusters' objects share one istioSpec and it runs once per
// mesh. Generation and encoding run on one goroutine.
type istioSpec struct {
	msg  json.Marshaler
	json []byte
}

func (s *istioSpec) MarshalJSON() ([]byte, error) {
	if s.json == nil {
		b, err := s.msg.MarshalJSON()
		if err != nil {
			return nil, err
		}
		s.json = b
	}
	return s.json, nil
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
