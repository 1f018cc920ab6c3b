package gen

import (
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// TestControlPlaneNamespace: the node selector as one sorted annotation, the LimitRange with
// exactly the quantities given, marked as Rancher's default quota only with Rancher.
func TestControlPlaneNamespace(t *testing.T) {
	for _, rancher := range []bool{true, false} {
		in := input(2)
		cp := &in.Config.Spec.ControlPlane
		cp.NodeSelector = map[string]string{"zone": "b", "role": "ingress"}
		cp.LimitRange = &api.LimitRange{Default: api.Resources{CPU: "100m", Memory: "1Gi"}, DefaultRequest: api.Resources{CPU: "10m"}}
		if !rancher {
			in.Config.Spec.Rancher = nil
			for i := range in.Config.Spec.Clusters {
				in.Config.Spec.Clusters[i].RancherClusterID = ""
			}
		}
		objs := generate(in)
		ns := find(objs, "c1", "Namespace", "istio-system")[0].Body.(*namespace)
		if got := ns.Annotations[nodeSelectorAnn]; got != "role=ingress,zone=b" {
			t.Errorf("node selector %q", got)
		}
		lr := js(t, find(objs, "c1", "LimitRange", "istio-limitrange")[0].Body)
		if !strings.Contains(lr, `"limits":[{"type":"Container","default":{"cpu":"100m","memory":"1Gi"},"defaultRequest":{"cpu":"10m"}}]`) {
			t.Errorf("LimitRange %s", lr)
		}
		if got := strings.Contains(lr, cattleDefaultQuota); got != rancher {
			t.Errorf("Rancher %v: default-quota label %v: %s", rancher, got, lr)
		}
	}
	in := input(2)
	in.Config.Spec.ControlPlane.NodeSelector = nil
	objs := generate(in)
	if _, ok := find(objs, "c0", "Namespace", "istio-system")[0].Body.(*namespace).Annotations[nodeSelectorAnn]; ok {
		t.Error("node-selector annotation without a node selector")
	}
	if lr := find(objs, "c0", "LimitRange", ""); len(lr) != 0 {
		t.Error("LimitRange without spec.controlPlane.limitRange")
	}
}

// TestCommonNameLimit: X.509's 64 bytes are the limit, inclusive.
func TestCommonNameLimit(t *testing.T) {
	for n, want := range map[int]bool{64: true, 65: false} {
		host := strings.Repeat("a", n-len(".example.com")) + ".example.com"
		in := input(2)
		in.Config.Spec.Issuers = []api.Issuer{{Name: "le", ACME: &api.ACME{Email: "a@example.com", Server: "https://acme.example.com", DNS01Webhook: &api.DNS01Webhook{GroupName: "acme.example.com", SolverName: "s"}}}}
		in.Config.Spec.Services[0].Ingress = &api.Ingress{Hosts: []string{host}, TLS: &api.TLS{Issuer: "le"}}
		if es := api.Validate(in.Config, in.Creds); es != nil {
			t.Fatal(es)
		}
		c := find(generate(in), "c0", "Certificate", "")
		if len(c) != 1 {
			t.Fatalf("%d Certificates", len(c))
		}
		if got := c[0].Body.(*certificate).Spec.CommonName == host; got != want {
			t.Errorf("%d-byte host: commonName set %v, want %v", n, got, want)
		}
	}
}
