package api

import (
	"strings"
	"testing"
)

// TestFailoverLimits: the failover limits are inclusive (63-byte values and names, a
// 253-byte key prefix), and a version without traffic gets no warning for running in one
// cluster.
func TestFailoverLimits(t *testing.T) {
	prefix := strings.Repeat("p", 63) + "." + strings.Repeat("q", 63) + "." + strings.Repeat("r", 63) + "." + strings.Repeat("s", 61)
	for name, mutate := range map[string]func(*MeshConfig){
		"region of 63": func(c *MeshConfig) { c.Spec.Clusters[1].Region = strings.Repeat("r", 63) },
		"priority value of 63": func(c *MeshConfig) {
			c.Spec.Services[0].Failover.Priority = []string{"topology.istio.io/cluster=" + strings.Repeat("v", 63)}
		},
		"key name of 63":    func(c *MeshConfig) { c.Spec.Services[0].Failover.Priority = []string{strings.Repeat("n", 63)} },
		"key prefix of 253": func(c *MeshConfig) { c.Spec.Services[0].Failover.Priority = []string{prefix + "/k"} },
	} {
		c, cs := failoverConfig(t)
		mutate(c)
		if es := Validate(c, cs); es != nil {
			t.Errorf("%s refused: %v", name, es)
		}
	}
	if len(prefix) != 253 {
		t.Fatalf("prefix of %d", len(prefix))
	}
	c, _ := failoverConfig(t)
	c.Spec.Services[0].Versions[0].Weight, c.Spec.Services[0].Versions[1].Weight = 0, 100
	ws := failoverWarnings(c)
	if len(ws) != 1 || ws[0].Path != "spec.services[0].versions[1].clusters" {
		t.Errorf("want one warning, for v2 only: %v", ws)
	}
}

// TestMisspeltLimits: three slips are still a misspelling, four are not; squash keeps every
// lower-case letter and digit, the ends of both ranges included.
func TestMisspeltLimits(t *testing.T) {
	for key, want := range map[string]bool{"meshgxn.dev/credxntials-fxr": true, "meshgxn.dev/credxntixls-fxr": false} {
		if got := MisspeltCredentials([]string{key}) != ""; got != want {
			t.Errorf("%s: misspelt %v, want %v", key, got, want)
		}
	}
	if got := squash("A-z_0.9/a:Z"); got != "az09az" {
		t.Errorf("squash: %q", got)
	}
	if got := editDistance("kitten", "sitting"); got != 3 {
		t.Errorf("editDistance: %d", got)
	}
	// 64 bytes each are still measured; 65 count as far apart.
	a64, b64 := strings.Repeat("a", 64), strings.Repeat("a", 63)+"b"
	if got := editDistance(a64, b64); got != 1 {
		t.Errorf("editDistance of 64-byte strings: %d", got)
	}
	if got := editDistance(b64, a64); got != 1 {
		t.Errorf("editDistance of 64-byte strings, swapped: %d", got)
	}
	if got := editDistance(a64+"a", b64); got != 64 {
		t.Errorf("editDistance of a 65-byte string: %d", got)
	}
}
