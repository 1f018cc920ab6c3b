package api

import (
	"fmt"
	"sort"
	"strings"
)

// FieldError is one problem in the input, located by its field path and, where known, its
// file and line.
type FieldError struct {
	File string
	Line int
	Path string
	Msg  string
}

func (e FieldError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors collects every problem found, so a user fixes them in one pass.
type Errors []FieldError

func (es Errors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

func (es *Errors) add(path, format string, args ...any) {
	*es = append(*es, FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// Locate fills in file and line from the positions recorded while decoding: the line of the
// deepest recorded path that prefixes the error's path.
func (es Errors) Locate(file string, lines map[string]int) {
	for i := range es {
		if es[i].File == "" {
			es[i].File = file
		}
		if es[i].Line > 0 || lines == nil {
			continue
		}
		for p := es[i].Path; p != ""; p = parent(p) {
			if l, ok := lines[p]; ok {
				es[i].Line = l
				break
			}
		}
	}
}

// Sort orders errors by file, line and path, so output does not depend on check order.
func (es Errors) Sort() {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Path < b.Path
	})
}

func parent(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}
