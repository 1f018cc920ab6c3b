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
