package gen

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

func input(n int) *api.Input {
	c := &api.MeshConfig{APIVersion: api.APIVersion, Kind: api.Kind, Metadata: api.Metadata{Name: "m"}}
	c.Spec.Istio.Version = "1.12.0"
	c.Spec.Rancher = &api.Rancher{Project: "istio"}
	c.Spec.Namespaces = []api.Namespace{{Name: "app"}}
	c.Spec.DNS.EndpointCluster = "c0"
	creds := api.Credentials{}
	var names []string
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("c%d", i)
		names = append(names, name)
		addr := fmt.Sprintf("192.0.2.%d", i+1)
		if i == n-1 {
			addr = "2001:db8::1"
		}
		c.Spec.Clusters = append(c.Spec.Clusters, api.Cluster{Name: name, Network: "net-" + name, RancherClusterID: "id-" + name,
			APIServer: "https://" + name + ".example.com:6443", APIServerCA: api.APIServerCASystem, IngressAddress: addr})
		creds[name] = api.Credential{Cluster: name, Token: "token-" + name}
	}
	c.Spec.Services = []api.Service{{Name: "web", Namespace: "app", Port: 80,
		Versions: []api.Version{{Name: "v1", Weight: 100, Clusters: names}}, Ingress: &api.Ingress{Hosts: []string{"web.example.com"}}}}
	api.Default(c)
	if es := api.Validate(c, creds); es != nil {
		panic(es)
	}
	return &api.Input{Config: c, Creds: creds}
}

func find(objs []Object, cluster, kind, name string) []Object {
	var r []Object
	for _, o := range objs {
		if o.Cluster == cluster && o.Kind == kind && (name == "" || o.Name == name) {
			r = append(r, o)
		}
	}
	return r
}

