package krm_test

import (
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"

	"github.com/meshgen/meshgen/pkg/krm"
	"github.com/meshgen/meshgen/pkg/synth"
)

// TestKustomizeWithoutCluster (issue 11.7): kustomize names its function in an annotation of
// the functionConfig. Without meshgen.dev/cluster every cluster's objects would come out of
// one build and kustomize would refuse them as duplicates; meshgen says what is missing
// instead, once, with the file and field. With the annotation the build succeeds, and kpt
// (no such annotation) still gets every cluster.
func TestKustomizeWithoutCluster(t *testing.T) {
	m, err := synth.Generate(synth.Options{Clusters: 2, Services: 1})
	if err != nil {
		t.Fatal(err)
	}
	base := string(m.ResourceList())
	fc := "  apiVersion: meshgen.dev/v1alpha1\n  kind: MeshConfig\n  metadata:\n"
	if !strings.Contains(base, fc) {
		t.Fatalf("the ResourceList's functionConfig does not start as expected:\n%.600s", base)
	}
	withFn := func(annotations string) []byte {
		return []byte(strings.Replace(base, fc, fc+"    annotations:\n"+annotations, 1))
	}
	const exec = "      config.kubernetes.io/function: |\n        exec:\n          path: ../../bin/meshgen\n"

	out, err := krm.Run(withFn(exec))
	if err == nil || !strings.Contains(err.Error(), "no meshgen.dev/cluster annotation") {
		t.Errorf("kustomize without the cluster annotation: err %v", err)
	}
	rl, perr := fn.ParseResourceList(out)
	if perr != nil {
		t.Fatal(perr)
	}
	if len(rl.Results) != 1 || rl.Results[0].Field == nil || rl.Results[0].Field.Path != "metadata.annotations" ||
		!strings.Contains(rl.Results[0].Message, "annotate the MeshConfig in each overlay with meshgen.dev/cluster: one of rancher, "+synth.ClusterName(0)+", "+synth.ClusterName(1)) {
		t.Errorf("results: %v", rl.Results)
	}

	if _, err := krm.Run(withFn(exec + "      meshgen.dev/cluster: " + synth.ClusterName(1) + "\n")); err != nil {
		t.Errorf("kustomize with the cluster annotation: %v", err)
	}
	if _, err := krm.Run([]byte(base)); err != nil {
		t.Errorf("kpt (no function annotation): %v", err)
	}
}
