package gen

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// sailAsHelm is the istiod chart values Sail installs from an Istio: its spec.values with what
// Sail sets itself (values.revision from the name, the name default being none;
// global.istioNamespace from spec.namespace; profile from spec.profile) and the revisionTags
// that each IstioRevisionTag targeting it adds (Sail renders the tag's webhook with the
// target's values and revisionTags [tag]).
func sailAsHelm(ist *sailIstio, tags []*sailRevisionTag) *istiodValues {
	v := *ist.Spec.Values
	gl := *v.Global
	v.Global = &gl
	gl.IstioNamespace = ist.Spec.Namespace
	if ist.Name != "default" {
		v.Revision = ist.Name
	}
	v.Profile = ist.Spec.Profile
	for _, t := range tags {
		if t.Spec.TargetRef.Kind == kSailIstio.Kind && t.Spec.TargetRef.Name == ist.Name {
			v.RevisionTags = append(v.RevisionTags, t.Name)
		}
	}
	return &v
}

// TestSailAgreesWithHelm renders each step of the Sail canary example with sail and with helm:
// per cluster and revision, Sail installs the istiod values helm installs (an Istio per
// revision, each InPlace at its release), the tags point at the same revisions, and the CNI
// agent and the gateways run on the same release and revision.
func TestSailAgreesWithHelm(t *testing.T) {
	n := 0
	// The canary steps also with CNI on: the IstioCNI moves with the gateways in step 2.
	for _, step := range []string{"sail-canary/step1", "sail-canary/step2", "sail-canary/step3", "sail", "sail-canary/step1+cni", "sail-canary/step2+cni"} {
		ex, cni := strings.CutSuffix(step, "+cni")
		type out struct {
			istios map[string]*sailIstio
			tags   []*sailRevisionTag
			cni    *sailIstioCNI
			files  map[string]any
		}
		render := func(installer string) map[string]*out {
			in := example(t, ex)
			in.Config.Spec.Istio.Installer = installer
			in.Config.Spec.Istio.CNI = in.Config.Spec.Istio.CNI || cni
			got := map[string]*out{}
			if err := Each(in, "", func(f *Folder) error {
				o := &out{istios: map[string]*sailIstio{}, files: map[string]any{}}
				for _, ob := range f.Objects {
					switch b := ob.Body.(type) {
					case *sailIstio:
						o.istios[b.Name] = b
					case *sailRevisionTag:
						o.tags = append(o.tags, b)
					case *sailIstioCNI:
						o.cni = b
					}
				}
				for _, fl := range f.Files {
					o.files[fl.Name] = fl.Value
				}
				got[f.Name] = o
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return got
		}
		sail, helm := render(api.InstallerSail), render(api.InstallerHelm)
		cfg := example(t, ex).Config
		ist := &cfg.Spec.Istio
		for _, cl := range cfg.Spec.Clusters {
			s, h := sail[cl.Name], helm[cl.Name]
			if len(s.istios) != len(ist.Revisions()) || len(s.tags) != len(ist.Tags) {
				t.Errorf("%s/%s: %d Istios, %d IstioRevisionTags; want one per revision (%d) and tag (%d)", step, cl.Name, len(s.istios), len(s.tags), len(ist.Revisions()), len(ist.Tags))
			}
			for _, r := range ist.Revisions() {
				o := s.istios[sailName(r)]
				if o == nil {
					t.Errorf("%s/%s: no Istio %s", step, cl.Name, sailName(r))
					continue
				}
				if o.Spec.Version != api.SailVersion(r.Version) || o.Spec.UpdateStrategy == nil || o.Spec.UpdateStrategy.Type != "InPlace" {
					t.Errorf("%s/%s: Istio %s: version %s, update strategy %+v; want %s, InPlace", step, cl.Name, o.Name, o.Spec.Version, o.Spec.UpdateStrategy, api.SailVersion(r.Version))
				}
				got := sailAsHelm(o, s.tags)
				want, _ := h.files["helm/"+revisionName("istiod", r)+".values.yaml"].(*istiodValues)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s/%s: revision %q: Sail installs\n%+v\n%+v\nhelm\n%+v\n%+v", step, cl.Name, r.Revision, got, got.Global, want, want.Global)
				}
				n++
			}
			// The CNI agent on the gateways' release; the gateways' values the same files.
			if hc, _ := h.files["helm/istio-cni.values.yaml"].(*baseValues); (hc != nil) != (s.cni != nil) || (hc != nil) != (cni || ex == "sail") || hc != nil && s.cni.Spec.Version != api.SailVersion(hc.Global.Tag) {
				t.Errorf("%s/%s: IstioCNI %+v, helm's cni release %+v", step, cl.Name, s.cni, hc)
			}
			for _, f := range []string{"helm/" + EastWestRelease + ".values.yaml", "helm/" + IngressRelease + ".values.yaml"} {
				if !reflect.DeepEqual(s.files[f], h.files[f]) {
					t.Errorf("%s/%s: %s differs between sail and helm", step, cl.Name, f)
				}
			}
			var tags []string
			for _, tg := range s.tags {
				tags = append(tags, tg.Name)
			}
			if !slices.IsSorted(tags) {
				t.Errorf("%s/%s: IstioRevisionTags %v not in order", step, cl.Name, tags)
			}
		}
	}
	if n < 17 {
		t.Fatalf("%d revisions compared, want at least 17", n)
	}
}
