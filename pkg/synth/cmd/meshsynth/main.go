// Command meshsynth writes a synthetic mesh (mesh.yaml and credentials.yaml) for benchmarks:
//
//	meshsynth -clusters 100 -services 100 -o DIR
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/meshgen/meshgen/pkg/synth"
)

func main() {
	var o synth.Options
	flag.IntVar(&o.Clusters, "clusters", 2, "number of clusters")
	flag.IntVar(&o.Services, "services", 1, "number of services")
	flag.BoolVar(&o.RemoteSecretsNone, "no-remote-secrets", false, "set spec.remoteSecrets.mode: none")
	dir := flag.String("o", "", "write mesh.yaml and credentials.yaml into `DIR`")
	flag.Parse()
	if *dir == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(o, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "meshsynth:", err)
		os.Exit(1)
	}
}

func run(o synth.Options, dir string) error {
	m, err := synth.Generate(o)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "mesh.yaml"), m.Config, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "credentials.yaml"), m.Credentials, 0o644)
}
