package gen

import (
	"slices"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// TestMeshNamespacePeers: the NetworkPolicies know the mesh's application namespaces by the
// injection labels the listed namespaces carry, one peer per distinct label and none other;
// a mesh that lists no namespace has its pods in namespaces labelled for injection, never
// anywhere. Read from the ingress gateway's egress to the services.
func TestMeshNamespacePeers(t *testing.T) {
	cases := map[string]struct {
		edit func(s *api.Spec)
		want []string
	}{
		"tags default and preview": {func(s *api.Spec) {}, []string{"istio.io/rev=default", "istio.io/rev=preview"}},
		"every namespace on preview": {func(s *api.Spec) {
			for i := range s.Namespaces {
				s.Namespaces[i].Tag = "preview"
			}
		}, []string{"istio.io/rev=preview"}},
		"no namespace": {func(s *api.Spec) { s.Namespaces, s.Services = nil, nil }, []string{"istio.io/rev=default"}},
		"no namespace, no tags": {func(s *api.Spec) {
			s.Namespaces, s.Services, s.Istio.Canary, s.Istio.Tags, s.Istio.Revision = nil, nil, nil, nil, ""
		}, []string{"istio-injection=enabled"}},
	}
	for name, c := range cases {
		in := example(t, "canary/step1")
		c.edit(&in.Config.Spec)
		if es := api.Validate(in.Config, in.Creds); es != nil {
			t.Fatalf("%s: %v", name, es)
		}
		for cl, f := range clusterFolders(t, in) {
			np := f.policy(t, in.Config.Spec.ControlPlane.Namespace, "np-istio-ingress")
			var got []string
			for _, p := range np.Spec.Egress[0].To {
				if p.NamespaceSelector != nil && p.PodSelector == nil {
					for k, v := range p.NamespaceSelector.MatchLabels {
						got = append(got, k+"="+v)
					}
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("%s, %s: mesh namespaces %v, want %v", name, cl, got, c.want)
			}
		}
	}
}
