package gen

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// settings are what every installer must set the same way for one cluster.
type settings struct {
	MeshID, ClusterName, Network, Hub, Tag, Profile, Revision string
	EastWestPorts                                             string
	EastWestLabels                                            string // app and istio
	RequestedNetworkView                                      string
	CNI                                                       bool
}

// One extraction per form: the IstioOperators (applied, or files for istioctl), and the Helm
// values (the gateway chart turns networkGateway into the network view, as the e2e test of the
// chart shows).
func fromOperators(t *testing.T, cp, ew *istioOperator) settings {
	t.Helper()
	if cp == nil || ew == nil {
		t.Fatal("no control-plane or east-west IstioOperator")
	}
	g, gw := cp.Spec.Values.Global, ew.Spec.Components.IngressGateways[0]
	s := settings{MeshID: g.MeshID, ClusterName: g.MultiCluster.ClusterName, Network: g.Network, Hub: cp.Spec.Hub, Tag: cp.Spec.Tag,
		Profile: cp.Spec.Profile, Revision: cp.Spec.Revision, EastWestPorts: fmt.Sprint(gw.K8s.Service.Ports),
		EastWestLabels: gw.Label["app"] + "," + gw.Label["istio"], CNI: cp.Spec.Components != nil && cp.Spec.Components.CNI != nil && cp.Spec.Components.CNI.Enabled}
	for _, e := range gw.K8s.Env {
		if e.Name == "ISTIO_META_REQUESTED_NETWORK_VIEW" {
			s.RequestedNetworkView = e.Value
		}
	}
	if ew.Spec.Hub != s.Hub || ew.Spec.Tag != s.Tag || ew.Spec.Revision != s.Revision || !reflect.DeepEqual(ew.Spec.Values.Global, g) || gw.Label[networkLabel] != g.Network {
		t.Errorf("the east-west IstioOperator differs from the control plane's: %+v", ew.Spec)
	}
	return s
}

func fromHelm(t *testing.T, files map[string]any) settings {
	t.Helper()
	// A revision's release is istiod-<revision> (revisions.go).
	iv, _ := files["helm/istiod-canary.values.yaml"].(*istiodValues)
	ew, _ := files["helm/"+EastWestRelease+".values.yaml"].(*gatewayChartValues)
	if iv == nil || ew == nil {
		t.Fatalf("no istiod or east-west gateway values among %d files", len(files))
	}
	g := iv.Global
	s := settings{MeshID: g.MeshID, ClusterName: g.MultiCluster.ClusterName, Network: g.Network, Hub: g.Hub, Tag: g.Tag,
		Profile: iv.Profile, Revision: iv.Revision, EastWestPorts: fmt.Sprint(ew.Service.Ports),
		EastWestLabels: ew.Labels["app"] + "," + ew.Labels["istio"], RequestedNetworkView: ew.NetworkGateway,
		CNI: iv.Pilot != nil && iv.Pilot.CNI != nil && iv.Pilot.CNI.Enabled}
	if s.Profile == "" {
		s.Profile = api.DefaultProfile // the charts' own: they have no profile file for it
	}
	if ew.Revision != s.Revision {
		t.Errorf("east-west gateway revision %q, istiod's %q", ew.Revision, s.Revision)
	}
	if s.CNI {
		if _, ok := files["helm/istio-cni.values.yaml"]; !ok {
			t.Error("CNI on, no istio-cni release")
		}
	}
	return s
}

// fromSail takes the settings from the Istio object (its name is the revision, spec.version
// the tag with Sail's v) and the east-west gateway's Helm values, as with helm; the IstioCNI
// must match the Istio.
func fromSail(t *testing.T, f *Folder, files map[string]any) settings {
	t.Helper()
	var ist *sailIstio
	var cni *sailIstioCNI
	for _, o := range f.Objects {
		switch b := o.Body.(type) {
		case *sailIstio:
			ist = b
		case *sailIstioCNI:
			cni = b
		}
	}
	ew, _ := files["helm/"+EastWestRelease+".values.yaml"].(*gatewayChartValues)
	if ist == nil || ew == nil {
		t.Fatalf("%s: no Istio object or east-west gateway values", f.Name)
	}
	g, rev := ist.Spec.Values.Global, ist.Name
	if rev == "default" {
		rev = ""
	}
	s := settings{MeshID: g.MeshID, ClusterName: g.MultiCluster.ClusterName, Network: g.Network, Hub: g.Hub, Tag: g.Tag,
		Profile: ist.Spec.Profile, Revision: rev, EastWestPorts: fmt.Sprint(ew.Service.Ports),
		EastWestLabels: ew.Labels["app"] + "," + ew.Labels["istio"], RequestedNetworkView: ew.NetworkGateway,
		CNI: ist.Spec.Values.Pilot != nil && ist.Spec.Values.Pilot.CNI != nil && ist.Spec.Values.Pilot.CNI.Enabled}
	if s.Profile == "" {
		s.Profile = api.DefaultProfile // Sail applies it always
	}
	if ist.Spec.Version != "v"+g.Tag || ist.Spec.UpdateStrategy == nil || ist.Spec.UpdateStrategy.Type != "InPlace" {
		t.Errorf("%s: Istio version %q, tag %q, update strategy %+v", f.Name, ist.Spec.Version, g.Tag, ist.Spec.UpdateStrategy)
	}
	if ew.Revision != s.Revision {
		t.Errorf("east-west gateway revision %q, the Istio's %q", ew.Revision, s.Revision)
	}
	if s.CNI && (cni == nil || cni.Spec.Version != ist.Spec.Version || cni.Spec.Namespace != ist.Spec.Namespace || cni.Spec.Values.Global.Hub != g.Hub) {
		t.Errorf("%s: CNI on, IstioCNI %+v", f.Name, cni)
	}
	return s
}

