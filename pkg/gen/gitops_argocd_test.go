package gen

import (
	"path/filepath"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// TestArgoCDNames holds api.ArgoCDName, by which Validate refuses names over 63 characters, to
// the Applications gen writes: on every example (canary steps with two revisions among them),
// each rolled out by Argo CD, no cluster's Application is longer than the name it predicts,
// and the longest is that name where the cluster has its 3-gateways folder (which it takes to
// be there); and with a revision long enough that istiod-<revision> is the longest. Negative
// control: a longer release name than the API knows is caught.
func TestArgoCDNames(t *testing.T) {
	// Every example's MeshConfig: examples/<name>/mesh.yaml and each step of examples/canary
	// (invariant.ExampleNames, which imports this package).
	var names []string
	for _, pat := range []string{"*/mesh.yaml", "*/step*/mesh.yaml"} {
		ms, _ := filepath.Glob(filepath.Join("..", "..", "examples", pat))
		for _, m := range ms {
			rel, _ := filepath.Rel(filepath.Join("..", "..", "examples"), filepath.Dir(m))
			names = append(names, rel)
		}
	}
	if len(names) < 13 {
		t.Fatalf("examples: %v", names)
	}
	for _, ex := range names {
		in := example(t, ex)
		in.Config.Spec.GitOps = api.GitOps{Tool: api.GitOpsArgoCD, RepoURL: "https://git.example.com/mesh.git", Revision: "main", Path: "."}
		for _, p := range argoCDNameProblems(t, in, "") {
			t.Errorf("%s: %s", ex, p)
		}
	}
	// A revision long enough that istiod-<revision> is the longest part.
	in := example(t, "three-sites")
	in.Config.Spec.Istio.Revision = "stable-revision-1-24"
	for _, p := range argoCDNameProblems(t, in, "") {
		t.Errorf("three-sites with a long revision: %s", p)
	}
	in = example(t, "three-sites")
	if len(argoCDNameProblems(t, in, "-longer")) == 0 {
		t.Error("an east-west gateway release longer than api.ArgoCDName knows passes")
	}
}

// argoCDNameProblems renders in and compares each cluster's Application names with
// api.ArgoCDName; suffix lengthens the east-west gateway's Application, as a control.
func argoCDNameProblems(t *testing.T, in *api.Input, suffix string) []string {
	t.Helper()
	longest := map[string]string{}
	gateways := map[string]bool{}
	err := Each(in, "", func(f *Folder) error {
		for _, o := range f.Objects {
			if o.Phase == PhaseGateways {
				gateways[o.Cluster] = true
			}
			a, ok := o.Body.(*application)
			if !ok || a.Labels[ClusterLabel] == "" {
				continue
			}
			n := a.Name
			if a.Spec.Source.Helm != nil && a.Spec.Source.Helm.ReleaseName == EastWestRelease {
				n += suffix
			}
			if cl := a.Labels[ClusterLabel]; len(n) > len(longest[cl]) {
				longest[cl] = n
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := range in.Config.Spec.Clusters {
		cl := &in.Config.Spec.Clusters[i]
		want, _ := api.ArgoCDName(in.Config, cl)
		got := longest[cl.Name]
		if len(got) > len(want) || gateways[cl.Name] && len(got) != len(want) {
			out = append(out, cl.Name+": the longest Application is "+got+", api.ArgoCDName says "+want)
		}
	}
	return out
}
