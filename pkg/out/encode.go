// Package out writes generated objects: as YAML documents, as a multi-document stream and as
// a per-cluster tree for GitOps repositories.
package out

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/meshgen/meshgen/pkg/gen"
	"github.com/meshgen/meshgen/pkg/yamlenc"
)

// AppendEncode appends the YAML of one object to dst, for callers that write many objects
// into one buffer or file.
func AppendEncode(dst []byte, o gen.Object) ([]byte, error) {
	e := encoders.Get().(*encoder)
	defer encoders.Put(e)
	j, err := e.marshal(o.Body)
	if err == nil {
		dst, err = yamlenc.Append(dst, j)
	}
	if err != nil {
		return dst, fmt.Errorf("%s: %w", o.Path(), err)
	}
	return dst, nil
}

// encoder is json.Marshal into a reused buffer: a large mesh encodes tens of thousands of
// objects.
type encoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var encoders = sync.Pool{New: func() any {
	e := new(encoder)
	e.enc = json.NewEncoder(&e.buf)
	return e
}}

// marshal returns the JSON of v, valid until the next call; the Encoder's newline is harmless.
func (e *encoder) marshal(v any) ([]byte, error) {
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}

// Document is an encoded object with its path.
type Document struct {
	Path string
	Data []byte
}

// EncodeAll encodes every object, in order. It fails as a whole, so no caller writes half.
func EncodeAll(objs []gen.Object) ([]Document, error) {
	docs := make([]Document, len(objs))
	// One allocation per object keeps the result exactly as large as the output; a shared
	// arena would pin every document as long as any one is alive.
	var scratch []byte
	for i, o := range objs {
		var err error
		scratch, err = AppendEncode(scratch[:0], o)
		if err != nil {
			return nil, err
		}
		docs[i] = Document{Path: o.Path(), Data: bytes.Clone(scratch)}
	}
	return docs, nil
}

// AppendStream appends one object to dst as a document of a YAML stream: a "---" line unless
// it is the stream's first, a "# Source:" comment naming its path (as helm template does), the
// YAML. The stream is ready for kubectl apply -f -.
func AppendStream(dst []byte, o gen.Object, first bool) ([]byte, error) {
	if !first {
		dst = append(dst, "---\n"...)
	}
	dst = append(dst, "# Source: "...)
	dst = append(dst, o.Path()...)
	dst = append(dst, '\n')
	return AppendEncode(dst, o)
}
