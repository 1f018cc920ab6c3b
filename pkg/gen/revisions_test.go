package gen_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/internal/invariant"
	"github.com/meshgen/meshgen/pkg/synth"
)

// canaryMesh is a mesh of three clusters on two networks in a step of a canary upgrade, with
// one namespace on the default tag and one on the tag next.
func canaryMesh(installer, version, canary, tags string) string {
	c := ""
	if canary != "" {
		c = "\n    canary: {version: " + canary + ", revision: new}"
	}
	return fmt.Sprintf(`apiVersion: meshgen.dev/v1alpha1
kind: MeshConfig
metadata: {name: m}
spec:
  istio:
    version: %s
    revision: %s
    installer: %s%s
    tags: {%s}
  remoteSecrets: {mode: none}
  clusters:
  - {name: a, network: n1, podCIDRs: [10.1.0.0/16]}
  - {name: b, network: n1, podCIDRs: [10.2.0.0/16]}
  - {name: c, network: n2}
  namespaces: [{name: shop}, {name: lab, tag: next}]
  services:
  - {name: web, namespace: shop, port: 8080, versions: [{name: v1, weight: 100, clusters: [a, c]}]}
  - {name: api, namespace: lab, port: 8080, versions: [{name: v1, weight: 100, clusters: [b]}]}
`, version, map[bool]string{true: "old", false: "new"}[canary != "" || strings.Contains(tags, "old")], installer, c, tags)
}

// TestRevisionSteps renders the three steps of an upgrade with each installer and holds every
// cluster to the rules: each namespace's tag resolves to exactly one control plane installed in
// that cluster, the east-west gateway runs on an installed revision (the default tag's), and
// the tags point where the MeshConfig says.
func TestRevisionSteps(t *testing.T) {
	for _, tc := range []struct{ installer, from, to string }{
		{"operator", "1.22.3", "1.23.1"},
		{"istioctl", "1.26.3", "1.27.0"},
		{"helm", "1.29.0", "1.31.0"},
	} {
		steps := []struct {
			name, version, canary, tags string
			controlPlanes               int
			gateway                     string
		}{
			{"step1", tc.from, tc.to, "default: old, next: new", 2, "old"},
			{"step2", tc.from, tc.to, "default: new, next: new", 2, "new"},
			{"step3", tc.to, "", "default: new, next: new", 1, "new"},
		}
		for _, st := range steps {
			t.Run(tc.installer+"/"+st.name, func(t *testing.T) {
				in, err := synth.Mesh{Config: []byte(canaryMesh(tc.installer, st.version, st.canary, st.tags))}.Input()
				if err != nil {
					t.Fatal(err)
				}
				m := generated(t, in)
				for _, r := range []string{"tags", "injection", "identity", "cross-network", "same-network"} {
					for _, v := range invariant.RuleNamed(r).Check(m) {
						t.Error(v)
					}
				}
				for _, cl := range []string{"a", "b", "c"} {
					cps, gw := controlPlanes(m, cl)
					if len(cps) != st.controlPlanes {
						t.Errorf("%s: control planes %v, want %d", cl, cps, st.controlPlanes)
					}
					// One east-west gateway per cluster, on the default tag's revision.
					if len(gw) != 1 || gw[0] != st.gateway {
						t.Errorf("%s: east-west gateways on %v, want one on %s", cl, gw, st.gateway)
					}
				}
			})
		}
	}
}

// controlPlanes lists the revisions of a cluster's control planes and east-west gateways, from
// the installer's IstioOperators (applied or files) and Helm values.
func controlPlanes(m *invariant.Mesh, cluster string) (cps, gateways []string) {
	rev := func(b []byte) string {
		for _, l := range strings.Split(string(b), "\n") {
			if r, ok := strings.CutPrefix(strings.TrimSpace(l), "revision: "); ok {
				return r
			}
		}
		return ""
	}
	for name, b := range m.Installer[cluster] {
		switch {
		case strings.HasPrefix(name, "helm/istiod"), strings.HasPrefix(name, "istioctl/m-"):
			cps = append(cps, rev(b))
		case name == "helm/istio-eastwestgateway.values.yaml", name == "istioctl/eastwest.yaml":
			gateways = append(gateways, rev(b))
		}
	}
	for _, o := range m.Objects {
		if o.Cluster != cluster || o.Doc["kind"] != "IstioOperator" {
			continue
		}
		meta, _ := o.Doc["metadata"].(map[string]any)
		spec, _ := o.Doc["spec"].(map[string]any)
		r, _ := spec["revision"].(string)
		if meta["name"] == "eastwest" {
			gateways = append(gateways, r)
		} else {
			cps = append(cps, r)
		}
	}
	slices.Sort(cps)
	return cps, gateways
}
