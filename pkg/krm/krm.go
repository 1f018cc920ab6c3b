// Package krm runs meshgen as a KRM function: the MeshConfig is the functionConfig, the
// generated objects are added to the items, and meshgen's earlier output is replaced.
package krm

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/gen"
	"github.com/meshgen/meshgen/pkg/out"
)

// ClusterAnnotation on the functionConfig restricts the output to one cluster, as a
// per-cluster kustomize overlay needs.
const ClusterAnnotation = "meshgen.dev/cluster"

// Process is the function. On any error the items stay exactly as they came in.
func Process(rl *fn.ResourceList) (bool, error) {
	objs, warns, err := process(rl)
	if err != nil {
		var es api.Errors
		if errors.As(err, &es) {
			for _, e := range es {
				r := &fn.Result{Message: e.Error(), Severity: fn.Error}
				if e.Path != "" {
					r.Field = &fn.Field{Path: e.Path}
				}
				if e.File != "" {
					r.File = &fn.File{Path: e.File}
				}
				rl.Results = append(rl.Results, r)
			}
		} else {
			rl.Results = append(rl.Results, &fn.Result{Message: err.Error(), Severity: fn.Error})
		}
		return false, err
	}
	items := make(fn.KubeObjects, 0, len(rl.Items)+len(objs))
	mesh := rl.FunctionConfig.GetName()
	for _, it := range rl.Items {
		if !Generated(it, mesh) {
			items = append(items, it)
		}
	}
	rl.Items = append(items, objs...)
	rl.Results = append(rl.Results, &fn.Result{Message: fmt.Sprintf("meshgen: %d objects for mesh %s", len(objs), mesh), Severity: fn.Info})
	for _, w := range warns {
		r := &fn.Result{Message: w.Error(), Severity: fn.Warning}
		if w.Path != "" {
			r.Field = &fn.Field{Path: w.Path}
		}
		rl.Results = append(rl.Results, r)
	}
	return true, nil
}

// Generated tells whether an item is meshgen's own earlier output for this mesh.
func Generated(o *fn.KubeObject, mesh string) bool {
	return o.GetLabel(gen.ManagedByLabel) == gen.ManagedBy && o.GetAnnotation(gen.MeshAnnotation) == mesh
}

func process(rl *fn.ResourceList) (fn.KubeObjects, api.Errors, error) {
	fc := rl.FunctionConfig
	if fc == nil || fc.IsEmpty() {
		return nil, nil, fmt.Errorf("no functionConfig: meshgen reads its %s from the ResourceList's functionConfig", api.Kind)
	}
	if fc.GetAPIVersion() != api.APIVersion || fc.GetKind() != api.Kind {
		return nil, nil, fmt.Errorf("functionConfig is %s %s; want apiVersion %s, kind %s", fc.GetAPIVersion(), fc.GetKind(), api.APIVersion, api.Kind)
	}
	file := fc.PathAnnotation()
	dir := outputDir(rl)
	cfg := fc.CopyToResourceNode()
	// kustomize and kpt annotate the functionConfig; those annotations are theirs, not input.
	for _, a := range []string{ClusterAnnotation, kioutil.PathAnnotation, kioutil.IndexAnnotation, kioutil.LegacyPathAnnotation, kioutil.LegacyIndexAnnotation, kioutil.IdAnnotation, kioutil.LegacyIdAnnotation} {
		_ = cfg.PipeE(yaml.ClearAnnotation(a))
	}
	var creds []api.Doc
	for _, it := range rl.Items {
		if it.GetAnnotation(api.CredentialsAnnotation) != "" || api.MisspeltCredentials(slices.Collect(maps.Keys(it.GetAnnotations()))) != "" {
			creds = append(creds, api.Doc{File: it.PathAnnotation(), Node: it.CopyToResourceNode().YNode()})
		}
	}
	in, es := api.Load(api.Doc{File: file, Node: cfg.YNode()}, creds)
	if es != nil {
		// The lines count in the ResourceList, not in the files the messages name.
		for i := range es {
			es[i].Line = 0
		}
		return nil, nil, es
	}
	// The cluster is named in an annotation of the functionConfig: point there, not at "cluster".
	if cl := fc.GetAnnotation(ClusterAnnotation); cl != "" && !slices.Contains(gen.Clusters(in.Config), cl) {
		return nil, nil, api.Errors{{File: file, Path: "metadata.annotations." + ClusterAnnotation, Msg: fmt.Sprintf("unknown cluster %q; the mesh has %s", cl, strings.Join(gen.Clusters(in.Config), ", "))}}
	}
	objs, err := gen.Render(in, fc.GetAnnotation(ClusterAnnotation))
	if err != nil {
		return nil, nil, err
	}
	docs, err := out.EncodeAll(objs)
	if err != nil {
		return nil, nil, err
	}
	items := make(fn.KubeObjects, len(docs))
	for i, d := range docs {
		o, err := fn.ParseKubeObject(d.Data)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", d.Path, err)
		}
		if err := o.SetPathAnnotation(path.Join(dir, d.Path)); err != nil {
			return nil, nil, err
		}
		if err := o.SetIndexAnnotation(0); err != nil {
			return nil, nil, err
		}
		items[i] = o
	}
	// What the user must do for the output to work (trust): info results, beside the count.
	for _, m := range gen.Info(in.Config) {
		rl.Results = append(rl.Results, &fn.Result{Message: m, Severity: fn.Info})
	}
	warns := in.Warnings
	for i := range warns {
		warns[i].Line = 0 // as for errors: the lines count in the ResourceList
	}
	if gen.HasCredentials(objs) {
		warns = append(warns, api.FieldError{Msg: "meshgen: the output contains cluster credentials (remote secrets); keep it out of public repositories or encrypt it"})
	}
	return items, warns, nil
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
