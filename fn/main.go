// Command meshgen renders every manifest of a multi-cluster Istio mesh. Without arguments it
// is a KRM function (kustomize, kpt); with them, a CLI for GitOps trees and streams.
package main

import (
	"os"

	"github.com/meshgen/meshgen/pkg/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
