package gen

// Local types of the remote secrets' source side (reader.go), with the field names and JSON
// tags of k8s.io/api's core/v1 and rbac/v1, held to them by TestKubeTypes.

type serviceAccount struct {
	object `json:",inline"`
}

// rbac.authorization.k8s.io/v1 ClusterRole and ClusterRoleBinding.
type clusterRole struct {
	object `json:",inline"`
	Rules  []policyRule `json:"rules"`
}

type policyRule struct {
	Verbs     []string `json:"verbs"`
	APIGroups []string `json:"apiGroups,omitempty"`
	Resources []string `json:"resources,omitempty"`
}

type clusterRoleBinding struct {
	object   `json:",inline"`
	Subjects []rbacSubject `json:"subjects,omitempty"`
	RoleRef  roleRef       `json:"roleRef"`
}

type rbacSubject struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

type roleRef struct {
	APIGroup string `json:"apiGroup"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
}
