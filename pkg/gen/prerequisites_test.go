package gen_test

import (
	"strings"
	"testing"

	"github.com/meshgen/meshgen/internal/invariant"
	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/gen"
)

// TestReadmePrerequisites: each cluster's README lists exactly the prerequisites its output and
// the MeshConfig need, derived here from them: the installer's operator, the trust material,
// cert-manager and the DNS-01 webhooks of the ClusterIssuers in the folder, external-secrets,
// the Gateway API CRDs of ambient under a GitOps tool, the GitOps tool. On every example, and on
// the ambient example rolled out by Flux.
func TestReadmePrerequisites(t *testing.T) {
	cs, err := invariant.Examples("../..")
	if err != nil {
		t.Fatal(err)
	}
	var ins []*api.Input
	var names []string
	for _, c := range cs {
		in, err := c.Mesh.Input()
		if err != nil {
			t.Fatal(err)
		}
		ins, names = append(ins, in), append(names, c.Name)
		if c.Name == "ambient" {
			in, _ := c.Mesh.Input()
			in.Config.Spec.GitOps = api.GitOps{Tool: api.GitOpsFlux, RepoURL: "https://git.example.com/mesh.git", Revision: "main", Path: ".", FluxSource: "flux-system"}
			ins, names = append(ins, in), append(names, "ambient+flux")
		}
	}
	for i, in := range ins {
		s := &in.Config.Spec
		err := gen.Each(in, "", func(f *gen.Folder) error {
			cl := s.Cluster(f.Name)
			if cl == nil {
				return nil
			}
			var readme string
			for _, x := range f.Files {
				if x.Name == "README.md" {
					readme = string(x.Data)
				}
			}
			pre, _, ok := strings.Cut(readme, "\n## Installing Istio")
			if !ok {
				t.Errorf("%s/%s: README without its parts", names[i], f.Name)
				return nil
			}
			kinds, issuers := map[string]bool{}, map[string]bool{}
			for _, o := range f.Objects {
				kinds[o.Kind] = true
				if o.Kind == "ClusterIssuer" {
					issuers[o.Name] = true
				}
			}
			want := map[string]bool{
				"the Istio operator of Istio":     s.Istio.Installer == api.InstallerOperator,
				"the Sail operator":               s.Istio.Installer == api.InstallerSail,
				"the Secret cacerts in namespace": s.Trust.Mode == api.TrustExternal && !cl.Remote(),
				"root key pair":                   s.Trust.Mode == api.TrustCertManager && !cl.Remote(),
				"has no CA of its own":            cl.Remote(),
				"the Gateway API CRDs":            s.Ambient() && s.GitOps.Tool != api.GitOpsNone,
				"external-secrets v0.16 or later": kinds["PushSecret"] || kinds["ExternalSecret"],
				"cert-manager 1.0 or later":       kinds["Certificate"] || kinds["ClusterIssuer"],
				"Argo CD 2.8 or later":            s.GitOps.Tool == api.GitOpsArgoCD,
				"Flux 2.3 or later":               s.GitOps.Tool == api.GitOpsFlux,
				"Fleet (Rancher's continuous":     s.GitOps.Tool == api.GitOpsFleet,
			}
			for _, is := range s.Issuers {
				if is.ACME != nil && is.ACME.DNS01Webhook != nil {
					want["the cert-manager DNS-01 webhook of the ClusterIssuer "+is.Name+":"] = issuers[is.Name]
				}
			}
			for line, w := range want {
				if got := strings.Contains(pre, line); got != w {
					t.Errorf("%s/%s: prerequisites list %q: %v, want %v\n%s", names[i], f.Name, line, got, w, pre)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", names[i], err)
		}
	}
}
