package gen

import (
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// TestReaderAccount: every cluster of a mesh with peers, whatever the remote-secret mode, gets
// the reader ServiceAccount, meshgen's ClusterRole with the chart's reader rules bound to it,
// and a token Secret the cluster fills in; a single-cluster mesh has no peers and gets none.
func TestReaderAccount(t *testing.T) {
	for _, mode := range []string{api.RemoteSecretsInline, api.RemoteSecretsNone, api.RemoteSecretsExternalSecret} {
		in := esInput(t)
		in.Config.Spec.RemoteSecrets.Mode = mode
		objs := generate(in)
		for _, cl := range []string{"c0", "c1", "c2"} {
			sa := find(objs, cl, "ServiceAccount", ReaderServiceAccount)
			cr := find(objs, cl, "ClusterRole", readerRole)
			crb := find(objs, cl, "ClusterRoleBinding", readerRole)
			tok := find(objs, cl, "Secret", ReaderTokenSecret)
			if len(sa) != 1 || len(cr) != 1 || len(crb) != 1 || len(tok) != 1 {
				t.Fatalf("%s %s: ServiceAccount %d, ClusterRole %d, ClusterRoleBinding %d, token Secret %d", mode, cl, len(sa), len(cr), len(crb), len(tok))
			}
			b := crb[0].Body.(*clusterRoleBinding)
			if b.RoleRef.Name != readerRole || len(b.Subjects) != 1 || b.Subjects[0] != (rbacSubject{Kind: "ServiceAccount", Name: ReaderServiceAccount, Namespace: "istio-system"}) {
				t.Errorf("%s %s: binding %s", mode, cl, js(t, b))
			}
			s := tok[0].Body.(*secret)
			if s.Type != "kubernetes.io/service-account-token" || s.Annotations["kubernetes.io/service-account.name"] != ReaderServiceAccount || len(s.Data) != 0 {
				t.Errorf("%s %s: token Secret %s", mode, cl, js(t, s))
			}
		}
	}
	single := input(1)
	single.Config.Spec.RemoteSecrets = api.RemoteSecrets{Mode: api.RemoteSecretsExternalSecret, Store: &api.SecretStoreRef{Kind: api.SecretStore, Name: "s"}, Key: api.DefaultStoreKey}
	if objs := generate(single); len(find(objs, "c0", "ServiceAccount", "")) != 0 || len(find(objs, "c0", "PushSecret", "")) != 0 {
		t.Error("a single-cluster mesh got a reader account")
	}
}
