package gen

import (
	"fmt"
	"slices"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// remoteInput is input(3) with c2 a remote of c0, on networks nets.
func remoteInput(t *testing.T, version, installer string, nets ...string) *api.Input {
	t.Helper()
	in := input(3)
	s := &in.Config.Spec
	s.Istio.Version, s.Istio.Installer = version, installer
	for i := range s.Clusters {
		s.Clusters[i].Network = nets[i]
		s.Clusters[i].PodCIDRs = []string{fmt.Sprintf("10.%d.0.0/16", 100+i)}
	}
	s.Clusters[0].EastWestAddress = "192.0.2.200"
	s.Clusters[2].Primary = "c0"
	if es := api.Validate(in.Config, in.Creds); es != nil {
		t.Fatalf("%s %s %v: %v", version, installer, nets, es)
	}
	return in
}

// TestRemote: in every installer form, the remote gets the remote profile with its primary's
// east-west address and its own injection path, the primary runs istiod with EXTERNAL_ISTIOD
// and exposes it on an east-west gateway (on one network too), the other primary neither;
// remote secrets as api.Spec.Reads says: in primaries only, for every other cluster.
func TestRemote(t *testing.T) {
	cases := []struct{ version, installer string }{
		{"1.12.0", api.InstallerOperator}, {"1.12.0", api.InstallerIstioctl},
		{"1.24.2", api.InstallerIstioctl}, {"1.24.2", api.InstallerHelm},
	}
	for _, c := range cases {
		for _, nets := range [][]string{{"net-a", "net-b", "net-c"}, {"net", "net", "net"}} {
			name := fmt.Sprint(c.version, " ", c.installer, " ", nets)
			in := remoteInput(t, c.version, c.installer, nets...)
			type got struct {
				profile, pilot, path     string
				externalIstiod, eastWest bool
			}
			res := map[string]*got{}
			var objs []Object
			if err := Each(in, "", func(f *Folder) error {
				objs = append(objs, f.Objects...)
				r := &got{}
				res[f.Name] = r
				var ops []*istioOperator
				for _, o := range f.Objects {
					if op, ok := o.Body.(*istioOperator); ok {
						ops = append(ops, op)
					}
				}
				for _, fl := range f.Files {
					switch v := fl.Value.(type) {
					case *istioOperator:
						ops = append(ops, v)
					case *istiodValues:
						r.profile, r.pilot = v.Profile, v.Global.RemotePilotAddress
						if v.IstiodRemote != nil {
							r.path = v.IstiodRemote.InjectionPath
						}
						r.externalIstiod = v.Pilot != nil && v.Pilot.Env["EXTERNAL_ISTIOD"] == "true"
					case *gatewayChartValues:
						r.eastWest = r.eastWest || fl.Name == "helm/"+EastWestRelease+".values.yaml"
					}
				}
				for _, op := range ops {
					if op.Name == "eastwest" {
						r.eastWest = true
						continue
					}
					r.profile, r.pilot = op.Spec.Profile, op.Spec.Values.Global.RemotePilotAddress
					if op.Spec.Values.IstiodRemote != nil {
						r.path = op.Spec.Values.IstiodRemote.InjectionPath
					}
					r.externalIstiod = op.Spec.Values.Pilot != nil && op.Spec.Values.Pilot.Env["EXTERNAL_ISTIOD"] == "true"
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			multi := nets[0] != nets[1]
			if r := res["c2"]; r.profile != api.ProfileRemote || r.pilot != "192.0.2.200" || r.path != "/inject/cluster/c2/net/"+nets[2] || r.externalIstiod || r.eastWest != multi {
				t.Errorf("%s: remote c2: %+v", name, r)
			}
			if r := res["c0"]; r.profile == api.ProfileRemote || r.pilot != "" || r.path != "" || !r.externalIstiod || !r.eastWest {
				t.Errorf("%s: primary c0: %+v", name, r)
			}
			if r := res["c1"]; r.profile == api.ProfileRemote || r.externalIstiod || r.eastWest != multi {
				t.Errorf("%s: primary c1 without remotes: %+v", name, r)
			}
			for _, cl := range []string{"c0", "c1", "c2"} {
				exposed := len(find(objs, cl, "Gateway", "istiod-gateway")) == 1 && len(find(objs, cl, "VirtualService", "istiod-vs")) == 1
				if exposed != (cl == "c0") {
					t.Errorf("%s: %s exposes istiod: %v", name, cl, exposed)
				}
				var secrets []string
				for _, o := range objs {
					if s, ok := o.Body.(*secret); ok && o.Cluster == cl && s.Labels["istio/multiCluster"] == "true" {
						secrets = append(secrets, s.Annotations["networking.istio.io/cluster"])
					}
				}
				want := map[string][]string{"c0": {"c1", "c2"}, "c1": {"c0", "c2"}}[cl]
				if !slices.Equal(secrets, want) {
					t.Errorf("%s: %s holds remote secrets for %v, want %v", name, cl, secrets, want)
				}
			}
		}
	}
}
