package gen

import (
	"fmt"
	"path"
	"path/filepath"

	"github.com/meshgen/meshgen/pkg/api"
)

// Check is the last gate before a folder is written: every object is of a kind in the table,
// with its apiVersion and scope, complete, and no two objects share kind, namespace and name
// (one would silently replace the other); every file has a name of its own inside the folder.
func Check(f *Folder) error {
	seen := make(map[string]bool, len(f.Objects)+len(f.Files))
	var es api.Errors
	for _, o := range f.Objects {
		p := o.Path()
		k := kindByName[o.Kind]
		switch {
		case o.APIVersion == "" || o.Kind == "" || o.Name == "":
			es = append(es, api.FieldError{Path: p, Msg: "generated object lacks apiVersion, kind or name"})
		case k == nil:
			es = append(es, api.FieldError{Path: p, Msg: fmt.Sprintf("generated kind %s is not in the kind table", o.Kind)})
		case k.Cluster != (o.Namespace == ""):
			es = append(es, api.FieldError{Path: p, Msg: fmt.Sprintf("generated %s has the wrong scope", o.Kind)})
		case o.APIVersion != k.APIVersion("v1") && o.APIVersion != k.APIVersion("v1beta1"):
			es = append(es, api.FieldError{Path: p, Msg: fmt.Sprintf("generated %s has apiVersion %s, the table says %s", o.Kind, o.APIVersion, k.APIVersion("v1"))})
		}
		if o.Cluster != f.Name {
			es = append(es, api.FieldError{Path: p, Msg: fmt.Sprintf("generated object of cluster %s in folder %s", o.Cluster, f.Name)})
		}
		if seen[p] {
			es = append(es, api.FieldError{Path: p, Msg: fmt.Sprintf("two generated objects %s %s/%s in cluster %s", o.Kind, o.Namespace, o.Name, o.Cluster)})
		}
		seen[p] = true
	}
	for _, fl := range f.Files {
		p := path.Join(f.Name, fl.Name)
		switch {
		case fl.Name == "" || path.Clean(fl.Name) != fl.Name || !filepath.IsLocal(filepath.FromSlash(fl.Name)) || fl.Name == "kustomization.yaml":
			es = append(es, api.FieldError{Path: p, Msg: fmt.Sprintf("generated file name %q is not a plain path inside the folder", fl.Name)})
		case (fl.Data == nil) == (fl.Value == nil):
			es = append(es, api.FieldError{Path: p, Msg: "generated file needs exactly one of Data and Value"})
		case seen[p]:
			es = append(es, api.FieldError{Path: p, Msg: "generated file shares its path with another output"})
		}
		seen[p] = true
	}
	if len(es) > 0 {
		return es
	}
	return nil
}
