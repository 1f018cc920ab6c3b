package krm_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"

	"github.com/meshgen/meshgen/pkg/krm"
	"github.com/meshgen/meshgen/pkg/synth"
)

// ownShapes are items that look like meshgen's output in ways the byte filter must judge as a
// parser would: meshgen's in flow style (the filter keeps it, the parser drops it), the marks
// inside a block scalar or under spec (not metadata), and another mesh's output.
const ownShapes = `- apiVersion: v1
  kind: Namespace
  metadata: {name: flow, labels: {app.kubernetes.io/managed-by: meshgen}, annotations: {meshgen.dev/mesh: shop}}
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: scalar
    annotations:
      note: |
        labels:
      app.kubernetes.io/managed-by: meshgen
      meshgen.dev/mesh: shop
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: under-spec
  spec:
    labels:
      app.kubernetes.io/managed-by: meshgen
    annotations:
      meshgen.dev/mesh: shop
# a head comment at column 0 of the next item
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: other-mesh
    labels:
      app.kubernetes.io/managed-by: meshgen
    annotations:
      meshgen.dev/mesh: shop-two
`

// TestDropOwnIsGenerated: on every second-render input, dropping meshgen's items as bytes and
// then running gives byte for byte what running on the whole input gives, and the filter
// does drop them (else the speed is gone unnoticed).
func TestDropOwnIsGenerated(t *testing.T) {
	inputs := map[string][]byte{"passthrough": passthroughRL(t)}
	for _, o := range []synth.Options{{Clusters: 3, Services: 4}, {Clusters: 2, Services: 1, RemoteSecretsNone: true}} {
		m, err := synth.Generate(o)
		if err != nil {
			t.Fatal(err)
		}
		inputs[strings.Repeat("s", o.Clusters)] = m.ResourceList()
	}
	for name, first := range inputs {
		t.Run(name, func(t *testing.T) {
			second, err := krm.Run(first)
			if err != nil {
				t.Fatal(err)
			}
			if name == "passthrough" {
				// Shapes only a parser judges right, put before the functionConfig.
				i := bytes.Index(second, []byte("\nfunctionConfig:\n"))
				second = append(append(append([]byte(nil), second[:i+1]...), ownShapes...), second[i+1:]...)
			}
			rest, ok := krm.DropOwn(second)
			if !ok {
				t.Fatal("DropOwn dropped nothing from a second render's input")
			}
			before, err := fn.ParseResourceList(second)
			if err != nil {
				t.Fatal(err)
			}
			after, err := fn.ParseResourceList(rest)
			if err != nil {
				t.Fatalf("DropOwn left no ResourceList: %v", err)
			}
			var want []string
			for _, it := range before.Items {
				if !krm.Generated(it, before.FunctionConfig.GetName()) || it.GetName() == "flow" {
					want = append(want, it.GetKind()+" "+it.GetName())
				}
			}
			var got []string
			for _, it := range after.Items {
				got = append(got, it.GetKind()+" "+it.GetName())
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("DropOwn kept:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			fast, err := krm.Run(second)
			if err != nil {
				t.Fatal(err)
			}
			slow, err := krm.RunSlow(second)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(fast, slow) {
				t.Errorf("with DropOwn the output differs:\n%s", lineDiff(string(slow), string(fast)))
			}
		})
	}
}
