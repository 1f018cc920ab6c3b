package invariant_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/internal/invariant"
	"github.com/meshgen/meshgen/pkg/gen"
)

// golden reads an example's committed tree: a mesh known to keep every rule.
func golden(t *testing.T, ex string) *invariant.Mesh {
	t.Helper()
	cs, err := invariant.Examples("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Name != ex {
			continue
		}
		in, err := c.Mesh.Input()
		if err != nil {
			t.Fatal(err)
		}
		files, err := invariant.ReadTree(filepath.Join("../../testdata/golden", ex, "tree"))
		if err != nil {
			t.Fatal(err)
		}
		m, err := invariant.FromTree(in.Config, files)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	t.Fatalf("no example %s", ex)
	return nil
}

// flat is an object's tree path without its phase folder: <cluster>/<file>, the way the
// cases below name objects, wherever the phases put them.
func flat(file string) string {
	dir, rest, _ := strings.Cut(file, "/")
	if phase, f, ok := strings.Cut(rest, "/"); ok && gen.PhaseOfFolder(phase) != gen.PhaseNone {
		return dir + "/" + f
	}
	return file
}

// doc is the object at a tree path, given without its phase folder.
func doc(t *testing.T, m *invariant.Mesh, file string) map[string]any {
	t.Helper()
	for _, o := range m.Objects {
		if flat(o.File) == file {
			return o.Doc
		}
	}
	t.Fatalf("no object %s", file)
	return nil
}

func get(v any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v
}

// dropPort removes a TCP port from every rule of a policy's direction.
func dropPort(t *testing.T, m *invariant.Mesh, file, dir string, port float64) {
	t.Helper()
	dropped := false
	spec := get(doc(t, m, file), "spec").(map[string]any)
	var rules []any
	for _, r := range spec[dir].([]any) {
		r := r.(map[string]any)
		ports, _ := r["ports"].([]any)
		var keep []any
		for _, p := range ports {
			if p.(map[string]any)["port"] != port {
				keep = append(keep, p)
			}
		}
		dropped = dropped || len(keep) < len(ports)
		r["ports"] = keep
		// A rule left without ports would open every port: it goes with its last one.
		if len(keep) > 0 || len(ports) == 0 {
			rules = append(rules, r)
		}
	}
	spec[dir] = rules
	if !dropped {
		t.Fatalf("%s %s has no port %v", file, dir, port)
	}
}

const c1, c2 = "mcsps-test-k8s-01/", "mcsps-test-k8s-02/"