func js(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPerClusterValues: every place a cluster's ID, network or Rancher ID appears carries that
// cluster's own value (the seed's text put one cluster's ID on the other's namespace).
func TestPerClusterValues(t *testing.T) {
	in := input(3)
	objs := generate(in)
	if err := checkAll(objs); err != nil {
		t.Fatal(err)
	}
	for _, cl := range in.Config.Spec.Clusters {
		ns := find(objs, cl.Name, "Namespace", "istio-system")[0].Body.(*namespace)
		if ns.Labels[networkLabel] != cl.Network || ns.Annotations[cattleProjectID] != cl.RancherClusterID+":istio" {
			t.Errorf("%s: namespace carries %q / %q", cl.Name, ns.Labels[networkLabel], ns.Annotations[cattleProjectID])
		}
		for _, o := range find(objs, cl.Name, "IstioOperator", "") {
			s := js(t, o.Body)
			for _, c := range in.Config.Spec.Clusters {
				mine := c.Name == cl.Name
				if strings.Contains(s, `"`+c.Network+`"`) != mine || strings.Contains(s, `"clusterName":"`+c.Name+`"`) != mine {
					t.Errorf("%s: IstioOperator %s and cluster %s's values: %s", cl.Name, o.Name, c.Name, s)
				}
			}
		}
		p := find(objs, api.Reserved, "Project", "istio")
		if len(p) != 3 {
			t.Fatalf("want a Project per cluster, got %d", len(p))
		}
		// Each cluster's Project lives in its Rancher cluster's namespace and names it.
		i := slices.IndexFunc(p, func(o Object) bool { return o.Namespace == cl.RancherClusterID })
		if i < 0 {
			t.Errorf("%s: no Project in namespace %s", cl.Name, cl.RancherClusterID)
		} else if ps := p[i].Body.(*project); ps.Spec.ClusterName != cl.RancherClusterID || ps.Spec.DisplayName != "istio" {
			t.Errorf("%s: Project %+v", cl.Name, ps.Spec)
		}
	}
}

// TestRemoteSecretsEveryDirection: n·(n−1) secrets, each cluster one per peer, none for itself,
// each pointing at the peer's API server with the peer's token.
func TestRemoteSecretsEveryDirection(t *testing.T) {
	in := input(4)
	objs := generate(in)
	total := 0
	for _, cl := range in.Config.Spec.Clusters {
		for _, peer := range in.Config.Spec.Clusters {
			ss := find(objs, cl.Name, "Secret", "istio-remote-secret-"+peer.Name)
			if peer.Name == cl.Name {
				if len(ss) != 0 {
					t.Errorf("%s has a remote secret for itself", cl.Name)
				}
				continue
			}
			if len(ss) != 1 {
				t.Fatalf("%s lacks the remote secret for %s", cl.Name, peer.Name)
			}
			total++
			s := ss[0].Body.(*secret)
			kc := js(t, s.Data[peer.Name].Value)
			if s.Annotations["networking.istio.io/cluster"] != peer.Name || s.Labels["istio/multiCluster"] != "true" ||
				!strings.Contains(kc, `"server":"`+peer.APIServer+`"`) || !strings.Contains(kc, `"token":"token-`+peer.Name+`"`) {
				t.Errorf("%s: remote secret for %s is wrong: %v\n%s", cl.Name, peer.Name, s.ObjectMeta, kc)
			}
		}
	}
	if total != 12 {
		t.Errorf("want 4·3 remote secrets, got %d", total)
	}
}

// TestTrafficIdentical: routes and subsets are byte for byte the same in every cluster, and
// the routes carry the MeshConfig's weights (a zero weight keeps its subset, no destination).
func TestTrafficIdentical(t *testing.T) {
	in := input(3)
	names := in.Config.Spec.Services[0].Versions[0].Clusters
	in.Config.Spec.Services[0].Versions = []api.Version{{Name: "v1", Weight: 30, Clusters: names}, {Name: "v2", Weight: 70, Clusters: names[:1]}, {Name: "v3", Clusters: names[1:]}}
	if es := api.Validate(in.Config, in.Creds); es != nil {
		t.Fatal(es)
	}
	objs := generate(in)
	for _, kind := range []string{"VirtualService", "DestinationRule", "Service"} {
		var first string
		for _, cl := range in.Config.Spec.Clusters {
			o := find(objs, cl.Name, kind, "web")
			if len(o) != 1 {
				t.Fatalf("%s: want one %s web", cl.Name, kind)
			}
			if s := js(t, o[0].Body); first == "" {
				first = s
			} else if s != first {
				t.Errorf("%s %s differs between clusters:\n%s\n%s", kind, cl.Name, first, s)
			}
		}
	}
	var vs struct {
		Spec struct {
			HTTP []struct {
				Route []struct {
					Destination struct{ Subset string }
					Weight      int
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(js(t, find(objs, "c0", "VirtualService", "web")[0].Body)), &vs); err != nil || len(vs.Spec.HTTP) == 0 {
		t.Fatalf("%v %+v", err, vs)
	}
	for _, r := range vs.Spec.HTTP {
		split := map[string]int{}
		for _, d := range r.Route {
			split[d.Destination.Subset] += d.Weight
		}
		if want := map[string]int{"v1": 30, "v2": 70}; !maps.Equal(split, want) {
			t.Errorf("VirtualService splits %v, want %v", split, want)
		}
	}
	if dr := js(t, find(objs, "c0", "DestinationRule", "web")[0].Body); !strings.Contains(dr, `{"name":"v3","labels":{"version":"v3"}}`) {
		t.Errorf("DestinationRule lacks the zero-weight subset: %s", dr)
	}
}

// TestDNSEndpoint: one owner cluster lists every site, split into A and AAAA records.
func TestDNSEndpoint(t *testing.T) {
	objs := generate(input(3))
	var eps []Object
	for _, o := range objs {
		if o.Kind == "DNSEndpoint" {
			eps = append(eps, o)
		}
	}
	if len(eps) != 1 || eps[0].Cluster != "c0" {
		t.Fatalf("want one DNSEndpoint in c0, got %v", eps)
	}
	s := js(t, eps[0].Body)
	if !strings.Contains(s, `"recordType":"A","recordTTL":300,"targets":["192.0.2.1","192.0.2.2"]`) || !strings.Contains(s, `"recordType":"AAAA","recordTTL":300,"targets":["2001:db8::1"]`) {
		t.Errorf("records: %s", s)
	}
	for _, o := range objs {
		if o.Kind != "Gateway" || o.Name == "cross-network-gateway" {
			continue
		}
		a := o.Body.(*gateway).Annotations
		if _, ok := a[api.ExternalDNSAlpha+externalDNSTarget]; ok || a[api.ExternalDNSAlpha+externalDNSController] != "none" {
			t.Errorf("%s/%s: beside a DNSEndpoint the Gateway must be left to it (controller: none, no target), or external-dns instances fight over the name: %v", o.Cluster, o.Name, a)
		}
	}
}

func TestIstioAPIVersion(t *testing.T) {
	for v, want := range map[string]string{"1.12.0": "networking.istio.io/v1beta1", "1.21.9": "networking.istio.io/v1beta1", "1.22.0": "networking.istio.io/v1", "2.0.0": "networking.istio.io/v1"} {
		in := input(2)
		in.Config.Spec.Istio.Version = v
		for _, o := range generate(in) {
			if o.Kind == "VirtualService" && o.APIVersion != want {
				t.Errorf("Istio %s: VirtualService is %s, want %s", v, o.APIVersion, want)
			}
		}
	}
}

// TestRemoteSecretCA: the kubeconfig trusts the MeshConfig's CA bundle, else the credentials'
// ca.crt; with "system" it carries none, so the system roots decide.
func TestRemoteSecretCA(t *testing.T) {
	in := input(3)
	cls := in.Config.Spec.Clusters
	cls[0].APIServerCA = "PEM-FROM-MESHCONFIG"
	cls[1].APIServerCA = ""
	in.Creds["c1"] = api.Credential{Cluster: "c1", Token: "token-c1", CA: []byte("PEM-FROM-CREDENTIALS")}
	objs := generate(in)
	for peer, want := range map[string]string{"c0": "PEM-FROM-MESHCONFIG", "c1": "PEM-FROM-CREDENTIALS", "c2": ""} {
		from := "c0"
		if peer == "c0" {
			from = "c1"
		}
		kc := js(t, find(objs, from, "Secret", "istio-remote-secret-"+peer)[0].Body.(*secret).Data[peer].Value)
		has := strings.Contains(kc, "certificate-authority-data")
		switch {
		case want == "" && has:
			t.Errorf("%s: system roots, but the kubeconfig carries a CA:\n%s", peer, kc)
		case want != "" && !strings.Contains(kc, base64.StdEncoding.EncodeToString([]byte(want))):
			t.Errorf("%s: kubeconfig lacks %s:\n%s", peer, want, kc)
		}
	}
}

// TestDNSDefaultsAndPrefix: without endpointCluster the first cluster with an address owns the
// records; the annotation prefix follows spec.dns.annotationPrefix; a lone load balancer name
// is a CNAME record, and a lone cluster's Gateway gets a target annotation instead.
func TestDNSDefaultsAndPrefix(t *testing.T) {
	in := input(3)
	in.Config.Spec.DNS = api.DNS{AnnotationPrefix: api.ExternalDNSGA}
	api.Default(in.Config)
	objs := generate(in)
	eps := 0
	for _, o := range objs {
		switch {
		case o.Kind == "DNSEndpoint":
			eps++
			if o.Cluster != "c0" {
				t.Errorf("DNSEndpoint in %s, want c0", o.Cluster)
			}
		case o.Kind == "Gateway" && o.Name != "cross-network-gateway":
			if a := o.Body.(*gateway).Annotations; a["external-dns.kubernetes.io/controller"] != "none" {
				t.Errorf("%s: annotations %v", o.Cluster, a)
			}
		}
	}
	if eps != 1 {
		t.Errorf("want one DNSEndpoint by default, got %d", eps)
	}

	in = input(2)
	in.Config.Spec.DNS = api.DNS{}
	in.Config.Spec.Clusters[0].IngressAddress = ""
	in.Config.Spec.Clusters[1].IngressAddress = "lb-1.elb.example.com"
	api.Default(in.Config)
	objs = generate(in)
	gw := find(objs, "c1", "Gateway", "web-ingress")[0].Body.(*gateway)
	if gw.Annotations[api.ExternalDNSAlpha+"target"] != "lb-1.elb.example.com" {
		t.Errorf("lone cluster: %v", gw.Annotations)
	}
	in.Config.Spec.DNS.EndpointCluster = "c1"
	ep := js(t, find(generate(in), "c1", "DNSEndpoint", "")[0].Body)
	if !strings.Contains(ep, `"recordType":"CNAME","recordTTL":300,"targets":["lb-1.elb.example.com"]`) || strings.Contains(ep, `"targets":[""]`) {
		t.Errorf("DNSEndpoint: %s", ep)
	}
}
