package gen_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/gen"
)

// ambientObjects are the ambient example's objects of one kind in cluster geneva, by name, as
// JSON.
func ambientObjects(t *testing.T, in *api.Input, kind string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := gen.Each(in, "geneva", func(f *gen.Folder) error {
		for _, o := range f.Objects {
			if o.Kind != kind {
				continue
			}
			b, err := json.Marshal(o.Body)
			if err != nil {
				return err
			}
			out[o.Namespace+"/"+o.Name] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// TestAmbientSplitOnlyWhereWeighted: an HTTPRoute and a Service per version only for a service
// whose traffic is split between versions (reviews, 80/20); a service with one version
// (ratings, storefront) is reached through its own Service alone.
func TestAmbientSplitOnlyWhereWeighted(t *testing.T) {
	in := ambientExample(t)
	if got := keys(ambientObjects(t, in, "HTTPRoute")); !slices.Equal(got, []string{"shop/reviews"}) {
		t.Errorf("HTTPRoutes %q, want only shop/reviews", got)
	}
	want := []string{"shop/ratings", "shop/reviews", "shop/reviews-v1", "shop/reviews-v2", "web/storefront"}
	if got := keys(ambientObjects(t, in, "Service")); !slices.Equal(got, want) {
		t.Errorf("Services %q, want %q", got, want)
	}
}

// TestAmbientFailoverRules: a DestinationRule with outlier detection (without which the waypoint
// never fails over) for the failover service only, none for the others.
func TestAmbientFailoverRules(t *testing.T) {
	in := ambientExample(t)
	drs := ambientObjects(t, in, "DestinationRule")
	if got := keys(drs); !slices.Equal(got, []string{"shop/ratings"}) {
		t.Fatalf("DestinationRules %q, want only shop/ratings", got)
	}
	if dr := drs["shop/ratings"]; !strings.Contains(dr, `"outlierDetection"`) || !strings.Contains(dr, `"host":"ratings.shop.svc.cluster.local"`) {
		t.Errorf("shop/ratings: %s lacks outlierDetection or the host", dr)
	}
}

// TestAmbientOperatorKeepsComponents: with istioctl, the ambient switch on istiod leaves the
// IstioOperator's other components (the CNI agent that ambient needs) in place.
func TestAmbientOperatorKeepsComponents(t *testing.T) {
	in := ambientExample(t)
	in.Config.Spec.Istio.Installer = api.InstallerIstioctl
	var files []string
	err := gen.Each(in, "geneva", func(f *gen.Folder) error {
		for _, x := range f.Files {
			if strings.HasPrefix(x.Name, "istioctl/") {
				b, err := json.Marshal(x.Value)
				if err != nil {
					return err
				}
				files = append(files, string(b))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 {
		t.Fatalf("%d istioctl files, want 1", len(files))
	}
	for _, want := range []string{`"cni":{"enabled":true`, `"AMBIENT_ENABLE_MULTI_NETWORK"`} {
		if !strings.Contains(files[0], want) {
			t.Errorf("the IstioOperator lacks %s: %s", want, files[0])
		}
	}
}
