// Package cli is meshgen's command line: render, validate and version, and the KRM function
// mode when started without arguments.
package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/gen"
	"github.com/meshgen/meshgen/pkg/krm"
	"github.com/meshgen/meshgen/pkg/out"
)

// Version is set at build time with -ldflags "-X github.com/meshgen/meshgen/pkg/cli.Version=...".
var Version = "v0.1.0-dev"

// Exit statuses.
const (
	OK      = 0
	Invalid = 1
	Usage   = 2
)

const usage = `meshgen renders every manifest of a multi-cluster Istio mesh from one MeshConfig.

Usage:
  meshgen                              KRM function: ResourceList on stdin, result on stdout
  meshgen render FILE... [-o DIR] [--cluster NAME] [--check]
  meshgen validate FILE...
  meshgen certs FILE... -o DIR [--force]
  meshgen version

Run 'meshgen COMMAND --help' for a command's flags.
Exit status: 0 done, 1 invalid input or out-of-date tree (--check), 2 usage error.
`

// Main runs meshgen with the process's arguments and streams and returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return function(stdin, stdout, stderr)
	}
	switch args[0] {
	case "render":
		return render(args[1:], stdin, stdout, stderr)
	case "validate":
		return validate(args[1:], stdin, stdout, stderr)
	case "certs":
		return certsCmd(args[1:], stdin, stdout, stderr)
	case "version":
		fs := flag.NewFlagSet("version", flag.ContinueOnError)
		fs.SetOutput(stderr)
		fs.Usage = func() { fmt.Fprint(stderr, "Usage: meshgen version\n\nPrints meshgen's version.\n") }
		if err := fs.Parse(args[1:]); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return OK
			}
			return Usage
		}
		if fs.NArg() > 0 {
			fs.Usage()
			return Usage
		}
		fmt.Fprintln(stdout, "meshgen", Version)
		return OK
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return OK
	}
	fmt.Fprintf(stderr, "meshgen: unknown command %q\n\n%s", args[0], usage)
	return Usage
}

// maxOutput is api.MaxResourceListOutputBytes; tests lower it.
var maxOutput = api.MaxResourceListOutputBytes

// function is the KRM mode. Output is written only when it is whole: a ResourceList with
// results, items unchanged on error.
func function(stdin io.Reader, stdout, stderr io.Writer) int {
	if f, ok := stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprint(stderr, "meshgen: no arguments means KRM function mode, which reads a ResourceList on stdin.\n\n"+usage)
			return Usage
		}
	}
	in, err := io.ReadAll(io.LimitReader(stdin, api.MaxResourceListBytes+1))
	if err != nil {
		fmt.Fprintf(stderr, "meshgen: reading stdin: %v\n", err)
		return Invalid
	}
	if len(in) > api.MaxResourceListBytes {
		fmt.Fprintf(stderr, "meshgen: ResourceList larger than %d bytes; refused\n", api.MaxResourceListBytes)
		return Invalid
	}
	// The SDK's message for this ("expected exactly one object, got 0") hides the cause.
	if len(bytes.TrimSpace(in)) == 0 {
		fmt.Fprint(stderr, "meshgen: stdin is empty; KRM function mode reads a ResourceList there\n")
		return Invalid
	}
	res, err := krm.Run(in)
	if err == nil && len(res) > maxOutput {
		// kpt would write the package and fail on the next render, whose input is larger still.
		fmt.Fprintf(stderr, "meshgen: the ResourceList to write is %d bytes, more than %d: with kpt's annotations it would exceed the %d bytes meshgen reads on the next render; refused (write the mesh with meshgen render -o instead)\n", len(res), maxOutput, api.MaxResourceListBytes)
		return Invalid
	}
	if len(res) > 0 {
		stdout.Write(res)
	}
	if err != nil {
		fmt.Fprintf(stderr, "meshgen: %v\n", err)
		return Invalid
	}
	return OK
}

type options struct {
	out     string
	cluster string
	check   bool
	files   []string
}

func parse(name, help string, args []string, stderr io.Writer, withOutput bool) (*options, int) {
	o := &options{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if withOutput {
		fs.StringVar(&o.out, "o", "", "write a per-cluster tree into `DIR` instead of a stream on stdout")
		fs.StringVar(&o.cluster, "cluster", "", "render only the cluster `NAME` (or rancher)")
		fs.BoolVar(&o.check, "check", false, "with -o: write nothing; exit 1 and print a diff if DIR is out of date")
	}
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), help)
		fs.PrintDefaults()
	}
	// Flags may follow the files, as in 'meshgen render mesh.yaml --cluster x'.
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(stderr)
				return nil, OK
			}
			return nil, Usage
		}
		if fs.NArg() == 0 {
			break
		}
		o.files = append(o.files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(o.files) == 0 {
		fmt.Fprintf(stderr, "meshgen %s: at least one FILE is required\n", name)
		fs.Usage()
		return nil, Usage
	}
	if o.check && o.out == "" {
		fmt.Fprintf(stderr, "meshgen %s: --check needs -o DIR\n", name)
		return nil, Usage
	}
	return o, -1
}

const renderHelp = `Usage: meshgen render FILE... [-o DIR] [--cluster NAME] [--check]

Renders the MeshConfig in FILE (with any credentials Secrets in the other FILEs; - is stdin).
Without -o, writes one YAML stream to stdout, each document behind a "# Source:" comment.
With -o, writes DIR/<cluster>/*.yaml and DIR/rancher/*.yaml, each folder with a
kustomization.yaml; files meshgen wrote before and no longer produces are removed, other
files are kept.

`

