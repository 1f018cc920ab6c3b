package gen

import (
	"slices"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// TestFluxHelmReleases: under Flux, each cluster's chain of HelmReleases, read from the
// objects in its flux/ folder, on meshes of every installer:
//   - the HelmRepository of Istio's charts is there exactly when a HelmRelease is (istioctl
//     and the operator install no chart: Flux would poll a repository for nothing), and every
//     HelmRelease takes its chart from it;
//   - a HelmRelease depends on exactly the HelmReleases of the phase before its own that has
//     any step (a Kustomization's name there is a HelmRelease Flux never finds, and the
//     release never installs), so istiod waits for istio-base;
//   - only the base chart's release creates and replaces CRDs on install and upgrade (the
//     CRDs of older releases sit in its crds/, which Helm leaves alone on upgrade otherwise).
func TestFluxHelmReleases(t *testing.T) {
	meshes := map[string]*api.Input{}
	for _, ex := range []string{"three-sites", "sail", "ambient", "primary-remote"} {
		in := example(t, ex)
		in.Config.Spec.GitOps = api.GitOps{Tool: api.GitOpsFlux, RepoURL: "https://git.example.com/mesh.git", Revision: "main", Path: ".", FluxSource: "mesh"}
		meshes[ex] = in
	}
	for _, inst := range []string{api.InstallerIstioctl, api.InstallerOperator} {
		in := example(t, "istio-1.22")
		in.Config.Spec.Istio.Installer = inst
		in.Config.Spec.GitOps = api.GitOps{Tool: api.GitOpsFlux, RepoURL: "https://git.example.com/mesh.git", Revision: "main", Path: ".", FluxSource: "mesh"}
		meshes["istio-1.22/"+inst] = in
	}
	for name, in := range meshes {
		api.Default(in.Config)
		if es := api.Validate(in.Config, in.Creds); es != nil {
			t.Fatalf("%s: %v", name, es)
		}
		installer, releasesSeen := in.Config.Spec.Istio.Installer, 0
		repo := in.Config.Metadata.Name + "-istio"
		for cl, f := range clusterFolders(t, in) {
			var repos []string
			hrs := map[string]*fluxHelmRelease{}
			phase := map[string]Phase{} // each HelmRelease's
			steps := map[Phase]bool{}   // the phases with a folder or a release
			for _, o := range f.Objects {
				switch b := o.Body.(type) {
				case *helmRepository:
					repos = append(repos, b.Name)
				case *fluxHelmRelease:
					hrs[b.Name] = b
					phase[b.Name] = releasePhase(&helmRelease{chart: b.Spec.Chart.Spec.Chart})
					steps[phase[b.Name]] = true
				}
				if o.Dir == "" && o.Phase != PhaseNone {
					steps[o.Phase] = true
				}
			}
			releasesSeen += len(hrs)
			if want := map[bool][]string{true: {repo}}[len(hrs) > 0]; !slices.Equal(repos, want) {
				t.Errorf("%s %s: HelmRepositories %v with %d HelmReleases, want %v", name, cl, repos, len(hrs), want)
			}
			for n, h := range hrs {
				if s := h.Spec.Chart.Spec.SourceRef; s.Kind != "HelmRepository" || s.Name != repo {
					t.Errorf("%s %s: HelmRelease %s takes its chart from %+v", name, cl, n, s)
				}
				prev := previous(steps, phase[n])
				var want, got []string
				for m := range hrs {
					if prev != PhaseNone && phase[m] == prev {
						want = append(want, m)
					}
				}
				for _, d := range h.Spec.DependsOn {
					if d.Namespace != fluxNamespace {
						t.Errorf("%s %s: HelmRelease %s depends on %s in namespace %q", name, cl, n, d.Name, d.Namespace)
					}
					got = append(got, d.Name)
				}
				slices.Sort(want)
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Errorf("%s %s: HelmRelease %s (phase %s) depends on %v, want the HelmReleases of phase %s: %v", name, cl, n, phase[n], got, prev, want)
				}
				base := h.Spec.Chart.Spec.Chart == "base"
				creates := h.Spec.Install != nil && h.Spec.Install.CRDs == createReplace
				upgrades := h.Spec.Upgrade != nil && h.Spec.Upgrade.CRDs == createReplace
				if creates != base || upgrades != base || !base && h.Spec.Upgrade != nil {
					t.Errorf("%s %s: HelmRelease %s of chart %s: install %+v, upgrade %+v", name, cl, n, h.Spec.Chart.Spec.Chart, h.Spec.Install, h.Spec.Upgrade)
				}
			}
		}
		// The meshes cover both cases: charts installed (helm, sail) and none.
		if hasCharts := installer == api.InstallerHelm || installer == api.InstallerSail; (releasesSeen > 0) != hasCharts {
			t.Errorf("%s: %d HelmReleases with installer %s", name, releasesSeen, installer)
		}
	}
}
