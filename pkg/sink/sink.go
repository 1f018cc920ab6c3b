// Package sink writes what package gen generates. gen hands over one output folder at a time
// (Run); a Sink takes each folder once and makes the whole output visible in Commit, or
// nothing of it in Abort. Four sinks, one per output mode:
//
//   - Stream: one multi-document YAML stream (render without -o), for kubectl apply -f -.
//   - Tree: a per-cluster folder tree (render -o), built beside the old one and swapped in.
//   - Check: the same tree, compared with the one on disk (render --check), as a diff.
//   - Items: the items of a KRM ResourceList (package krm), written as bytes directly.
//
// The package owns the output formats: YAML (through internal/yamlenc, byte for byte what
// sigs.k8s.io/yaml writes), the tree layout (<cluster>/<phase>/<object file>, gen.Object.Path)
// with its kustomization.yaml files and the .meshgen manifest, and the diff.
//
// Objects outside the rollout (gen.Object.Dir: Flux's objects in <cluster>/flux/) are written
// by Tree and Check only: the stream and the items are the objects applied with a cluster.
//
// Files that are not objects (gen.File: Helm values, a README with commands, local-config
// files) travel with their folder's objects and each sink carries them its own way:
//
//   - Tree and Check: the file at <folder>/<name>, listed in .meshgen (so it is replaced and
//     removed like any output) but not in kustomization.yaml, which lists only objects.
//   - Stream: a document of comments only, "# Source: <folder>/<name>" and the file's lines
//     each behind "# ": kubectl skips it, a reader sees it, and the stream stays appliable.
//   - Items: a ConfigMap annotated config.kubernetes.io/local-config (kpt and kustomize never
//     apply it), with the file's content under data and its name in the annotation
//     meshgen.dev/file, marked as meshgen's like every generated item so that the next run
//     replaces it. kpt writes every item as YAML, so a file can only live in a package wrapped
//     in an object.
package sink

import (
	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/gen"
)

// Sink takes the output one folder at a time. After an error from Put, call Abort.
type Sink interface {
	// Put takes one folder. Nothing becomes visible before Commit.
	Put(f *gen.Folder) error
	// Commit makes everything put visible, whole.
	Commit() error
	// Abort drops what was put; the destination stays as it was.
	Abort()
}

// Summary counts what a run wrote.
type Summary struct {
	Objects, Files int
	// Credentials is set when the output carries cluster credentials (inline remote secrets).
	Credentials bool
}

// CredentialsWarning is said, by every mode, when the output carries credentials.
const CredentialsWarning = "the output contains cluster credentials (remote secrets); keep it out of public repositories or encrypt it"

// Run generates the mesh's folders (only cluster's, when it is not empty) into s and commits.
// It is the one pipeline of every output mode.
func Run(in *api.Input, cluster string, s Sink) (Summary, error) {
	var sum Summary
	err := gen.Each(in, cluster, func(f *gen.Folder) error {
		sum.Objects += len(f.Objects)
		sum.Files += len(f.Files)
		for _, o := range f.Objects {
			sum.Credentials = sum.Credentials || o.Credentials()
		}
		return s.Put(f)
	})
	if err != nil {
		s.Abort()
		return sum, err
	}
	return sum, s.Commit()
}
