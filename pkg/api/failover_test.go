package api

import (
	"reflect"
	"strings"
	"testing"
)

// failoverConfig is the base config on a release with failoverPriority, with a failover
// service and localities.
func failoverConfig(t *testing.T) (*MeshConfig, Credentials) {
	c, cs := baseConfig(t)
	c.Spec.Istio.Version = "1.24.0"
	c.Spec.Istio.Installer = InstallerHelm
	c.Spec.Clusters[0].Region, c.Spec.Clusters[0].Zone = "eu-central", "eu-central-1a"
	c.Spec.Clusters[1].Region = "eu-west"
	c.Spec.Services[0].Failover = &Failover{Priority: []string{LabelNetwork, LabelRegion}}
	return c, cs
}

func TestValidateFailoverBase(t *testing.T) {
	c, cs := failoverConfig(t)
	if es := Validate(c, cs); es != nil {
		t.Fatalf("the failover config must be valid: %v", es)
	}
	c.Spec.Services[0].Failover.Priority = []string{"topology.istio.io/cluster=a", "version"}
	if es := Validate(c, cs); es != nil {
		t.Fatalf("key=value and unprefixed keys are valid priority labels: %v", es)
	}
}

func TestValidateFailover(t *testing.T) {
	tests := []rejection{
		{"region not a label value", func(c *MeshConfig) { c.Spec.Clusters[1].Region = "eu west" }, "spec.clusters[1].region", "label value"},
		{"zone not a label value", func(c *MeshConfig) { c.Spec.Clusters[0].Zone = strings.Repeat("z", 64) }, "spec.clusters[0].zone", "label value"},
		{"zone without region", func(c *MeshConfig) { c.Spec.Clusters[1].Region, c.Spec.Clusters[1].Zone = "", "b1" }, "spec.clusters[1].zone", "without spec.clusters[1].region"},
		{"istio too old", func(c *MeshConfig) { c.Spec.Istio.Version = "1.12.9" }, "spec.services[0].failover", "needs Istio 1.13 or newer"},
		{"empty priority", func(c *MeshConfig) { c.Spec.Services[0].Failover.Priority = []string{} }, "spec.services[0].failover.priority", "at least one label"},
		{"label with space", func(c *MeshConfig) {
			c.Spec.Services[0].Failover.Priority = []string{LabelNetwork, "topology region"}
		}, "spec.services[0].failover.priority[1]", "must be a label key"},
		{"bad prefix", func(c *MeshConfig) { c.Spec.Services[0].Failover.Priority = []string{"Topology_Istio/network"} }, "spec.services[0].failover.priority[0]", "must be a label key"},
		{"empty label", func(c *MeshConfig) { c.Spec.Services[0].Failover.Priority = []string{""} }, "spec.services[0].failover.priority[0]", "must be a label key"},
		{"bad value", func(c *MeshConfig) { c.Spec.Services[0].Failover.Priority = []string{"topology.istio.io/cluster=a b"} }, "spec.services[0].failover.priority[0]", "invalid label value"},
		{"duplicate label", func(c *MeshConfig) {
			c.Spec.Services[0].Failover.Priority = []string{LabelRegion, LabelZone, LabelRegion + "=eu-west"}
		}, "spec.services[0].failover.priority[2]", "already priority[0]"},
	}
	wantRejections(t, failoverConfig, tests)
}

// TestFailoverDefault: failover without a priority ranks by network, region and zone, Istio's
// topology labels, in that order.
func TestFailoverDefault(t *testing.T) {
	c, _ := decodeString(t, base+"    failover: {}\n")
	Default(c)
	f := c.Spec.Services[0].Failover
	want := []string{"topology.istio.io/network", "topology.kubernetes.io/region", "topology.kubernetes.io/zone"}
	if f == nil || !reflect.DeepEqual(f.Priority, want) {
		t.Fatalf("failover: {} defaults to %v, want %v", f, want)
	}
	// The default is a copy: defaulting one mesh must not change the next one's.
	f.Priority[0] = "x"
	if DefaultFailoverPriority[0] != LabelNetwork {
		t.Fatal("Default shares DefaultFailoverPriority's array")
	}
}

// TestFailoverWarnings: a version with traffic that runs in one cluster has nowhere to fail
// over to; one in two clusters, or without traffic, is fine.
func TestFailoverWarnings(t *testing.T) {
	c, _ := failoverConfig(t)
	ws := Warnings(c)
	if len(ws) != 2 || ws[0].Path != "spec.services[0].versions[0].clusters" || !strings.Contains(ws[1].Msg, `version "v2" gets 60% of the requests but runs only in cluster "b"`) {
		t.Fatalf("want a warning for each single-cluster version, got %v", ws)
	}
	c.Spec.Services[0].Versions[0].Clusters = []string{"a", "b"}
	c.Spec.Services[0].Versions[1] = Version{Name: "v2", Weight: 60, Clusters: []string{"b", "a"}}
	c.Spec.Services[0].Failover.Priority = []string{LabelNetwork}
	if ws := Warnings(c); ws != nil {
		t.Fatalf("every version runs in two clusters: %v", ws)
	}
	// Other labels rank nothing on the other network (istio/istio#49500).
	c.Spec.Services[0].Failover.Priority = []string{LabelNetwork, LabelRegion}
	if ws := Warnings(c); len(ws) != 1 || ws[0].Path != "spec.services[0].failover" || !strings.Contains(ws[0].Msg, "topology.kubernetes.io/region cannot rank the endpoints on other networks") {
		t.Fatalf("want the warning that region ranks only the client's own network, got %v", ws)
	}
	// Network and cluster are the labels such an endpoint keeps.
	c.Spec.Services[0].Failover.Priority = []string{LabelNetwork, "topology.istio.io/cluster=a"}
	if ws := Warnings(c); ws != nil {
		t.Fatalf("network and cluster: %v", ws)
	}
	// On one network there is no gateway endpoint to lose its labels.
	c.Spec.Services[0].Failover.Priority = []string{LabelNetwork, LabelRegion}
	c.Spec.Clusters[1].Network = c.Spec.Clusters[0].Network
	if ws := Warnings(c); ws != nil {
		t.Fatalf("one network: %v", ws)
	}
	c.Spec.Clusters[1].Network = "elsewhere"
	c.Spec.Services[0].Failover = nil
	c.Spec.Services[0].Versions[1].Clusters = []string{"b"}
	if ws := Warnings(c); ws != nil {
		t.Fatalf("no failover, no warning: %v", ws)
	}
}
