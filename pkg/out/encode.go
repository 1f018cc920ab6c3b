// Package out writes generated objects: as YAML documents, as a multi-document stream and as
// a per-cluster tree for GitOps repositories.
package out

import (
	"bytes"
	"encoding/json"
	"fmt"

	"sigs.k8s.io/yaml"

	"github.com/meshgen/meshgen/pkg/gen"
)

// Encode returns the canonical YAML of one object: keys sorted, nothing the API server fills
// in. The same object always gives the same bytes.
func Encode(o gen.Object) ([]byte, error) {
	j, err := json.Marshal(o.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.Path(), err)
	}
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(j))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", o.Path(), err)
	}
	// Typed Kubernetes objects serialise their zero creation time, their status and empty specs;
	// none belongs in a manifest, and each would show up as drift.
	if md, ok := m["metadata"].(map[string]any); ok && md["creationTimestamp"] == nil {
		delete(md, "creationTimestamp")
	}
	delete(m, "status")
	if sp, ok := m["spec"].(map[string]any); ok && len(sp) == 0 {
		delete(m, "spec")
	}
	return yaml.Marshal(m)
}

// Document is an encoded object with its path.
type Document struct {
	Path string
	Data []byte
}

// EncodeAll encodes every object, in order. It fails as a whole, so no caller writes half.
func EncodeAll(objs []gen.Object) ([]Document, error) {
	docs := make([]Document, len(objs))
	for i, o := range objs {
		b, err := Encode(o)
		if err != nil {
			return nil, err
		}
		docs[i] = Document{Path: o.Path(), Data: b}
	}
	return docs, nil
}

// Stream writes the documents as one YAML stream, each behind a "# Source:" comment naming
// its path (as helm template does), ready for kubectl apply -f -.
func Stream(docs []Document) []byte {
	var b bytes.Buffer
	for i, d := range docs {
		if i > 0 {
			b.WriteString("---\n")
		}
		b.WriteString("# Source: ")
		b.WriteString(d.Path)
		b.WriteByte('\n')
		b.Write(d.Data)
	}
	return b.Bytes()
}
