package gen

import (
	"slices"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// The tests in this file pin rules that mutation testing (make mutate) found no test held:
// each states the rule a user relies on, and fails for the mutant it was written after.

// helmFiles renders in with the helm installer and returns the first cluster's files by name.
func helmFiles(t *testing.T, in *api.Input) map[string]any {
	t.Helper()
	in.Config.Spec.Istio.Installer = api.InstallerHelm
	api.Default(in.Config)
	if es := api.Validate(in.Config, in.Creds); es != nil {
		t.Fatal(es)
	}
	files := map[string]any{}
	if err := Each(in, in.Config.Spec.Clusters[0].Name, func(f *Folder) error {
		for _, fl := range f.Files {
			files[fl.Name] = fl.Value
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return files
}

// TestHelmIngressReleaseOnlyWithIngress: the ingress gateway release is installed when a
// service has an ingress, and not otherwise (it would be a load balancer for nothing).
func TestHelmIngressReleaseOnlyWithIngress(t *testing.T) {
	const values = "helm/" + IngressRelease + ".values.yaml"
	in := input(2)
	in.Config.Spec.Services = append(in.Config.Spec.Services, api.Service{Name: "db", Namespace: "app", Port: 5432,
		Versions: []api.Version{{Name: "v1", Weight: 100, Clusters: []string{"c0"}}}})
	if _, ok := helmFiles(t, in)[values]; !ok {
		t.Errorf("a service with an ingress: no %s", values)
	}
	in = input(2)
	in.Config.Spec.Services[0].Ingress = nil
	in.Config.Spec.Services = append(in.Config.Spec.Services, in.Config.Spec.Services[0])
	in.Config.Spec.Services[1].Name = "api"
	if _, ok := helmFiles(t, in)[values]; ok {
		t.Errorf("no service with an ingress: %s written", values)
	}
}

// TestHelmDefaultProfile: the default profile is the charts' own, written as no profile (the
// charts have no files/profile-default.yaml and fail with "unknown profile default"); any
// other profile is passed to every release.
func TestHelmDefaultProfile(t *testing.T) {
	for profile, want := range map[string]string{api.DefaultProfile: "", "demo": "demo"} {
		in := input(2)
		in.Config.Spec.Istio.Profile, in.Config.Spec.Istio.CNI = profile, true
		in.Config.Spec.Security.PodSecurity = ""
		files := helmFiles(t, in)
		iv, _ := files["helm/istiod.values.yaml"].(*istiodValues)
		base, _ := files["helm/istio-base.values.yaml"].(*baseValues)
		cni, _ := files["helm/istio-cni.values.yaml"].(*baseValues)
		if iv == nil || base == nil || cni == nil {
			t.Fatalf("profile %s: istiod, base or cni values missing among %d files", profile, len(files))
		}
		if iv.Profile != want || base.Profile != want || cni.Profile != want {
			t.Errorf("profile %s: istiod %q, base %q, cni %q, want %q", profile, iv.Profile, base.Profile, cni.Profile, want)
		}
	}
}

// TestOperatorInitNamespace: the operator watches istio-system unless told otherwise, so the
// command names the control plane's namespace only when it is another.
func TestOperatorInitNamespace(t *testing.T) {
	for ns, want := range map[string]string{api.DefaultNamespace: "", "mesh-system": " --watchedNamespaces mesh-system"} {
		in := input(2)
		in.Config.Spec.Istio.Installer, in.Config.Spec.ControlPlane.Namespace = api.InstallerOperator, ns
		api.Default(in.Config)
		cmds := (&gen{cfg: in.Config}).operatorInits()
		if len(cmds) != 1 {
			t.Fatalf("namespace %s: %q, want one command", ns, cmds)
		}
		cmd := cmds[0]
		if got := cmd[strings.Index(cmd, " --hub docker.io/istio")+len(" --hub docker.io/istio"):]; got != want {
			t.Errorf("namespace %s: %q, want it to end in %q", ns, cmd, want)
		}
	}
}

// TestPhaseNames: each phase names its folder and itself by it; PhaseNone (a hub folder) and
// any value past the known phases have no folder, without a panic, and PhaseNone calls
// itself none.
func TestPhaseNames(t *testing.T) {
	for p, want := range map[Phase][2]string{
		PhaseNone:                    {"", "none"},
		PhaseBase:                    {"1-base", "1-base"},
		PhaseTraffic:                 {"4-traffic", "4-traffic"},
		Phase(len(Phases) + 1):       {"", ""},
		Phase(len(phaseFolders) + 7): {"", ""},
	} {
		if f, s := p.Folder(), p.String(); f != want[0] || s != want[1] {
			t.Errorf("phase %d: folder %q, name %q; want %q, %q", p, f, s, want[0], want[1])
		}
	}
}

// TestFolderObjectOrder: Each hands over a cluster's objects in rollout order, phase by phase,
// and the GitOps tool's own (Flux's, in flux/), which no phase applies, after all of them:
// the tree lists the phase folders in the order their first object comes.
func TestFolderObjectOrder(t *testing.T) {
	for _, ex := range []string{"three-sites", "ambient"} {
		in := example(t, ex)
		in.Config.Spec.GitOps = api.GitOps{Tool: api.GitOpsFlux, RepoURL: "https://git.example.com/mesh.git", Revision: "main", Path: ".", FluxSource: "mesh"}
		for cl, f := range clusterFolders(t, in) {
			last, own := PhaseNone, 0
			for _, o := range f.Objects {
				switch {
				case !o.Applied():
					own++
				case own > 0:
					t.Errorf("%s %s: %s after Flux's objects", ex, cl, o.Path())
				case o.Phase < last:
					t.Errorf("%s %s: %s after an object of phase %s", ex, cl, o.Path(), last)
				default:
					last = o.Phase
				}
			}
			if own == 0 || last == PhaseNone {
				t.Errorf("%s %s: %d objects of Flux's, last phase %s", ex, cl, own, last)
			}
		}
	}
}

// TestSailProfile: Sail's Istio and IstioCNI carry the mesh's profile; the default profile
// is written as none, since Sail applies it under every other profile anyway.
func TestSailProfile(t *testing.T) {
	for profile, want := range map[string]string{api.DefaultProfile: "", "demo": "demo"} {
		in := example(t, "sail")
		in.Config.Spec.Istio.Profile, in.Config.Spec.Istio.CNI = profile, true
		in.Config.Spec.Security.PodSecurity = ""
		api.Default(in.Config)
		if es := api.Validate(in.Config, in.Creds); es != nil {
			t.Fatalf("profile %s: %v", profile, es)
		}
		for cl, f := range clusterFolders(t, in) {
			var got []string
			for _, o := range f.Objects {
				switch b := o.Body.(type) {
				case *sailIstio:
					got = append(got, "Istio "+b.Spec.Profile)
				case *sailIstioCNI:
					got = append(got, "IstioCNI "+b.Spec.Profile)
				}
			}
			slices.Sort(got)
			if w := []string{"Istio " + want, "IstioCNI " + want}; !slices.Equal(got, w) {
				t.Errorf("profile %s, %s: %q, want %q", profile, cl, got, w)
			}
		}
	}
}
