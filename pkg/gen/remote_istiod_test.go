package gen

import (
	"slices"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// TestRemoteIstiodEgress: a remote's pods reach istiod (xDS and certificates, 15012) at the
// primary's east-west address, and their NetworkPolicies say where: an IP address is the
// one destination, as a single-address block of its family; a hostname cannot stand in a
// NetworkPolicy, so the port is open to any destination rather than closed.
func TestRemoteIstiodEgress(t *testing.T) {
	for addr, want := range map[string][]string{
		"192.0.2.200":        {"192.0.2.200/32"},
		"2001:db8::200":      {"2001:db8::200/128"},
		"istiod.example.com": nil,
	} {
		in := remoteInput(t, "1.24.2", api.InstallerHelm, "net-a", "net-b", "net-c")
		in.Config.Spec.Clusters[0].EastWestAddress = addr
		if es := api.Validate(in.Config, in.Creds); es != nil {
			t.Fatalf("%s: %v", addr, es)
		}
		np := clusterFolders(t, in)["c2"].policy(t, "app", "np-web")
		var got []string
		rules := 0
		for _, r := range np.Spec.Egress {
			if len(r.Ports) != 1 || r.Ports[0].Port != istiodPort {
				continue
			}
			rules++
			for _, p := range r.To {
				if p.IPBlock == nil || p.PodSelector != nil || p.NamespaceSelector != nil {
					t.Errorf("%s: egress to istiod through %+v", addr, p)
					continue
				}
				got = append(got, p.IPBlock.CIDR)
			}
		}
		if rules != 1 || !slices.Equal(got, want) {
			t.Errorf("%s: %d egress rules to istiod's %d, to %v; want one, to %v (none: anywhere)", addr, rules, istiodPort, got, want)
		}
	}
}

// policy is the NetworkPolicy namespace/name of the folder.
func (f *Folder) policy(t *testing.T, namespace, name string) *networkPolicy {
	t.Helper()
	for _, o := range f.Objects {
		if np, ok := o.Body.(*networkPolicy); ok && o.Namespace == namespace && o.Name == name {
			return np
		}
	}
	t.Fatalf("%s: no NetworkPolicy %s/%s", f.Name, namespace, name)
	return nil
}

// TestExposedIstiodHost: a primary with remotes exposes its istiod on the east-west gateway
// through a VirtualService to istiod's Service, which the istiod chart and the operator name
// istiod-<revision> when spec.istio.revision is set.
func TestExposedIstiodHost(t *testing.T) {
	for rev, want := range map[string]string{"": "istiod.istio-system.svc.cluster.local", "blue": "istiod-blue.istio-system.svc.cluster.local"} {
		in := remoteInput(t, "1.24.2", api.InstallerHelm, "net-a", "net-b", "net-c")
		in.Config.Spec.Istio.Revision = rev
		if es := api.Validate(in.Config, in.Creds); es != nil {
			t.Fatalf("revision %q: %v", rev, es)
		}
		var hosts []string
		for _, o := range clusterFolders(t, in)["c0"].Objects {
			if vs, ok := o.Body.(*virtualService); ok && o.Name == "istiod-vs" {
				for _, r := range vsOf(vs).Tls {
					for _, d := range r.Route {
						hosts = append(hosts, d.Destination.Host)
					}
				}
			}
		}
		if !slices.Equal(hosts, []string{want, want}) {
			t.Errorf("revision %q: istiod exposed as %v, want %s for 15012 and 15017", rev, hosts, want)
		}
	}
}
