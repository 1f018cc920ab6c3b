package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/meshgen/meshgen/pkg/api"
)

// load reads the files: exactly one MeshConfig, plus credentials Secrets.
func load(files []string, stdin io.Reader, stderr io.Writer) (*api.Input, int) {
	var all []api.Doc
	var es api.Errors
	for _, f := range files {
		docs, err := readDocs(f, stdin)
		if err != nil {
			es = append(es, api.FieldError{File: f, Msg: err.Error()})
			continue
		}
		all = append(all, docs...)
	}
	cfgs, creds, rest := api.Sort(all)
	for _, d := range rest {
		v, k := api.KindOf(d.Node)
		es = append(es, api.FieldError{File: d.File, Line: d.Node.Line, Msg: fmt.Sprintf("unexpected object (apiVersion %q, kind %q): FILEs hold one %s and credentials Secrets", v, k, api.Kind)})
	}
	switch {
	case len(cfgs) == 0 && len(es) == 0:
		es = append(es, api.FieldError{File: strings.Join(files, ", "), Msg: fmt.Sprintf("no %s found", api.Kind)})
	case len(cfgs) > 1:
		for _, c := range cfgs[1:] {
			es = append(es, api.FieldError{File: c.File, Line: c.Node.Line, Msg: fmt.Sprintf("a second %s: render one mesh at a time", api.Kind)})
		}
	}
	if len(es) > 0 {
		return nil, report(stderr, es)
	}
	in, lerr := api.Load(cfgs[0], creds)
	if lerr != nil {
		return nil, report(stderr, lerr)
	}
	for _, w := range in.Warnings {
		fmt.Fprintln(stderr, "meshgen: warning: "+w.Error())
	}
	return in, OK
}

// readDocs reads one file's YAML documents, refusing oversized files before parsing.
func readDocs(file string, stdin io.Reader) ([]api.Doc, error) {
	var r io.Reader = stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, api.MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > api.MaxFileBytes {
		return nil, fmt.Errorf("larger than %d bytes; refused", api.MaxFileBytes)
	}
	return api.ParseDocs(file, b)
}
