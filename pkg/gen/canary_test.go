package gen

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// What each installer writes for the steps of a canary upgrade (examples/canary) that the
// invariants do not see: the README's account of the revisions, the order and the istioctl
// of each install, and which IstioOperator owns what a cluster has once.

// canarySteps are the three renders of the upgrade in examples/canary.
var canarySteps = []string{"step1", "step2", "step3"}

// canaryInput is examples/canary/<step> with the installer given. The operator installs
// releases up to 1.23 only: with it the two releases are 1.22.3 and 1.23.1 (the revision
// names stay), as in Istio's own operator canary guide one minor apart.
func canaryInput(t *testing.T, step, installer string) *api.Input {
	t.Helper()
	in := example(t, "canary/"+step)
	ist := &in.Config.Spec.Istio
	ist.Installer = installer
	if installer == api.InstallerOperator {
		older := map[string]string{"1.27.3": "1.22.3", "1.28.1": "1.23.1"}
		ist.Version = older[ist.Version]
		if ist.Canary != nil {
			ist.Canary.Version = older[ist.Canary.Version]
		}
	}
	api.Default(in.Config)
	if es := api.Validate(in.Config, in.Creds); es != nil {
		t.Fatalf("%s %s: %v", step, installer, es)
	}
	return in
}

// clusterFolders renders in and keeps each cluster's folder.
func clusterFolders(t *testing.T, in *api.Input) map[string]*Folder {
	t.Helper()
	out := map[string]*Folder{}
	if err := Each(in, "", func(f *Folder) error {
		if in.Config.Spec.Cluster(f.Name) != nil {
			c := *f
			c.Objects, c.Files = slices.Clone(f.Objects), slices.Clone(f.Files)
			out[f.Name] = &c
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func readmeOf(f *Folder) string {
	for _, x := range f.Files {
		if x.Name == "README.md" {
			return string(x.Data)
		}
	}
	return ""
}

// TestRevisionNote: with tags, each cluster's README names every control plane the render
// installs with its release and exactly the tags that point at it (none for the old one once
// the tags have moved), and the revision the gateways run on; it calls the render a canary
// upgrade, with the warning about moving tags, only when two control planes are installed.
// A mesh without tags gets no such note.
func TestRevisionNote(t *testing.T) {
	for _, installer := range []string{api.InstallerHelm, api.InstallerIstioctl, api.InstallerOperator} {
		for _, step := range canarySteps {
			in := canaryInput(t, step, installer)
			ist := &in.Config.Spec.Istio
			revs := map[string]string{ist.Revision: ist.Version}
			if ist.Canary != nil {
				revs[ist.Canary.Revision] = ist.Canary.Version
			}
			want := "\n\nRevisions:"
			for _, r := range []string{ist.Revision, canaryRevision(ist)} {
				if r == "" {
					continue
				}
				want += fmt.Sprintf(" %s (Istio %s)", r, revs[r])
				var tags []string
				for _, tag := range slices.Sorted(maps.Keys(ist.Tags)) {
					if ist.Tags[tag] == r {
						tags = append(tags, tag)
					}
				}
				if len(tags) > 0 {
					want += ", tags " + strings.Join(tags, ", ")
				}
				want += ";"
			}
			want += " the gateways run on " + ist.Tags[api.DefaultTag] + ".\n"
			for name, f := range clusterFolders(t, in) {
				readme := readmeOf(f)
				if !strings.Contains(readme, want) {
					t.Errorf("%s %s %s: README without %q:\n%s", installer, step, name, want, readme)
				}
				if got := strings.Contains(readme, "This is a canary upgrade"); got != (ist.Canary != nil) {
					t.Errorf("%s %s %s: README calls it a canary upgrade: %v, with a canary: %v", installer, step, name, got, ist.Canary != nil)
				}
			}
		}
		in := input(2)
		in.Config.Spec.Istio.Installer, in.Config.Spec.Istio.Revision = installer, "blue"
		api.Default(in.Config)
		for name, f := range clusterFolders(t, in) {
			if readme := readmeOf(f); strings.Contains(readme, "Revisions:") || strings.Contains(readme, "canary") {
				t.Errorf("%s, no tags, %s: README with a revision note:\n%s", installer, name, readme)
			}
		}
	}
}

func canaryRevision(ist *api.Istio) string {
	if ist.Canary == nil {
		return ""
	}
	return ist.Canary.Revision
}

// TestIstioctlCanaryCommands: istioctl installs each control plane once, the gateways'
// revision (the default tag's) first so that it takes over the tags and the shared components
// before the other's install prunes; in a canary upgrade each command says which release's
// istioctl runs it, as the two releases' istioctl differ, and with one control plane there is
// nothing to say.
func TestIstioctlCanaryCommands(t *testing.T) {
	for _, step := range canarySteps {
		in := canaryInput(t, step, api.InstallerIstioctl)
		ist := &in.Config.Spec.Istio
		type install struct{ revision, version string }
		want := []install{{ist.Tags[api.DefaultTag], ist.Version}}
		if ist.Canary != nil {
			if want[0].revision == ist.Canary.Revision {
				want = []install{{ist.Canary.Revision, ist.Canary.Version}, {ist.Revision, ist.Version}}
			} else {
				want = append(want, install{ist.Canary.Revision, ist.Canary.Version})
			}
		}
		for name, f := range clusterFolders(t, in) {
			var got []install
			istioctl := ""
			for _, l := range strings.Split(readmeOf(f), "\n") {
				if v, ok := strings.CutPrefix(l, "# with the istioctl of Istio "); ok {
					istioctl = v
				}
				file, ok := strings.CutPrefix(l, "istioctl install -y -f istioctl/"+in.Config.Metadata.Name+"-")
				if !ok {
					continue
				}
				got = append(got, install{strings.TrimSuffix(file, ".yaml"), istioctl})
				istioctl = ""
			}
			if ist.Canary == nil {
				for i := range want {
					want[i].version = ""
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s %s: control planes installed (revision, istioctl) %v, want %v", step, name, got, want)
			}
		}
	}
}

// TestOperatorSharedComponents: of a canary upgrade's two IstioOperators, only the gateways'
// revision's installs the CNI agent and the profile's ingress gateway; the other turns the
// ingress gateway off, else the two operators would overwrite each other's Deployment. With
// one control plane, its IstioOperator has both.
func TestOperatorSharedComponents(t *testing.T) {
	for _, step := range canarySteps {
		in := canaryInput(t, step, api.InstallerOperator)
		in.Config.Spec.Istio.CNI = true
		in.Config.Spec.Security.PodSecurity = ""
		api.Default(in.Config)
		if es := api.Validate(in.Config, in.Creds); es != nil {
			t.Fatal(es)
		}
		ist := &in.Config.Spec.Istio
		for name, f := range clusterFolders(t, in) {
			n := 0
			for _, o := range f.Objects {
				op, ok := o.Body.(*istioOperator)
				if !ok || op.Spec.Revision == "" || op.Name == "eastwest" {
					continue
				}
				n++
				owns := op.Spec.Revision == ist.Tags[api.DefaultTag]
				c := op.Spec.Components
				cni := c != nil && c.CNI != nil && c.CNI.Enabled
				ingressOff := c != nil && len(c.IngressGateways) == 1 && c.IngressGateways[0].Name == IngressRelease && !c.IngressGateways[0].Enabled
				if cni != owns || ingressOff == owns {
					t.Errorf("%s %s: IstioOperator of %s (the gateways': %v): CNI %v, ingress gateway off %v", step, name, op.Spec.Revision, owns, cni, ingressOff)
				}
			}
			if want := len(ist.Revisions()); n != want {
				t.Errorf("%s %s: %d control-plane IstioOperators, want %d", step, name, n, want)
			}
		}
	}
}
