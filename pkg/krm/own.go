package krm

import (
	"bytes"

	"github.com/meshgen/meshgen/pkg/gen"
)

// dropOwn returns the ResourceList without the items meshgen wrote for its mesh on an
// earlier run, which this run replaces, and whether it dropped any. On a second kpt render
// those items are nearly all of the input (54 MB for 40 clusters of 60 services), and parsing
// them into kyaml nodes only to drop them was most of the function's time.
//
// It reads the bytes, not the YAML: the items block as kyaml writes it (kpt and kustomize
// write ResourceLists with kyaml), "items:" at the start of a line and each item a "- " line
// at the start of a line. An item is meshgen's when its metadata holds, in block style at
// kyaml's indentation, the label app.kubernetes.io/managed-by: meshgen and the annotation
// meshgen.dev/mesh: <the functionConfig's name>: exactly what krm.Generated asks of a parsed
// item. Anything it does not recognise it keeps, to be parsed and judged as before; input of
// another shape is returned whole (ok false).
func dropOwn(in []byte) (out []byte, ok bool) {
	mesh := functionConfigName(in)
	if mesh == "" {
		return nil, false
	}
	start := bytes.Index(in, []byte("\nitems:\n"))
	if start < 0 {
		return nil, false
	}
	start += len("\nitems:\n")
	label := []byte("      " + gen.ManagedByLabel + ": " + gen.ManagedBy + "\n")
	annotation := []byte("      " + gen.MeshAnnotation + ": " + mesh + "\n")
	out = append(make([]byte, 0, 64<<10), in[:start]...)
	i, dropped := start, false
	for i < len(in) {
		// An item: its head comments at the start of lines, the "- " line, and every line up
		// to the next line that starts at column 0 with something else than a space.
		j := i
		for j < len(in) && in[j] == '#' {
			j = lineEnd(in, j)
		}
		if j >= len(in) || in[j] != '-' {
			break // the end of the items block
		}
		end := lineEnd(in, j)
		for end < len(in) && (in[end] == ' ' || in[end] == '\n') {
			end = lineEnd(in, end)
		}
		if own(in[j:end], label, annotation) {
			dropped = true
		} else {
			out = append(out, in[i:end]...)
		}
		i = end
	}
	return append(out, in[i:]...), dropped
}

// lineEnd returns the index after the line that starts at i.
func lineEnd(b []byte, i int) int {
	if n := bytes.IndexByte(b[i:], '\n'); n >= 0 {
		return i + n + 1
	}
	return len(b)
}

// own tells whether an item ("- " and its lines) has the label and the annotation in the block
// mappings metadata.labels and metadata.annotations at kyaml's indentation.
func own(item, label, annotation []byte) bool {
	md := block(item, []byte("  metadata:\n"), 2)
	return md != nil && has(block(md, []byte("    labels:\n"), 4), label) && has(block(md, []byte("    annotations:\n"), 4), annotation)
}

// block returns the lines under the line key (which starts with indent spaces, or with "- " as
// an item's first line), up to the next line indented indent or less; nil without key.
func block(b, key []byte, indent int) []byte {
	var at int
	switch {
	case bytes.HasPrefix(b, key):
		at = len(key)
	case indent == 2 && bytes.HasPrefix(b, append([]byte("- "), key[2:]...)):
		at = len(key)
	default:
		i := bytes.Index(b, append([]byte("\n"), key...))
		if i < 0 {
			return nil
		}
		at = i + 1 + len(key)
	}
	end := at
	for end < len(b) && (b[end] == '\n' || countSpaces(b[end:]) > indent) {
		end = lineEnd(b, end)
	}
	return b[at:end]
}

func countSpaces(b []byte) int {
	n := 0
	for n < len(b) && b[n] == ' ' {
		n++
	}
	return n
}

// has tells whether a block holds line as one of its lines.
func has(block, line []byte) bool {
	return block != nil && (bytes.HasPrefix(block, line) || bytes.Contains(block, append([]byte("\n"), line...)))
}

// functionConfigName is the functionConfig's metadata.name when it is a plain scalar at
// kyaml's indentation, "" otherwise.
func functionConfigName(in []byte) string {
	i := bytes.Index(in, []byte("\nfunctionConfig:\n"))
	if i < 0 {
		return ""
	}
	fc := in[i+len("\nfunctionConfig:\n"):]
	end := 0
	for end < len(fc) && (fc[end] == ' ' || fc[end] == '\n' || fc[end] == '#') {
		end = lineEnd(fc, end)
	}
	md := block(fc[:end], []byte("  metadata:\n"), 2)
	for _, l := range bytes.Split(md, []byte("\n")) {
		if v, ok := bytes.CutPrefix(l, []byte("    name: ")); ok {
			for _, c := range v {
				if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
					return ""
				}
			}
			return string(v)
		}
	}
	return ""
}
