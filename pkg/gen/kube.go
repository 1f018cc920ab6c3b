package gen

import "k8s.io/apimachinery/pkg/api/resource"

// Kubernetes core objects, as local structs with the field names and JSON tags of k8s.io/api.
//
// meshgen runs once per kustomize build and kpt render, so start-up is most of its cost.
// Linking k8s.io/api and the apimachinery it drags in spent about 4 ms of package
// initialisation per run (a tenth of a seed render) and 12 MB of binary, for five structs.
// kube_test.go decodes every object of these kinds that the examples produce into the
// k8s.io/api types, rejecting unknown fields, and requires the same JSON back, so a misspelt
// field still fails, in the tests instead of the compiler. Quantities keep apimachinery's
// resource package: its canonical form is what the API server stores and GitOps tools compare.

type TypeMeta struct {
	Kind       string `json:"kind,omitempty"`
	APIVersion string `json:"apiVersion,omitempty"`
}

type ObjectMeta struct {
	Name        string            `json:"name,omitempty"`
	Namespace   string            `json:"namespace,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// TypeMeta and ObjectMeta are exported only because encoding/json reads embedded fields by
// name; nothing outside this package uses them.

// object is the envelope every generated object shares.
type object struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata"`
}

type namespace struct {
	object `json:",inline"`
}

type limitRange struct {
	object `json:",inline"`
	Spec   limitRangeSpec `json:"spec"`
}

type limitRangeSpec struct {
	Limits []limitRangeItem `json:"limits"`
}

type limitRangeItem struct {
	Type           string       `json:"type"`
	Default        resourceList `json:"default,omitempty"`
	DefaultRequest resourceList `json:"defaultRequest,omitempty"`
}

type resourceList map[string]resource.Quantity

type secret struct {
	object `json:",inline"`
	Data   map[string]*Doc `json:"data,omitempty"`
	Type   string          `json:"type,omitempty"`
}

type service struct {
	object `json:",inline"`
	Spec   serviceSpec `json:"spec"`
}

type serviceSpec struct {
	Ports    []servicePort     `json:"ports,omitempty"`
	Selector map[string]string `json:"selector,omitempty"`
}

type servicePort struct {
	Name       string `json:"name,omitempty"`
	Port       int32  `json:"port"`
	TargetPort int32  `json:"targetPort,omitempty"`
}

type envVar struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
}

type networkPolicy struct {
	object `json:",inline"`
	Spec   networkPolicySpec `json:"spec"`
}

type networkPolicySpec struct {
	PodSelector labelSelector       `json:"podSelector"`
	Ingress     []networkPolicyRule `json:"ingress,omitempty"`
	Egress      []networkPolicyRule `json:"egress,omitempty"`
	PolicyTypes []string            `json:"policyTypes,omitempty"`
}

// networkPolicyRule is an ingress rule (peers in From) or an egress rule (peers in To).
type networkPolicyRule struct {
	Ports []networkPolicyPort `json:"ports,omitempty"`
	From  []networkPolicyPeer `json:"from,omitempty"`
	To    []networkPolicyPeer `json:"to,omitempty"`
}

type networkPolicyPeer struct {
	PodSelector       *labelSelector `json:"podSelector,omitempty"`
	NamespaceSelector *labelSelector `json:"namespaceSelector,omitempty"`
	IPBlock           *ipBlock       `json:"ipBlock,omitempty"`
}

type ipBlock struct {
	CIDR string `json:"cidr"`
}

type networkPolicyPort struct {
	Protocol string `json:"protocol,omitempty"`
	Port     int32  `json:"port,omitempty"`
}

type labelSelector struct {
	MatchLabels map[string]string `json:"matchLabels,omitempty"`
}
