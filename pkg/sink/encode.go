package sink

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"

	"github.com/meshgen/meshgen/pkg/gen"
	"github.com/meshgen/meshgen/pkg/sink/internal/yamlenc"
)

// encoder writes objects and files as YAML: json.Marshal into a reused buffer, then yamlenc.
// Each sink has one; a large mesh encodes tens of thousands of objects.
type encoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

// json returns the JSON of v, valid until the next call; the Encoder's newline is harmless.
func (e *encoder) json(v any) ([]byte, error) {
	if e.enc == nil {
		e.enc = json.NewEncoder(&e.buf)
	}
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}

// yaml appends the YAML of v to dst.
func (e *encoder) yaml(dst []byte, v any) ([]byte, error) {
	j, err := e.json(v)
	if err != nil {
		return dst, err
	}
	return yamlenc.Append(dst, j)
}

// object appends the YAML of one object to dst, its embedded documents encoded first.
func (e *encoder) object(dst []byte, o gen.Object) ([]byte, error) {
	for _, d := range o.Docs() {
		if d.YAML != nil {
			continue
		}
		var err error
		if d.YAML, err = e.yaml(nil, d.Value); err != nil {
			return dst, fmt.Errorf("%s: %w", o.Path(), err)
		}
	}
	dst, err := e.yaml(dst, o.Body)
	if err != nil {
		return dst, fmt.Errorf("%s: %w", o.Path(), err)
	}
	return dst, nil
}

// file appends a file's content to dst.
func (e *encoder) file(dst []byte, folder string, f gen.File) ([]byte, error) {
	if f.Value == nil {
		return append(dst, f.Data...), nil
	}
	dst, err := e.yaml(dst, f.Value)
	if err != nil {
		return dst, fmt.Errorf("%s: %w", path.Join(folder, f.Name), err)
	}
	return dst, nil
}
