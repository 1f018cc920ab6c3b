package e2e

// The expectations of check 4's locality half and the played external-secrets operator on
// hand-made data, without tools.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
	k8syaml "sigs.k8s.io/yaml"
)

// TestLiveRank: network first, then region, then zone; another network still ranked by the
// rest of the labels; priorities without gaps; a fixed value; a label the test cannot derive.
func TestLiveRank(t *testing.T) {
	proxy := map[string]string{api.LabelNetwork: "n1", api.LabelRegion: "r1", api.LabelZone: "z1"}
	ep := func(n, r, z string) map[string]string {
		return map[string]string{api.LabelNetwork: n, api.LabelRegion: r, api.LabelZone: z}
	}
	eps := []map[string]string{ep("n1", "r1", "z1"), ep("n1", "r1", "z2"), ep("n1", "r2", "z3"), ep("n2", "r1", "z1"), ep("n2", "r2", "z3"), ep("n2", "", "")}
	for _, tc := range []struct {
		priority []string
		want     string
	}{
		{api.DefaultFailoverPriority, "[0 1 2 3 4 4]"},
		// Without network first, another network is just a mismatch of the first label.
		{[]string{api.LabelRegion, api.LabelZone}, "[0 1 2 0 2 2]"},
		{[]string{api.LabelRegion + "=r2"}, "[1 1 0 1 0 1]"},
	} {
		got, err := rank(tc.priority, proxy, eps)
		if err != nil || fmt.Sprint(got) != tc.want {
			t.Errorf("%v: got %v (%v), want %s", tc.priority, got, err, tc.want)
		}
	}
	if _, err := rank([]string{"example.com/rack"}, proxy, eps); err == nil {
		t.Error("a label the test cannot derive must be an error")
	}
}

// TestLiveWantPlaced: endpoints behind another network's gateway carry their cluster's
// locality but rank by network only (istio/istio#49500).
func TestLiveWantPlaced(t *testing.T) {
	m := expectationsMesh("inline")
	for i, r := range []struct{ region, zone string }{{"r1", "z1"}, {"r1", "z2"}, {"r2", "z3"}} {
		m.cfg.Spec.Clusters[i].Region, m.cfg.Spec.Clusters[i].Zone = r.region, r.zone
	}
	m.cfg.Spec.Clusters[1].Network = "na"
	s := api.Service{Name: "s", Namespace: "ns", Port: 80, Failover: &api.Failover{}}
	v := api.Version{Name: "v1", Clusters: []string{"a", "b", "c"}}
	got, err := m.wantPlaced(s, v, "a")
	want := "10.0.1.1:80@r1/z1:0 10.0.2.1:80@r1/z2:1 203.0.113.3:15443@r2/z3:2"
	if err != nil || fmtPlaced(got) != want {
		t.Errorf("got [%s] (%v), want [%s]", fmtPlaced(got), err, want)
	}
}

// TestLivePlayedExternalSecrets: the golden ExternalSecret of examples/external-secrets
// evaluates against a store filled by its PushSecret, and a template the played operator
// cannot evaluate (a function it does not implement, a value not in the store) fails.
func TestLivePlayedExternalSecrets(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repo, "testdata", "golden", "external-secrets", "stream.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var push, ext object
	for _, o := range decodeObjects(t, "stream.yaml", b) {
		switch {
		case o.kind() == "PushSecret" && strings.Contains(fmt.Sprint(o.get("spec", "data")), "meshgen/osl/"):
			push = o
		case o.kind() == "ExternalSecret" && ext == nil && o.str("spec", "target", "name") == "istio-remote-secret-osl":
			ext = o
		}
	}
	if push == nil || ext == nil {
		t.Fatal("no PushSecret, or no ExternalSecret for osl, in the golden stream")
	}
	st := store{}
	read := func(ns, name string) (map[string][]byte, error) {
		return map[string][]byte{"token": []byte("tok-osl"), "ca.crt": []byte("CA-osl")}, nil
	}
	if err := st.push(push, read); err != nil {
		t.Fatal(err)
	}
	s, err := st.externalSecret(ext)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := s["data"].(map[string][]byte)
	kc := string(data["osl"])
	if !strings.Contains(kc, `"token":"tok-osl"`) || !strings.Contains(kc, `"certificate-authority-data":"Q0Etb3Ns"`) {
		t.Errorf("the kubeconfig lacks the token or the CA from the store: %s", kc)
	}
	if s.labels("metadata")["istio/multiCluster"] != "true" || s.str("metadata", "annotations", "networking.istio.io/cluster") != "osl" {
		t.Errorf("the Secret lacks the label or annotation istiod reads: %v", s["metadata"])
	}
	for _, bad := range []string{"{{.token|upper}}", "{{.missing}}"} {
		cp := object{}
		_ = k8syaml.Unmarshal(edited(ext, func(o object) {
			asMap(o.get("spec", "target", "template", "data"))["osl"] = bad
		}), &cp)
		if _, err := st.externalSecret(cp); err == nil {
			t.Errorf("template %s: the played operator must fail", bad)
		}
	}
	cp := object{}
	_ = k8syaml.Unmarshal(edited(ext, func(o object) { asMap(o.get("spec", "target"))["deletionPolicy"] = "Delete" }), &cp)
	if _, err := st.externalSecret(cp); err == nil || !strings.Contains(err.Error(), "deletionPolicy") {
		t.Errorf("a field the played operator does not implement must fail, got %v", err)
	}
}
