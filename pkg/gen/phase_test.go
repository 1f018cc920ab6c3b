package gen

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// wantPhase is the phase an object belongs to: its kind's, but for the kinds that span phases.
func wantPhase(o Object) Phase {
	switch b := o.Body.(type) {
	case *caClusterIssuer, *caCertificate:
		return PhaseBase // cacerts before istiod starts
	case *secret:
		if strings.HasPrefix(b.Name, "istio-remote-secret-") {
			return PhaseGateways // read by a running istiod
		}
	case *gateway:
		if b.Name == "cross-network-gateway" || b.Name == "istiod-gateway" {
			return PhaseGateways // with the east-west gateway it configures
		}
	case *virtualService:
		if b.Name == "istiod-vs" {
			return PhaseGateways // with the istiod-gateway it routes
		}
	}
	if o.Kind == kIstioOperator.Kind && strings.Contains(o.Name, "eastwest") {
		return PhaseGateways
	}
	return kindOf(o.APIVersion, o.Kind).Phase
}

// phaseProblems lists what breaks the phases in a folder: objects out of rollout order (the
// GitOps tool's own in a cluster's folder last), a cluster's applied object without a phase or
// a hub's with one, an object in another phase than wantPhase says.
func phaseProblems(c *api.MeshConfig, f *Folder) []string {
	var out []string
	hub := f.Name == api.Reserved || f.Name == api.HubFolder(&c.Spec)
	for i, o := range f.Objects {
		if i > 0 && o.rank() < f.Objects[i-1].rank() {
			out = append(out, fmt.Sprintf("%s after %s", o.Path(), f.Objects[i-1].Path()))
		}
		if (hub || !o.Applied()) != (o.Phase == PhaseNone) {
			out = append(out, fmt.Sprintf("%s: phase %s in folder %s", o.Path(), o.Phase, f.Name))
		}
		if w := wantPhase(o); o.Phase != w {
			out = append(out, fmt.Sprintf("%s: phase %s, want %s", o.Path(), o.Phase, w))
		}
	}
	return out
}

// TestPhases: in every example and a synthetic mesh, each folder's objects come in rollout
// order and each object is in its kind's phase or its kind's known exception. Negative
// controls: two objects swapped, and one object moved to another phase, are reported.
func TestPhases(t *testing.T) {
	ms, _ := filepath.Glob("../../examples/*/mesh.yaml")
	ins := []*api.Input{input(3)}
	for _, m := range ms {
		ins = append(ins, example(t, filepath.Base(filepath.Dir(m))))
	}
	seen := map[Phase]bool{}
	var last *Folder
	for _, in := range ins {
		in := in
		err := Each(in, "", func(f *Folder) error {
			for _, p := range phaseProblems(in.Config, f) {
				t.Errorf("%s: %s", in.Config.Metadata.Name, p)
			}
			for _, o := range f.Objects {
				seen[o.Phase] = true
			}
			if f.Name != api.Reserved {
				last = f
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range append(Phases, PhaseNone) {
		if !seen[p] {
			t.Errorf("no example has an object in phase %s", p)
		}
	}
	swapped := &Folder{Name: last.Name, Objects: slices.Clone(last.Objects)}
	n := len(swapped.Objects) - 1
	swapped.Objects[0], swapped.Objects[n] = swapped.Objects[n], swapped.Objects[0]
	if len(phaseProblems(ins[0].Config, swapped)) == 0 {
		t.Errorf("the first and last object of %s swapped pass", last.Name)
	}
	moved := &Folder{Name: last.Name, Objects: slices.Clone(last.Objects)}
	moved.Objects[n].Phase = PhaseBase
	if len(phaseProblems(ins[0].Config, moved)) == 0 {
		t.Errorf("%s moved to %s passes", moved.Objects[n].Path(), PhaseBase)
	}
}

// TestPhaseFolders: the folders' names sort in rollout order (a reader of a tree can order
// them by name) and name their phase back.
func TestPhaseFolders(t *testing.T) {
	var names []string
	for _, p := range Phases {
		names = append(names, p.Folder())
		if PhaseOfFolder(p.Folder()) != p {
			t.Errorf("PhaseOfFolder(%q) = %s", p.Folder(), PhaseOfFolder(p.Folder()))
		}
	}
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(Phases) {
		t.Errorf("phase folders %v: not sorted in rollout order or not distinct", names)
	}
	if PhaseNone.Folder() != "" || PhaseOfFolder("helm") != PhaseNone {
		t.Error("PhaseNone has a folder, or helm/ is a phase")
	}
}
