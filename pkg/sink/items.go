package sink

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/meshgen/meshgen/pkg/gen"
)

// Items writes each object as an entry of a ResourceList's items sequence, straight into Buf:
// Tree's YAML of the object, indented as kyaml writes a sequence entry, with the annotations
// kpt writes the item's file by (internal.config.kubernetes.io/path and index). Nothing is
// parsed: meshgen never reads back what it has just written. Package krm writes the
// ResourceList around Buf. Files become local-config ConfigMaps (see the package doc).
type Items struct {
	// Dir is the package folder the output lands in; "" for the package root.
	Dir  string
	Mesh string
	// Buf holds the entries, N of them.
	Buf []byte
	N   int

	enc encoder
	doc []byte
}

// Annotations of a file carried as an item.
const (
	LocalConfigAnnotation = "config.kubernetes.io/local-config"
	FileAnnotation        = "meshgen.dev/file"
)

func (s *Items) Put(f *gen.Folder) error {
	for _, o := range f.Objects {
		if !o.Applied() {
			continue
		}
		var err error
		if s.doc, err = s.enc.object(s.doc[:0], o); err != nil {
			return err
		}
		if s.Buf, err = appendItem(s.Buf, s.doc, path.Join(s.Dir, o.Path())); err != nil {
			return err
		}
		s.N++
	}
	names := map[string]string{}
	for _, fl := range f.Files {
		content, err := s.enc.file(nil, f.Name, fl)
		if err != nil {
			return err
		}
		d := dnsName(fl.Name)
		if other, ok := names[d]; ok || d == "" {
			return fmt.Errorf("%s: files %q and %q would be one ConfigMap %q in KRM mode; name them apart", f.Name, other, fl.Name, "meshgen-file-"+d)
		}
		names[d] = fl.Name
		name := "meshgen-file-" + d
		cm := map[string]any{
			"apiVersion": "v1",
			"kind":       "ConfigMap",
			"metadata": map[string]any{
				"name":   name,
				"labels": map[string]string{gen.ManagedByLabel: gen.ManagedBy},
				"annotations": map[string]string{
					gen.MeshAnnotation:    s.Mesh,
					LocalConfigAnnotation: "true",
					FileAnnotation:        fl.Name,
				},
			},
			"data": map[string]string{path.Base(fl.Name): string(content)},
		}
		if s.doc, err = s.enc.yaml(s.doc[:0], cm); err != nil {
			return err
		}
		if s.Buf, err = appendItem(s.Buf, s.doc, path.Join(s.Dir, f.Name, "configmap_"+name+".yaml")); err != nil {
			return err
		}
		s.N++
	}
	return nil
}

func (s *Items) Commit() error { return nil }
func (s *Items) Abort()        { s.Buf, s.N = s.Buf[:0], 0 }

// dnsName makes a file name an object name: lower case, anything but letters, digits and
// dashes a dash.
func dnsName(n string) string {
	return strings.Trim(strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, n), "-")
}

var errNoAnnotations = errors.New("generated object without metadata.annotations")

// appendItem appends doc, a generated object's YAML, as one entry of a block sequence: "- "
// before the first line, two spaces before the others, and the path and index annotations
// after the object's own (every generated object has annotations: the mesh's).
func appendItem(dst, doc []byte, p string) ([]byte, error) {
	at := -1
	if i := bytes.Index(doc, []byte("\nmetadata:\n  annotations:\n")); i >= 0 {
		at = i + len("\nmetadata:\n  annotations:\n")
		// The block ends at the first line indented less than its entries.
		for at < len(doc) && bytes.HasPrefix(doc[at:], []byte("    ")) {
			nl := bytes.IndexByte(doc[at:], '\n')
			if nl < 0 {
				at = len(doc)
				break
			}
			at += nl + 1
		}
	}
	if at < 0 {
		return dst, errNoAnnotations
	}
	dst = indent(dst, doc[:at], true)
	dst = append(dst, "      internal.config.kubernetes.io/path: "...)
	dst = appendScalar(dst, p)
	dst = append(dst, "\n      internal.config.kubernetes.io/index: \"0\"\n"...)
	return indent(dst, doc[at:], false), nil
}

// indent appends b's lines two spaces deeper, the first behind "- " when first is set. Empty
// lines (in literal blocks) stay empty, as kyaml writes them.
func indent(dst, b []byte, first bool) []byte {
	for len(b) > 0 {
		line, rest, _ := bytes.Cut(b, []byte("\n"))
		switch {
		case first:
			dst = append(dst, "- "...)
			first = false
		case len(line) > 0:
			dst = append(dst, "  "...)
		}
		dst = append(dst, line...)
		dst = append(dst, '\n')
		b = rest
	}
	return dst
}

// appendScalar appends s as a YAML scalar: plain when it holds only the characters of an
// ordinary path, which YAML reads back as that string; otherwise double-quoted, as JSON
// writes it (a JSON string is a YAML double-quoted scalar, and never folds).
func appendScalar(dst []byte, s string) []byte {
	plain := s != "" && s[0] != '.' && s[0] != '-'
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./", r)) {
			plain = false
			break
		}
	}
	if plain {
		return append(dst, s...)
	}
	b, _ := json.Marshal(s) // a string always marshals
	return append(dst, b...)
}