// TestInstallersAgree renders one mesh with each installer and checks that the settings each
// cluster gets are the same, and that nothing but the operator's IstioOperators is applied.
func TestInstallersAgree(t *testing.T) {
	// Each installer where it works: operator below 1.24, sail where a Sail release installs
	// the version; istioctl everywhere, the reference.
	for version, insts := range map[string][]string{
		"1.12.0": {api.InstallerIstioctl, api.InstallerHelm, api.InstallerOperator},
		"1.22.3": {api.InstallerIstioctl, api.InstallerHelm, api.InstallerOperator},
		"1.30.3": {api.InstallerIstioctl, api.InstallerHelm, api.InstallerSail},
	} {
		got := map[string]map[string]settings{}
		for _, inst := range insts {
			in := input(3)
			ist := &in.Config.Spec.Istio
			ist.Version, ist.Installer, ist.Revision, ist.CNI, ist.Hub = version, inst, "canary", true, "registry.example.com/istio"
			in.Config.Spec.Security.PodSecurity = ""
			api.Default(in.Config)
			if es := api.Validate(in.Config, in.Creds); es != nil {
				t.Fatalf("%s: %v", inst, es)
			}
			got[inst] = map[string]settings{}
			if err := Each(in, "", func(f *Folder) error {
				if f.Name == api.Reserved {
					return nil
				}
				var ops []*istioOperator
				for _, o := range f.Objects {
					if op, ok := o.Body.(*istioOperator); ok {
						ops = append(ops, op)
					}
				}
				files := map[string]any{}
				for _, fl := range f.Files {
					files[fl.Name] = fl.Value
					if op, ok := fl.Value.(*istioOperator); ok {
						if op.Annotations[LocalConfig] != "true" {
							t.Errorf("%s: %s: an IstioOperator file without %s", inst, fl.Name, LocalConfig)
						}
						ops = append(ops, op)
					}
				}
				if readme, ok := f.Files[len(f.Files)-1].Data, f.Files[len(f.Files)-1].Name == "README.md"; !ok || !strings.Contains(string(readme), "```sh") {
					t.Errorf("%s: %s: no README with commands last", inst, f.Name)
				}
				switch inst {
				case api.InstallerOperator, api.InstallerIstioctl:
					if len(ops) != 2 {
						t.Fatalf("%s: %s: %d IstioOperators", inst, f.Name, len(ops))
					}
					applied := len(f.Objects) > 0 && ops[0] == f.Objects[0].Body
					for _, o := range f.Objects {
						applied = applied || o.Kind == kIstioOperator.Kind
					}
					if applied != (inst == api.InstallerOperator) {
						t.Errorf("%s: %s: IstioOperators applied: %v", inst, f.Name, applied)
					}
					got[inst][f.Name] = fromOperators(t, ops[0], ops[1])
				case api.InstallerHelm:
					if len(ops) != 0 {
						t.Errorf("%s: %s: %d IstioOperators", inst, f.Name, len(ops))
					}
					got[inst][f.Name] = fromHelm(t, files)
				case api.InstallerSail:
					if len(ops) != 0 {
						t.Errorf("%s: %s: %d IstioOperators", inst, f.Name, len(ops))
					}
					got[inst][f.Name] = fromSail(t, f, files)
				default:
					t.Fatalf("installer %s has no extraction", inst)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		want := got[api.InstallerIstioctl]
		if len(want) != 3 || want["c1"].ClusterName != "c1" || want["c1"].Revision != "canary" || want["c1"].RequestedNetworkView != want["c1"].Network || !want["c1"].CNI {
			t.Fatalf("%s istioctl: %+v", version, want)
		}
		for inst, g := range got {
			if !reflect.DeepEqual(g, want) {
				t.Errorf("%s %s differs from istioctl:\n got %+v\nwant %+v", version, inst, g, want)
			}
		}
	}
}

// TestInstallerInfo: each installer tells in an info line what installs Istio and where the
// commands are.
func TestInstallerInfo(t *testing.T) {
	for inst, want := range map[string]string{
		api.InstallerOperator: "istioctl operator init --tag 1.22.3 --hub docker.io/istio --revision canary",
		api.InstallerHelm:     "not applied with the objects: install the charts base, istiod and gateway",
		api.InstallerIstioctl: "istioctl install -f with the IstioOperator files under <cluster>/istioctl/",
		api.InstallerSail:     "helm upgrade --install sail-operator sail-operator --repo " + SailRepo + " --version 1.30.3 ",
	} {
		in := input(2)
		in.Config.Spec.Istio.Version, in.Config.Spec.Istio.Installer, in.Config.Spec.Istio.Revision = "1.22.3", inst, "canary"
		if inst == api.InstallerSail {
			in.Config.Spec.Istio.Version = "1.30.3"
		}
		api.Default(in.Config)
		if got := strings.Join(Info(in.Config), "\n"); !strings.Contains(got, "spec.istio.installer "+inst+": ") || !strings.Contains(got, want) {
			t.Errorf("%s: info %q lacks %q", inst, got, want)
		}
	}
}