func render(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, code := parse("render", renderHelp, args, stderr, true)
	if o == nil {
		return code
	}
	in, code := load(o.files, stdin, stderr)
	if in == nil {
		return code
	}
	// The name comes from a flag but is checked against the file: the message names both.
	if o.cluster != "" && !slices.Contains(gen.Clusters(in.Config), o.cluster) {
		return report(stderr, api.Errors{{File: in.File, Path: "--cluster", Msg: fmt.Sprintf("unknown cluster %q; the mesh has %s", o.cluster, strings.Join(gen.Clusters(in.Config), ", "))}})
	}
	if !o.check {
		return info(write(o, in, stdout, stderr), in, stderr)
	}
	objs, err := gen.Render(in, o.cluster)
	if err != nil {
		return report(stderr, err)
	}
	docs, err := out.EncodeAll(objs)
	if err != nil {
		return report(stderr, err)
	}
	if gen.HasCredentials(objs) {
		warnCredentials(stderr)
	}
	d, err := out.Diff(o.out, out.BuildTree(in.Config.Metadata.Name, docs))
	if err != nil {
		return report(stderr, err)
	}
	if d != "" {
		fmt.Fprint(stdout, d)
		fmt.Fprintf(stderr, "meshgen: %s is out of date with %s; run meshgen render -o %s\n", o.out, in.File, o.out)
		return Invalid
	}
	return info(OK, in, stderr)
}

func warnCredentials(stderr io.Writer) {
	fmt.Fprintln(stderr, "meshgen: warning: the output contains cluster credentials (remote secrets); keep it out of public repositories or encrypt it")
}

// write renders into a stream or a tree one cluster at a time and encodes each object as it
// comes, so that a mesh of a hundred clusters never has all its objects in memory: only the
// stream's bytes, and for a tree not even those. Either output appears whole or not at all.
func write(o *options, in *api.Input, stdout, stderr io.Writer) int {
	creds := false
	if o.out == "" {
		// Kept per cluster: one buffer that doubled its way to the whole stream would need half
		// as much again while it copies.
		var chunks [][]byte
		var buf []byte
		err := gen.Each(in, o.cluster, func(objs []gen.Object) error {
			creds = creds || gen.HasCredentials(objs)
			buf = buf[:0]
			for i, obj := range objs {
				var err error
				if buf, err = out.AppendStream(buf, obj, len(chunks) == 0 && i == 0); err != nil {
					return err
				}
			}
			chunks = append(chunks, bytes.Clone(buf))
			return nil
		})
		if err != nil {
			return report(stderr, err)
		}
		if creds {
			warnCredentials(stderr)
		}
		for _, c := range chunks {
			stdout.Write(c)
		}
		return OK
	}
	w, err := out.NewTreeWriter(o.out, in.Config.Metadata.Name)
	if err != nil {
		return report(stderr, err)
	}
	var buf []byte
	err = gen.Each(in, o.cluster, func(objs []gen.Object) error {
		creds = creds || gen.HasCredentials(objs)
		for _, obj := range objs {
			var err error
			if buf, err = out.AppendEncode(buf[:0], obj); err != nil {
				return err
			}
			if err := w.Add(obj.Path(), buf); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		w.Abort()
		return report(stderr, err)
	}
	if creds {
		warnCredentials(stderr)
	}
	if err := w.Commit(); err != nil {
		return report(stderr, err)
	}
	return OK
}

const validateHelp = `Usage: meshgen validate FILE...

Checks the MeshConfig and credentials in FILE without writing anything.

`

func validate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, code := parse("validate", validateHelp, args, stderr, false)
	if o == nil {
		return code
	}
	in, code := load(o.files, stdin, stderr)
	if in == nil {
		return code
	}
	if _, err := gen.Render(in, ""); err != nil {
		return report(stderr, err)
	}
	fmt.Fprintf(stdout, "%s: mesh %s is valid (%d clusters)\n", in.File, in.Config.Metadata.Name, len(in.Config.Spec.Clusters))
	return OK
}

func report(stderr io.Writer, err error) int {
	var es api.Errors
	if errors.As(err, &es) {
		for _, e := range es {
			fmt.Fprintln(stderr, e.Error())
		}
	} else {
		fmt.Fprintf(stderr, "meshgen: %v\n", err)
	}
	return Invalid
}

// load reads the files: exactly one MeshConfig, plus credentials Secrets.
func load(files []string, stdin io.Reader, stderr io.Writer) (*api.Input, int) {
	var cfgs, creds []api.Doc
	var es api.Errors
	for _, f := range files {
		docs, err := readDocs(f, stdin)
		if err != nil {
			es = append(es, api.FieldError{File: f, Msg: err.Error()})
			continue
		}
		for _, d := range docs {
			switch v, k := api.KindOf(d.Node); {
			case k == api.Kind:
				cfgs = append(cfgs, d)
			case api.IsCredentials(d.Node):
				creds = append(creds, d)
			default:
				es = append(es, api.FieldError{File: f, Line: d.Node.Line, Msg: fmt.Sprintf("unexpected object (apiVersion %q, kind %q): FILEs hold one %s and credentials Secrets", v, k, api.Kind)})
			}
		}
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
