package gen

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// drSpec is the JSON of a cluster's DestinationRule spec for the service.
func drSpec(t *testing.T, objs []Object, cluster, name string) string {
	t.Helper()
	var dr struct {
		Spec json.RawMessage `json:"spec"`
	}
	if err := json.Unmarshal([]byte(js(t, find(objs, cluster, "DestinationRule", name)[0].Body)), &dr); err != nil {
		t.Fatal(err)
	}
	return string(dr.Spec)
}

// TestFailover: a service with failover gets, in every cluster alike, a DestinationRule with
// the locality failover in the priority given and the outlier detection without which Istio
// never fails over, ejecting up to every endpoint of a locality. A service without failover
// gets no traffic policy at all.
func TestFailover(t *testing.T) {
	in := input(3)
	svc := &in.Config.Spec.Services[0]
	svc.Failover = &api.Failover{Priority: []string{api.LabelNetwork, api.LabelRegion, api.LabelZone}}
	objs := generate(in)
	want := `{"loadBalancer":{"localityLbSetting":{"enabled":true,"failoverPriority":["topology.istio.io/network","topology.kubernetes.io/region","topology.kubernetes.io/zone"]}},
		"outlierDetection":{"consecutive5xxErrors":5,"interval":"5s","baseEjectionTime":"30s","maxEjectionPercent":100}}`
	first := drSpec(t, objs, "c0", "web")
	var got struct{ TrafficPolicy any }
	var wantV any
	if err := json.Unmarshal([]byte(first), &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &wantV); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.TrafficPolicy, wantV) {
		t.Errorf("c0: DestinationRule spec %s\nwant trafficPolicy %s", first, want)
	}
	for _, cl := range []string{"c1", "c2"} {
		if got := drSpec(t, objs, cl, "web"); got != first {
			t.Errorf("%s: DestinationRule spec %s differs from c0's %s", cl, got, first)
		}
	}
	svc.Failover = nil
	if got := drSpec(t, generate(in), "c0", "web"); strings.Contains(got, "trafficPolicy") {
		t.Errorf("without failover: %s", got)
	}
}