// TestRulesCatch is each rule's negative control: the golden tree keeps every rule, and each
// break, made in the parsed objects or the MeshConfig, is reported by the rule that names it.
func TestRulesCatch(t *testing.T) {
	tests := []struct {
		rule, name string
		ex         string
		breakIt    func(t *testing.T, m *invariant.Mesh)
	}{
		{"marks", "label dropped", "mcsps-test", func(t *testing.T, m *invariant.Mesh) {
			delete(get(doc(t, m, c1+"sample_service_helloworld.yaml"), "metadata", "labels").(map[string]any), "app.kubernetes.io/managed-by")
		}},
		{"identity", "clusterName and network swapped", "mcsps-test", func(t *testing.T, m *invariant.Mesh) {
			g := get(doc(t, m, c1+"istio-system_istiooperator_mcsps-test.yaml"), "spec", "values", "global").(map[string]any)
			g["network"], g["multiCluster"].(map[string]any)["clusterName"] = "mcsps-test-k8s-01", "mcsps-test-01"
		}},
		{"identity", "east-west network view of the peer", "mcsps-test", func(t *testing.T, m *invariant.Mesh) {
			get(doc(t, m, c1+"istio-system_istiooperator_eastwest.yaml"), "spec", "components", "ingressGateways", 0, "k8s", "env", 0).(map[string]any)["value"] = "mcsps-test-02"
		}},
		{"remote-secrets", "one direction only", "mcsps-test", func(t *testing.T, m *invariant.Mesh) {
			var keep []invariant.Object
			for _, o := range m.Objects {
				if !strings.HasPrefix(flat(o.File), c2+"istio-system_secret_") {
					keep = append(keep, o)
				}
			}
			m.Objects = keep
		}},
		{"remote-secrets", "pointing at itself", "three-sites", func(t *testing.T, m *invariant.Mesh) {
			m.Config.Spec.Clusters[1].APIServer = "https://elsewhere.example.com"
		}},
		{"remote-secrets", "no reader account", "mcsps-test", func(t *testing.T, m *invariant.Mesh) {
			var keep []invariant.Object
			for _, o := range m.Objects {
				if flat(o.File) != c1+"istio-system_serviceaccount_istio-reader-service-account.yaml" {
					keep = append(keep, o)
				}
			}
			if len(keep) == len(m.Objects) {
				t.Fatal("no reader account in the golden tree")
			}
			m.Objects = keep
		}},
		{"remote-secrets", "an ExternalSecret pointing at the wrong server", "external-secrets", func(t *testing.T, m *invariant.Mesh) {
			d := get(doc(t, m, "hel/istio-system_externalsecret_istio-remote-secret-osl.yaml"), "spec", "target", "template", "data").(map[string]any)
			d["osl"] = strings.ReplaceAll(d["osl"].(string), "osl.k8s.example.com", "elsewhere.example.com")
		}},
		{"weights", "first version's weight everywhere", "mcsps-test", func(t *testing.T, m *invariant.Mesh) {
			get(doc(t, m, c1+"sample_virtualservice_helloworld.yaml"), "spec", "http", 0, "route", 1).(map[string]any)["weight"] = 10.0
		}},
		{"weights", "ingress split differs", "three-sites", func(t *testing.T, m *invariant.Mesh) {
			get(doc(t, m, "ams/shop_virtualservice_catalog-ingress.yaml"), "spec", "http", 0, "route", 0).(map[string]any)["weight"] = 70.0
		}},
		{"weights", "zero-weight version without its subset", "three-sites", func(t *testing.T, m *invariant.Mesh) {
			m.Config.Spec.Services[0].Versions = append(m.Config.Spec.Services[0].Versions, m.Config.Spec.Services[0].Versions[0])
			m.Config.Spec.Services[0].Versions[2].Name, m.Config.Spec.Services[0].Versions[2].Weight = "dark", 0
		}},
		{"certificates", "in the service namespace", "mcsps-test", func(t *testing.T, m *invariant.Mesh) {
			get(doc(t, m, c1+"istio-system_certificate_helloistio-mcsps-telekomcloud-com.yaml"), "metadata").(map[string]any)["namespace"] = "sample"
		}},
		{"certificates", "secret not the credentialName", "three-sites", func(t *testing.T, m *invariant.Mesh) {
			get(doc(t, m, "waw/istio-system_certificate_checkout-shop-example-com.yaml"), "spec").(map[string]any)["secretName"] = "checkout"
		}},
		{"common-name", "over 64 bytes", "mcsps-test", func(t *testing.T, m *invariant.Mesh) {
			get(doc(t, m, c2+"istio-system_certificate_helloistio-mcsps-telekomcloud-com.yaml"), "spec").(map[string]any)["commonName"] = strings.Repeat("x", 61) + ".com"
		}},
		{"injection", "revision ignored", "three-sites", func(t *testing.T, m *invariant.Mesh) {
			m.Config.Spec.Istio.Revision = "canary"
		}},
		{"injection", "namespace without injection", "mcsps-test", func(t *testing.T, m *invariant.Mesh) {
			delete(get(doc(t, m, c1+"namespace_sample.yaml"), "metadata", "labels").(map[string]any), "istio-injection")
		}},
		{"injection", "a namespace on its revision, not its tag", "canary/step1", func(t *testing.T, m *invariant.Mesh) {
			get(doc(t, m, "north/namespace_shop.yaml"), "metadata", "labels").(map[string]any)["istio.io/rev"] = "1-27-3"
		}},
		{"tags", "a tag no control plane carries", "canary/step1", func(t *testing.T, m *invariant.Mesh) {
			edit(t, m, "north", "helm/istiod-1-28-1.values.yaml", "revisionTags:\n- preview\n", "")
		}},
		{"tags", "a tag two control planes claim", "canary/step1", func(t *testing.T, m *invariant.Mesh) {
			edit(t, m, "south", "helm/istiod-1-28-1.values.yaml", "- preview\n", "- default\n- preview\n")
		}},
		{"tags", "the east-west gateway on the removed revision", "canary/step3", func(t *testing.T, m *invariant.Mesh) {
			edit(t, m, "south", "helm/istio-eastwestgateway.values.yaml", "revision: 1-28-1", "revision: 1-27-3")
		}},
		{"tags", "a namespace on a revision no longer installed", "canary/step3", func(t *testing.T, m *invariant.Mesh) {
			get(doc(t, m, "north/namespace_shop-preview.yaml"), "metadata", "labels").(map[string]any)["istio.io/rev"] = "1-27-3"
		}},
		{"tags", "the default validator on the other revision", "canary/step2", func(t *testing.T, m *invariant.Mesh) {
			edit(t, m, "north", "helm/istio-base.values.yaml", "defaultRevision: 1-28-1", "defaultRevision: 1-27-3")
		}},
		{"tags", "a tag pointing elsewhere than the MeshConfig says", "canary/step2", func(t *testing.T, m *invariant.Mesh) {
			m.Config.Spec.Istio.Tags["default"] = "1-27-3"
		}},
		{"tags", "a Sail IstioRevisionTag at the other Istio", "sail-canary/step1", func(t *testing.T, m *invariant.Mesh) {
			get(doc(t, m, "north/istiorevisiontag_preview.yaml"), "spec", "targetRef").(map[string]any)["name"] = "1-29-6"
		}},
		{"tags", "a namespace's tag without its IstioRevisionTag", "sail-canary/step2", func(t *testing.T, m *invariant.Mesh) {
			get(doc(t, m, "south/istiorevisiontag_default.yaml"), "metadata").(map[string]any)["name"] = "stable"
		}},
		{"injection", "a Sail Istio named after no revision", "sail-canary/step1", func(t *testing.T, m *invariant.Mesh) {
			get(doc(t, m, "north/istio_1-30-3.yaml"), "metadata").(map[string]any)["name"] = "canary"
		}},
		{"injection", "a Sail Istio RevisionBased", "sail-canary/step3", func(t *testing.T, m *invariant.Mesh) {
			get(doc(t, m, "south/istio_1-30-3.yaml"), "spec", "updateStrategy").(map[string]any)["type"] = "RevisionBased"
		}},
		{"api-server-ports", "URL port missing", "mcsps-test", func(t *testing.T, m *invariant.Mesh) {
			dropPort(t, m, c2+"istio-system_networkpolicy_np-istiod.yaml", "egress", 443)
		}},
		{"api-server-ports", "a URL's own port not added", "three-sites", func(t *testing.T, m *invariant.Mesh) {
			m.Config.Spec.Clusters[2].APIServer = "https://waw.k8s.example.com:7443"
		}},
		{"policy-ports", "a port entry without a number", "three-sites", func(t *testing.T, m *invariant.Mesh) {
			delete(get(doc(t, m, "ams/istio-system_networkpolicy_np-istiod.yaml"), "spec", "egress", 0, "ports", 0).(map[string]any), "port")
		}},
		{"cross-network", "15443 closed on the east-west gateway", "mcsps-test", func(t *testing.T, m *invariant.Mesh) {
			dropPort(t, m, c1+"istio-system_networkpolicy_np-istio-eastwest.yaml", "ingress", 15443)
		}},
		{"cross-network", "15443 closed for a service", "three-sites", func(t *testing.T, m *invariant.Mesh) {
			dropPort(t, m, "fra/shop_networkpolicy_np-checkout.yaml", "egress", 15443)
		}},
		{"cross-network", "15443 opened on one network", "single-network", func(t *testing.T, m *invariant.Mesh) {
			np := doc(t, m, "dc1-a/flat_networkpolicy_np-api.yaml")
			spec := get(np, "spec").(map[string]any)
			spec["egress"] = append(spec["egress"].([]any), map[string]any{"ports": []any{map[string]any{"port": float64(15443), "protocol": "TCP"}}})
		}},
		{"same-network", "a peer's pod range left out of a service's ingress", "single-network", func(t *testing.T, m *invariant.Mesh) {
			from := get(doc(t, m, "dc1-b/flat_networkpolicy_np-cache.yaml"), "spec", "ingress", 0).(map[string]any)
			from["from"] = from["from"].([]any)[:len(from["from"].([]any))-1]
		}},
		{"same-network", "a peer's pod range left out of a service's egress", "single-network", func(t *testing.T, m *invariant.Mesh) {
			to := get(doc(t, m, "dc1-c/flat_networkpolicy_np-api.yaml"), "spec", "egress", 0).(map[string]any)
			to["to"] = to["to"].([]any)[:1]
		}},
		{"remote-secrets", "a remote holds none, as a primary must", "primary-remote", func(t *testing.T, m *invariant.Mesh) {
			m.Config.Spec.Clusters[2].Primary = ""
		}},
		{"remote-secrets", "a primary misses its remote's", "primary-remote", func(t *testing.T, m *invariant.Mesh) {
			var keep []invariant.Object
			for _, o := range m.Objects {
				if flat(o.File) != "hub/istio-system_secret_istio-remote-secret-edge.yaml" {
					keep = append(keep, o)
				}
			}
			if len(keep) == len(m.Objects) {
				t.Fatal("no remote secret for edge in hub's golden tree")
			}
			m.Objects = keep
		}},
		{"primary-remote", "the remote's primary not annotated", "primary-remote", func(t *testing.T, m *invariant.Mesh) {
			delete(get(doc(t, m, "edge/namespace_istio-system.yaml"), "metadata", "annotations").(map[string]any), "topology.istio.io/controlPlaneClusters")
		}},
		{"primary-remote", "15017 closed on the primary's east-west gateway", "primary-remote", func(t *testing.T, m *invariant.Mesh) {
			dropPort(t, m, "hub/istio-system_networkpolicy_np-istio-eastwest.yaml", "ingress", 15017)
		}},
		{"primary-remote", "istiod not exposed", "primary-remote", func(t *testing.T, m *invariant.Mesh) {
			get(doc(t, m, "hub/istio-system_gateway_istiod-gateway.yaml"), "spec", "servers", 1, "port").(map[string]any)["number"] = 15013.0
		}},
		{"rancher", "Project's limits differ", "mcsps-test", func(t *testing.T, m *invariant.Mesh) {
			get(doc(t, m, "rancher/c-pzk8b_project_istio.yaml"), "spec", "containerDefaultResourceLimit").(map[string]any)["limitsCpu"] = "2"
		}},
		{"kustomization", "last file left out", "mcsps-test", func(t *testing.T, m *invariant.Mesh) {
			k := m.Files[c1+"4-traffic/kustomization.yaml"]
			m.Files[c1+"4-traffic/kustomization.yaml"] = k[:bytes.LastIndex(bytes.TrimSuffix(k, []byte("\n")), []byte("\n"))+1]
		}},
		{"kustomization", "last phase left out", "mcsps-test", func(t *testing.T, m *invariant.Mesh) {
			k := string(m.Files[c1+"kustomization.yaml"])
			m.Files[c1+"kustomization.yaml"] = []byte(strings.Replace(k, "- 4-traffic\n", "", 1))
		}},
		{"kustomization", "phases out of order", "mcsps-test", func(t *testing.T, m *invariant.Mesh) {
			k := string(m.Files[c1+"kustomization.yaml"])
			m.Files[c1+"kustomization.yaml"] = []byte(strings.Replace(k, "- 1-base\n", "", 1) + "- 1-base\n")
		}},
		{"kustomization", "namespace after what lives in it", "three-sites", func(t *testing.T, m *invariant.Mesh) {
			k := string(m.Files["ams/1-base/kustomization.yaml"])
			m.Files["ams/1-base/kustomization.yaml"] = []byte(strings.Replace(k, "- namespace_shop.yaml\n", "", 1) + "- namespace_shop.yaml\n")
		}},
		{"kustomization", "file missing from .meshgen", "three-sites", func(t *testing.T, m *invariant.Mesh) {
			m.Files[".meshgen"] = bytes.Replace(m.Files[".meshgen"], []byte("fra/kustomization.yaml\n"), nil, 1)
		}},
		{"ambient-dataplane", "a sidecar injection label in an ambient namespace", "ambient", func(t *testing.T, m *invariant.Mesh) {
			get(doc(t, m, "geneva/namespace_shop.yaml"), "metadata", "labels").(map[string]any)["istio-injection"] = "enabled"
		}},
		{"ambient-dataplane", "namespace not in the ambient mesh", "ambient", func(t *testing.T, m *invariant.Mesh) {
			delete(get(doc(t, m, "zurich/namespace_web.yaml"), "metadata", "labels").(map[string]any), "istio.io/dataplane-mode")
		}},
		{"ambient-east-west", "east-west gateway on the peer's network", "ambient", func(t *testing.T, m *invariant.Mesh) {
			get(doc(t, m, "geneva/istio-system_gateway_istio-eastwestgateway.yaml"), "metadata", "labels").(map[string]any)["topology.istio.io/network"] = "net-zurich"
		}},
		{"ambient-east-west", "east-west listener on 15443", "ambient", func(t *testing.T, m *invariant.Mesh) {
			get(doc(t, m, "zurich/istio-system_gateway_istio-eastwestgateway.yaml"), "spec", "listeners", 0).(map[string]any)["port"] = 15443.0
		}},
		{"ambient-waypoints", "a split service without its waypoint", "ambient", func(t *testing.T, m *invariant.Mesh) {
			delete(get(doc(t, m, "geneva/shop_service_reviews.yaml"), "metadata", "labels").(map[string]any), "istio.io/use-waypoint")
		}},
		{"ambient-waypoints", "a failover service without its waypoint", "ambient", func(t *testing.T, m *invariant.Mesh) {
			delete(get(doc(t, m, "zurich/shop_service_ratings.yaml"), "metadata", "labels").(map[string]any), "istio.io/use-waypoint")
		}},
		{"ambient-waypoints", "waypoint not global", "ambient", func(t *testing.T, m *invariant.Mesh) {
			delete(get(doc(t, m, "geneva/shop_gateway_waypoint.yaml"), "metadata", "labels").(map[string]any), "istio.io/global")
		}},
		{"ambient-waypoints", "HTTPRoute weights differ", "ambient", func(t *testing.T, m *invariant.Mesh) {
			get(doc(t, m, "zurich/shop_httproute_reviews.yaml"), "spec", "rules", 0, "backendRefs", 1).(map[string]any)["weight"] = 50.0
		}},
		{"ambient-hbone", "15008 closed on a service", "ambient", func(t *testing.T, m *invariant.Mesh) {
			dropPort(t, m, "geneva/shop_networkpolicy_np-reviews.yaml", "ingress", 15008)
		}},
		{"ambient-hbone", "a service's 15008 open to outside addresses", "ambient", func(t *testing.T, m *invariant.Mesh) {
			spec := get(doc(t, m, "zurich/shop_networkpolicy_np-ratings.yaml"), "spec").(map[string]any)
			spec["ingress"] = append(spec["ingress"].([]any), map[string]any{"ports": []any{map[string]any{"port": float64(15008), "protocol": "TCP"}}})
		}},
		{"ambient-hbone", "15443 opened in an ambient mesh", "ambient", func(t *testing.T, m *invariant.Mesh) {
			spec := get(doc(t, m, "geneva/web_networkpolicy_np-storefront.yaml"), "spec").(map[string]any)
			spec["egress"] = append(spec["egress"].([]any), map[string]any{"ports": []any{map[string]any{"port": float64(15443), "protocol": "TCP"}}})
		}},
		{"ambient-hbone", "15008 closed on the east-west gateway", "ambient", func(t *testing.T, m *invariant.Mesh) {
			dropPort(t, m, "zurich/istio-system_networkpolicy_np-istio-eastwest.yaml", "ingress", 15008)
		}},
	}
	for _, ex := range []string{"mcsps-test", "three-sites", "external-secrets", "single-network", "ambient", "canary/step1", "canary/step2", "canary/step3", "primary-remote", "sail", "sail-canary/step1", "sail-canary/step2", "sail-canary/step3"} {
		for _, v := range invariant.Check(golden(t, ex)) {
			t.Errorf("golden %s: %v", ex, v)
		}
	}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.name, func(t *testing.T) {
			m := golden(t, tt.ex)
			tt.breakIt(t, m)
			vs := invariant.RuleNamed(tt.rule).Check(m)
			if len(vs) == 0 {
				t.Errorf("rule %s did not catch it", tt.rule)
			}
			for _, v := range vs {
				t.Log(v)
			}
		})
	}
}

func TestAPIServerPort(t *testing.T) {
	for u, want := range map[string]int{"https://a.example.com": 443, "https://a.example.com/k8s/clusters/c-1": 443, "https://a.example.com:6443": 6443, "https://[2001:db8::1]:7443/x": 7443} {
		if got, err := invariant.APIServerPort(u); err != nil || got != want {
			t.Errorf("%s: %d, %v; want %d", u, got, err, want)
		}
	}
}

// edit replaces old by new, once, in one of a cluster's installer files.
func edit(t *testing.T, m *invariant.Mesh, cluster, name, old, new string) {
	t.Helper()
	b := m.Installer[cluster][name]
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s/%s has no %q", cluster, name, old)
	}
	m.Installer[cluster][name] = bytes.Replace(b, []byte(old), []byte(new), 1)
}
