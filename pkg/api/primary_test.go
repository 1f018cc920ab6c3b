package api

import (
	"strings"
	"testing"
)

// TestReads: who holds remote secrets for whom, the one rule (Reads), and whose API server
// and credentials are needed (Read).
func TestReads(t *testing.T) {
	s := &Spec{Clusters: []Cluster{{Name: "p1"}, {Name: "p2"}, {Name: "r1", Primary: "p1"}, {Name: "r2", Primary: "p2"}}}
	want := map[string]string{"p1": "p2 r1 r2", "p2": "p1 r1 r2", "r1": "", "r2": ""}
	for i := range s.Clusters {
		cl := &s.Clusters[i]
		var got []string
		for _, p := range s.Reads(cl) {
			got = append(got, p.Name)
		}
		if g := strings.Join(got, " "); g != want[cl.Name] {
			t.Errorf("%s reads %q, want %q", cl.Name, g, want[cl.Name])
		}
		if !s.Read(cl) {
			t.Errorf("%s: not read, but another primary exists", cl.Name)
		}
	}
	// One primary: nobody reads it, so it needs no credentials; its remote is read.
	one := &Spec{Clusters: []Cluster{{Name: "p"}, {Name: "r", Primary: "p"}}}
	if one.Read(&one.Clusters[0]) || !one.Read(&one.Clusters[1]) {
		t.Errorf("one primary: Read(p)=%v Read(r)=%v, want false, true", one.Read(&one.Clusters[0]), one.Read(&one.Clusters[1]))
	}
	if got := one.Remotes(&one.Clusters[0]); len(got) != 1 || got[0].Name != "r" {
		t.Errorf("Remotes(p) = %v", got)
	}
}

// TestPrimaryWarnings: a DNS name as a primary's east-west address warns; an IP, or a name on a
// cluster without remotes, does not.
func TestPrimaryWarnings(t *testing.T) {
	c := &MeshConfig{Spec: Spec{Clusters: []Cluster{{Name: "p", EastWestAddress: "ew.example.com"}, {Name: "r", Primary: "p"}, {Name: "q", EastWestAddress: "q.example.com"}}}}
	ws := primaryWarnings(c)
	if len(ws) != 1 || ws[0].Path != "spec.clusters[0].eastWestAddress" || !strings.Contains(ws[0].Msg, `"r"`) {
		t.Errorf("warnings %v", ws)
	}
	c.Spec.Clusters[0].EastWestAddress = "192.0.2.1"
	if ws := primaryWarnings(c); len(ws) != 0 {
		t.Errorf("an IP warns: %v", ws)
	}
}
