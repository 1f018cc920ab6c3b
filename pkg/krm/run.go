package krm

import (
	"bytes"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Run evaluates one ResourceList. It reads through the SDK but writes with kyaml's ByteWriter
// in item order: the SDK's writer re-sorts items by kind and name with an unstable sort, and
// meshgen emits the same kind and name once per cluster, so those items would trade places
// (and path annotations) from one run to the next.
func Run(in []byte) ([]byte, error) {
	rl, err := fn.ParseResourceList(in)
	if err != nil {
		return nil, err
	}
	// Results describe one run; earlier runs' results in the input are not this run's.
	rl.Results = nil
	ok, perr := Process(rl)
	nodes := make([]*yaml.RNode, len(rl.Items))
	for i, it := range rl.Items {
		nodes[i] = it.CopyToResourceNode()
	}
	w := kio.ByteWriter{
		WrappingKind:          kio.ResourceListKind,
		WrappingAPIVersion:    kio.ResourceListAPIVersion,
		KeepReaderAnnotations: true,
	}
	if !rl.FunctionConfig.IsEmpty() {
		w.FunctionConfig = rl.FunctionConfig.CopyToResourceNode()
	}
	if len(rl.Results) > 0 {
		b, err := yaml.Marshal(rl.Results)
		if err != nil {
			return nil, err
		}
		if w.Results, err = yaml.Parse(string(b)); err != nil {
			return nil, err
		}
	}
	var out bytes.Buffer
	w.Writer = &out
	if err := w.Write(nodes); err != nil {
		return nil, err
	}
	if perr == nil && !ok {
		perr = rl.Results
	}
	return out.Bytes(), perr
}
