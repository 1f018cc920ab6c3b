package gen

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// phaseFolderRef is a phase folder named in a README's prose: 1-base/, 4-traffic/.
var phaseFolderRef = regexp.MustCompile(`\b[0-9]-[a-z]+/`)

// TestReadmeRolloutIntro: the rollout paragraph of each cluster's README, with each GitOps
// tool and none, names the cluster's phase folders in order, each once: those that exist,
// not the phases of the Helm releases that have no folder of their own.
func TestReadmeRolloutIntro(t *testing.T) {
	for _, ex := range []string{"three-sites", "sail", "ambient", "cert-manager", "external-secrets"} {
		for _, tool := range []string{api.GitOpsNone, api.GitOpsArgoCD, api.GitOpsFlux, api.GitOpsFleet} {
			in := example(t, ex)
			in.Config.Spec.GitOps = api.GitOps{Tool: tool}
			if tool != api.GitOpsNone {
				in.Config.Spec.GitOps = api.GitOps{Tool: tool, RepoURL: "https://git.example.com/mesh.git", Revision: "main", Path: "."}
			}
			if tool == api.GitOpsFlux {
				in.Config.Spec.GitOps.FluxSource = "mesh"
			}
			api.Default(in.Config)
			if es := api.Validate(in.Config, in.Creds); es != nil {
				t.Fatalf("%s %s: %v", ex, tool, es)
			}
			for cl, f := range clusterFolders(t, in) {
				var want []string
				for _, o := range f.Objects {
					if d := o.Phase.Folder() + "/"; o.Applied() && o.Phase != PhaseNone && !slices.Contains(want, d) {
						want = append(want, d)
					}
				}
				slices.Sort(want) // the folders' names sort in phase order
				_, rollout, _ := strings.Cut(readmeOf(f), "\n## Rollout\n")
				intro, _, _ := strings.Cut(rollout, "```sh")
				if got := phaseFolderRef.FindAllString(intro, -1); len(want) < 2 || !slices.Equal(got, want) {
					t.Errorf("%s %s %s: the rollout names the folders %v, want %v:\n%s", ex, tool, cl, got, want, intro)
				}
			}
		}
	}
}
