package gen

import "github.com/meshgen/meshgen/pkg/api"

// The source side of the remote secrets, as istioctl create-remote-secret relies on it: the
// reader ServiceAccount of Istio's base chart and a long-lived token Secret for it, under the
// name istioctl gives the one it creates, so istioctl finds this one instead of adding its own.
const (
	ReaderServiceAccount = "istio-reader-service-account"
	ReaderTokenSecret    = ReaderServiceAccount + "-istio-remote-secret-token"
	// readerRole is meshgen's ClusterRole and ClusterRoleBinding for the reader: the rules of
	// the istiod chart's istio-reader-clusterrole-<namespace>, under a name of meshgen's own so
	// that neither the chart nor meshgen replaces the other's object.
	readerRole = "meshgen-istio-reader"
)

// readerRules are the rules of the istio-discovery chart's reader ClusterRole
// (templates/reader-clusterrole.yaml) with its defaults: MCS API group
// multicluster.x-k8s.io, no istiodRemote rules. What a peer's istiod reads with the token.
var readerRules = []policyRule{
	{APIGroups: []string{"config.istio.io", "security.istio.io", "networking.istio.io", "authentication.istio.io", "rbac.istio.io", "telemetry.istio.io", "extensions.istio.io"}, Resources: []string{"*"}, Verbs: []string{"get", "list", "watch"}},
	{APIGroups: []string{""}, Resources: []string{"endpoints", "pods", "services", "nodes", "replicationcontrollers", "namespaces", "secrets", "configmaps"}, Verbs: []string{"get", "list", "watch"}},
	{APIGroups: []string{"networking.istio.io"}, Resources: []string{"workloadentries"}, Verbs: []string{"get", "watch", "list"}},
	{APIGroups: []string{"networking.x-k8s.io", "gateway.networking.k8s.io"}, Resources: []string{"gateways"}, Verbs: []string{"get", "watch", "list"}},
	{APIGroups: []string{"apiextensions.k8s.io"}, Resources: []string{"customresourcedefinitions"}, Verbs: []string{"get", "list", "watch"}},
	{APIGroups: []string{"discovery.k8s.io"}, Resources: []string{"endpointslices"}, Verbs: []string{"get", "list", "watch"}},
	{APIGroups: []string{"multicluster.x-k8s.io"}, Resources: []string{"serviceexports"}, Verbs: []string{"get", "list", "watch", "create", "delete"}},
	{APIGroups: []string{"multicluster.x-k8s.io"}, Resources: []string{"serviceimports"}, Verbs: []string{"get", "list", "watch"}},
	{APIGroups: []string{"apps"}, Resources: []string{"replicasets"}, Verbs: []string{"get", "list", "watch"}},
	{APIGroups: []string{"authentication.k8s.io"}, Resources: []string{"tokenreviews"}, Verbs: []string{"create"}},
	{APIGroups: []string{"authorization.k8s.io"}, Resources: []string{"subjectaccessreviews"}, Verbs: []string{"create"}},
}

// readerAccount writes the reader ServiceAccount, its RBAC and its token Secret, which the
// cluster's token controller fills with a token that does not expire and the cluster's CA.
// Every cluster of a mesh with peers gets them, whatever the remote-secret mode: externalSecret
// pushes the token from there, and for inline or none it is the token to use.
func (g *gen) readerAccount(cl *api.Cluster) {
	if len(g.cfg.Spec.Clusters) < 2 {
		return
	}
	ns := g.cpNamespace()
	sa := &serviceAccount{object: g.meta(ns, ReaderServiceAccount)}
	g.add(cl.Name, kServiceAccount, sa)

	cr := &clusterRole{object: g.meta("", readerRole), Rules: readerRules}
	g.add(cl.Name, kClusterRole, cr)
	crb := &clusterRoleBinding{
		object:   g.meta("", readerRole),
		Subjects: []rbacSubject{{Kind: "ServiceAccount", Name: ReaderServiceAccount, Namespace: ns}},
		RoleRef:  roleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: readerRole},
	}
	g.add(cl.Name, kClusterRoleBinding, crb)

	tok := &secret{object: g.meta(ns, ReaderTokenSecret), Type: "kubernetes.io/service-account-token"}
	tok.Annotations["kubernetes.io/service-account.name"] = ReaderServiceAccount
	g.add(cl.Name, kSecret, tok)
}
