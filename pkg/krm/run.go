package krm

import (
	"bytes"
	"errors"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/meshgen/meshgen/pkg/sink"
)

// Run evaluates one ResourceList and returns the result: the items that pass through, in
// their order, written by kyaml; then the generated items, which sink.Items wrote as bytes;
// the functionConfig and the results. On an error the items are returned as they came, with
// the results saying what is wrong. (The SDK's own writer re-sorts items by kind and name with
// an unstable sort, and meshgen emits the same kind and name once per cluster, so those items
// would trade places from one run to the next.)
func Run(in []byte) ([]byte, error) {
	// meshgen's earlier output is dropped unparsed; on an error the items must come back as
	// they came, so the run is repeated on the whole input.
	if rest, ok := dropOwn(in); ok {
		if out, err := run(rest); err == nil {
			return out, nil
		}
	}
	return run(in)
}

func run(in []byte) ([]byte, error) {
	rl, err := fn.ParseResourceList(in)
	if err != nil {
		return nil, err
	}
	var s sink.Items
	sum, input, perr := process(rl, &s)
	rl.Results = results(sum, input, rl.FunctionConfig.GetName(), perr)
	if perr != nil {
		s.Abort()
	}
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
	b, err := yaml.Marshal(rl.Results)
	if err != nil {
		return nil, err
	}
	if w.Results, err = yaml.Parse(string(b)); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	w.Writer = &out
	if err := w.Write(nodes); err != nil {
		return nil, err
	}
	res, err := splice(out.Bytes(), s.Buf)
	if err != nil {
		return nil, err
	}
	return res, perr
}

// splice puts the generated entries at the end of the items sequence of a ResourceList that
// kyaml wrote: before the first top-level key after "items:" (functionConfig or results).
func splice(rl, entries []byte) ([]byte, error) {
	if len(entries) == 0 {
		return rl, nil
	}
	if i := bytes.Index(rl, []byte("\nitems: []\n")); i >= 0 {
		return concat(rl[:i+1], []byte("items:\n"), entries, rl[i+len("\nitems: []\n"):]), nil
	}
	i := bytes.Index(rl, []byte("\nitems:\n"))
	if i < 0 {
		return nil, errors.New("ResourceList written without items")
	}
	at := i + len("\nitems:\n")
	for at < len(rl) {
		c := rl[at]
		if c != '-' && c != ' ' && c != '#' && c != '\n' {
			break
		}
		nl := bytes.IndexByte(rl[at:], '\n')
		if nl < 0 {
			at = len(rl)
			break
		}
		at += nl + 1
	}
	return concat(rl[:at], entries, rl[at:]), nil
}

func concat(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}
