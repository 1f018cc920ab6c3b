// Package cli is meshgen's command line: the flags, messages and exit statuses of render,
// validate, certs and version, and of the KRM function mode when started without arguments.
// It owns no output format: render hands a sink to sink.Run, the function mode hands stdin
// to krm.Run. input.go reads the input files, certs.go is the certs command.
package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/gen"
	"github.com/meshgen/meshgen/pkg/krm"
	"github.com/meshgen/meshgen/pkg/sink"
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
		if _, code := parse("version", versionHelp, args[1:], stdout, stderr, cmdVersion); code >= 0 {
			return code
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
	force   bool
	files   []string
}

// The commands, for parse.
const (
	cmdRender = iota
	cmdValidate
	cmdVersion
	cmdCerts
)

const versionHelp = `Usage: meshgen version

Prints meshgen's version.

`

// parse reads a command's flags and arguments. It returns the exit status to end with, or -1
// to go on. Help asked for goes to stdout; a usage error and the help after it to stderr.
func parse(name, help string, args []string, stdout, stderr io.Writer, cmd int) (*options, int) {
	o := &options{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if cmd == cmdRender {
		fs.StringVar(&o.out, "o", "", "write a per-cluster tree into `DIR` instead of a stream on stdout")
		fs.StringVar(&o.cluster, "cluster", "", "render only the cluster `NAME` (or rancher); with -o, only its folder changes")
		fs.BoolVar(&o.check, "check", false, "with -o: write nothing; exit 1 and print a diff if DIR is out of date")
	}
	if cmd == cmdCerts {
		fs.StringVar(&o.out, "o", "", "write the CA files into `DIR` (required; outside the GitOps tree)")
		fs.BoolVar(&o.force, "force", false, "replace the files of cluster folders that are incomplete or do not chain to the root")
	}
	usage := func(w io.Writer) {
		fmt.Fprint(w, help)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(stderr)
	}
	fs.Usage = func() {} // printed below, to the stream it belongs on
	// Flags may follow the files, as in 'meshgen render mesh.yaml --cluster x'.
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				usage(stdout)
				return nil, OK
			}
			fmt.Fprintln(stderr)
			usage(stderr)
			return nil, Usage
		}
		if fs.NArg() == 0 {
			break
		}
		o.files = append(o.files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch {
	case cmd == cmdVersion && len(o.files) > 0:
		fmt.Fprintf(stderr, "meshgen %s: unexpected argument %q; it takes none\n\n", name, o.files[0])
		usage(stderr)
		return nil, Usage
	case cmd != cmdVersion && len(o.files) == 0:
		fmt.Fprintf(stderr, "meshgen %s: at least one FILE is required\n\n", name)
		usage(stderr)
		return nil, Usage
	case cmd == cmdCerts && o.out == "":
		fmt.Fprintf(stderr, "meshgen %s: at least one FILE and -o DIR are required\n\n", name)
		usage(stderr)
		return nil, Usage
	case o.check && o.out == "":
		fmt.Fprintf(stderr, "meshgen %s: --check needs -o DIR\n", name)
		return nil, Usage
	}
	return o, -1
}

const renderHelp = `Usage: meshgen render FILE... [-o DIR] [--cluster NAME] [--check]

Renders the MeshConfig in FILE (with any credentials Secrets in the other FILEs; - is stdin).
Without -o, writes one YAML stream to stdout, each document behind a "# Source:" comment.
With -o, writes DIR/<cluster>/<phase>/*.yaml (phases 1-base, 2-istiod, 3-gateways,
4-traffic, in rollout order) and DIR/rancher/*.yaml, each folder with a kustomization.yaml
(a cluster's lists its phase folders in order); files meshgen wrote before and no longer produces are removed, other
files are kept. With --cluster as well, only that cluster's folder changes: the other
folders meshgen wrote stay as they are.

`

func render(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, in, code := start("render", renderHelp, cmdRender, args, stdin, stdout, stderr)
	if in == nil {
		return code
	}
	// The name comes from a flag: a wrong one is a usage error, named with the file it is
	// checked against.
	if err := gen.Known(in.Config, o.cluster); err != nil {
		fmt.Fprintf(stderr, "%s: --cluster: %v\n", in.File, err)
		return Usage
	}
	mesh := in.Config.Metadata.Name
	var s sink.Sink
	var check *sink.Check
	switch {
	case o.check:
		check = &sink.Check{Dir: o.out, Mesh: mesh, Only: o.cluster}
		s = check
	case o.out != "":
		s = &sink.Tree{Dir: o.out, Mesh: mesh, Only: o.cluster}
	default:
		s = &sink.Stream{W: stdout}
	}
	sum, err := sink.Run(in, o.cluster, s)
	if err != nil {
		return report(stderr, err)
	}
	if sum.Credentials {
		fmt.Fprintln(stderr, "meshgen: warning: "+sink.CredentialsWarning)
	}
	if check != nil && check.Diff != "" {
		fmt.Fprint(stdout, check.Diff)
		fmt.Fprintf(stderr, "meshgen: %s is out of date with %s; run meshgen render -o %s\n", o.out, in.File, o.out)
		return Invalid
	}
	return info(OK, in, stderr)
}

// start parses a command's arguments and loads its files; a nil Input ends the command with
// the returned status.
func start(name, help string, cmd int, args []string, stdin io.Reader, stdout, stderr io.Writer) (*options, *api.Input, int) {
	o, code := parse(name, help, args, stdout, stderr, cmd)
	if o == nil {
		return nil, nil, code
	}
	in, code := load(o.files, stdin, stderr)
	return o, in, code
}

const validateHelp = `Usage: meshgen validate FILE...

Checks the MeshConfig and credentials in FILE without writing anything.

`

func validate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	_, in, code := start("validate", validateHelp, cmdValidate, args, stdin, stdout, stderr)
	if in == nil {
		return code
	}
	// Generating checks what only the output shows (two objects of one name); nothing is kept.
	if err := gen.Each(in, "", func(*gen.Folder) error { return nil }); err != nil {
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
