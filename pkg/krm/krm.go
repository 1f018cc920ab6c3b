// Package krm maps meshgen onto the KRM function interface: the MeshConfig is the
// ResourceList's functionConfig, credentials Secrets come as items, the generated objects are
// added to the items (written by sink.Items) and meshgen's earlier output is replaced. Every
// other item passes through untouched. Problems become results, each with its file and field.
package krm

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/gen"
	"github.com/meshgen/meshgen/pkg/sink"
)

// ClusterAnnotation on the functionConfig restricts the output to one cluster, as a
// per-cluster kustomize overlay needs.
const ClusterAnnotation = "meshgen.dev/cluster"

// functionAnnotation is how kustomize names the function to run on a functionConfig; kpt
// names it in the Kptfile instead.
const functionAnnotation = "config.kubernetes.io/function"

// process runs the function on a parsed ResourceList: it drops meshgen's earlier output from
// rl.Items, writes the new items into s and returns the input it read. On any error rl.Items
// stay as they came.
func process(rl *fn.ResourceList, s *sink.Items) (sink.Summary, *api.Input, error) {
	fc := rl.FunctionConfig
	if fc == nil || fc.IsEmpty() {
		return sink.Summary{}, nil, fmt.Errorf("no functionConfig: meshgen reads its %s from the ResourceList's functionConfig", api.Kind)
	}
	if fc.GetAPIVersion() != api.APIVersion || fc.GetKind() != api.Kind {
		return sink.Summary{}, nil, fmt.Errorf("functionConfig is %s %s; want apiVersion %s, kind %s", fc.GetAPIVersion(), fc.GetKind(), api.APIVersion, api.Kind)
	}
	file := fc.PathAnnotation()
	cfg := fc.CopyToResourceNode()
	// kustomize and kpt annotate the functionConfig; those annotations are theirs, not input.
	for _, a := range []string{ClusterAnnotation, functionAnnotation, kioutil.PathAnnotation, kioutil.IndexAnnotation, kioutil.LegacyPathAnnotation, kioutil.LegacyIndexAnnotation, kioutil.IdAnnotation, kioutil.LegacyIdAnnotation} {
		_ = cfg.PipeE(yaml.ClearAnnotation(a))
	}
	mesh := fc.GetName()
	var docs []api.Doc
	for _, it := range rl.Items {
		if !Generated(it, mesh) {
			docs = append(docs, api.Doc{File: it.PathAnnotation(), Node: it.CopyToResourceNode().YNode()})
		}
	}
	_, creds, _ := api.Sort(docs)
	in, es := api.Load(api.Doc{File: file, Node: cfg.YNode()}, creds)
	if es != nil {
		// The lines count in the ResourceList as kpt or kustomize wrote it, not in the files
		// the messages name: they would mislead.
		for i := range es {
			es[i].Line = 0
		}
		return sink.Summary{}, nil, es
	}
	cluster := fc.GetAnnotation(ClusterAnnotation)
	if cluster == "" && fc.GetAnnotation(functionAnnotation) != "" && len(gen.Clusters(in.Config)) > 1 {
		return sink.Summary{}, nil, api.Errors{{File: file, Path: "metadata.annotations", Msg: fmt.Sprintf(
			"no %s annotation: a kustomize build holds one cluster's objects (the clusters share object names, which kustomize refuses as duplicates); annotate the MeshConfig in each overlay with %s: one of %s",
			ClusterAnnotation, ClusterAnnotation, strings.Join(gen.Clusters(in.Config), ", "))}}
	}
	s.Dir, s.Mesh = outputDir(rl), mesh
	sum, err := sink.Run(in, cluster, s)
	var uc *gen.UnknownCluster
	if errors.As(err, &uc) {
		// The cluster is named in an annotation of the functionConfig: point there.
		return sum, nil, api.Errors{{File: file, Path: "metadata.annotations." + ClusterAnnotation, Msg: uc.Error()}}
	}
	if err != nil {
		return sum, nil, err
	}
	items := rl.Items[:0]
	for _, it := range rl.Items {
		if !Generated(it, mesh) {
			items = append(items, it)
		}
	}
	rl.Items = items
	return sum, in, nil
}

// Generated tells whether an item is meshgen's own earlier output for this mesh.
func Generated(o *fn.KubeObject, mesh string) bool {
	return o.GetLabel(gen.ManagedByLabel) == gen.ManagedBy && o.GetAnnotation(gen.MeshAnnotation) == mesh
}

// results turns the outcome into KRM results: what the user must know (gen.Info), the count,
// the input's warnings and the credentials warning; or the problems. Each problem and warning
// says its file and field path once, as fields of the result, and only the message as text.
func results(sum sink.Summary, in *api.Input, mesh string, err error) fn.Results {
	var rs fn.Results
	if err == nil {
		for _, m := range gen.Info(in.Config) {
			rs = append(rs, &fn.Result{Message: m, Severity: fn.Info})
		}
		rs = append(rs, &fn.Result{Message: fmt.Sprintf("meshgen: %d objects for mesh %s", sum.Objects+sum.Files, mesh), Severity: fn.Info})
		rs = append(rs, located(in.Warnings, fn.Warning)...)
		if sum.Credentials {
			rs = append(rs, &fn.Result{Message: "meshgen: " + sink.CredentialsWarning, Severity: fn.Warning})
		}
		return rs
	}
	var es api.Errors
	if !errors.As(err, &es) {
		return fn.Results{{Message: err.Error(), Severity: fn.Error}}
	}
	return located(es, fn.Error)
}

// located makes each FieldError a result with its file and field as fields. Lines are left
// out: they would count in the ResourceList kpt or kustomize wrote, not in the user's file.
func located(es api.Errors, sev fn.Severity) fn.Results {
	var rs fn.Results
	for _, e := range es {
		r := &fn.Result{Message: e.Msg, Severity: sev}
		if e.Path != "" {
			r.Field = &fn.Field{Path: e.Path}
		}
		if e.File != "" {
			r.File = &fn.File{Path: e.File}
		}
		rs = append(rs, r)
	}
	return rs
}

// outputDir is the folder of the MeshConfig's file in the package, so generated files land
// beside it: <dir>/<cluster>/<file>.yaml. kpt sends the MeshConfig both as functionConfig and
// as an item; the item carries the path.
func outputDir(rl *fn.ResourceList) string {
	p := rl.FunctionConfig.PathAnnotation()
	for _, it := range rl.Items {
		if it.GetKind() == api.Kind && it.GetName() == rl.FunctionConfig.GetName() && it.PathAnnotation() != "" {
			p = it.PathAnnotation()
		}
	}
	d := path.Dir(path.Clean(p))
	// Paths outside the package are never followed.
	if p == "" || d == "." || path.IsAbs(d) || d == ".." || strings.HasPrefix(d, "../") {
		return ""
	}
	return d
}
