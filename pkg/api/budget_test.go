package api

import (
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// nodes is the number of nodes Decode visits in a document.
func nodes(t *testing.T, in string) int {
	t.Helper()
	n, err := yaml.Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	d := &decoder{lines: map[string]int{}}
	d.value(n.YNode(), reflect.ValueOf(&MeshConfig{}).Elem(), "")
	return d.seen
}

// TestDecodeNodeBudgetExact: a document of exactly maxNodes nodes decodes, one more does not.
// The document is sized by measuring what each part costs, so it follows the decoder's
// counting.
func TestDecodeNodeBudgetExact(t *testing.T) {
	doc := func(aliases, pads int, odd bool) string {
		ns := ""
		if odd {
			ns = ", namespace: y"
		}
		return "x: &x {name: a, network: b}\nmetadata: {name: m" + ns + "}\nspec:\n" +
			"  namespaces: [" + strings.Repeat("{name: n}, ", pads) + "{name: n}]\n" +
			"  clusters: [" + strings.Repeat("*x, ", aliases) + "*x]\n"
	}
	base := nodes(t, doc(0, 0, false))
	alias, pad, odd := nodes(t, doc(1, 0, false))-base, nodes(t, doc(0, 1, false))-base, nodes(t, doc(0, 0, true))-base
	if pad != 2*odd || odd != 1 {
		t.Fatalf("a namespace entry costs %d nodes and a metadata field %d; the sizing wants 2 and 1", pad, odd)
	}
	k := (maxNodes - base) / alias
	r := maxNodes - base - k*alias
	exact := doc(k, r/2, r%2 == 1)
	if n := nodes(t, exact); n != maxNodes {
		t.Fatalf("sized %d nodes, want %d", n, maxNodes)
	}
	for _, tt := range []struct {
		in   string
		over bool
	}{{exact, false}, {doc(k, r/2+1, r%2 == 1), true}} {
		n, err := yaml.Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		_, _, es := Decode(n.YNode())
		if over := strings.Contains(es.Error(), "too complex"); over != tt.over {
			t.Errorf("%d nodes: refused as too complex: %v", nodes(t, tt.in), over)
		}
	}
}
