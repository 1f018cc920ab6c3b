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
	// Keyed by kind, namespace and name: the path says the same but costs an allocation.
	seen := make(map[[3]string]bool, len(f.Objects))
	var es api.Errors
	for _, o := range f.Objects {
		add := func(format string, args ...any) {
			es = append(es, api.FieldError{Path: o.Path(), Msg: fmt.Sprintf(format, args...)})
		}
		k := kindOf(o.APIVersion, o.Kind)
		switch {
		case o.APIVersion == "" || o.Kind == "" || o.Name == "":
			add("generated object lacks apiVersion, kind or name")
		case k == nil:
			add("generated kind %s is not in the kind table (apiVersion %s)", o.Kind, o.APIVersion)
		case k.Cluster != (o.Namespace == ""):
			add("generated %s has the wrong scope", o.Kind)
		case o.APIVersion != k.APIVersion("v1") && o.APIVersion != k.APIVersion("v1beta1"):
			add("generated %s has apiVersion %s, the table says %s", o.Kind, o.APIVersion, k.APIVersion("v1"))
		}
		if o.Cluster != f.Name {
			add("generated object of cluster %s in folder %s", o.Cluster, f.Name)
		}
		id := [3]string{o.Kind, o.Namespace, o.Name}
		if seen[id] {
			add("two generated objects %s %s/%s in cluster %s", o.Kind, o.Namespace, o.Name, o.Cluster)
		}
		seen[id] = true
	}
	if len(f.Files) == 0 {
		return orNil(es)
	}
	paths := map[string]bool{}
	for _, o := range f.Objects {
		paths[o.Path()] = true
	}
	for _, fl := range f.Files {
		p := path.Join(f.Name, fl.Name)
		switch {
		case fl.Name == "" || path.Clean(fl.Name) != fl.Name || !filepath.IsLocal(filepath.FromSlash(fl.Name)) || fl.Name == "kustomization.yaml":
			es = append(es, api.FieldError{Path: p, Msg: fmt.Sprintf("generated file name %q is not a plain path inside the folder", fl.Name)})
		case (fl.Data == nil) == (fl.Value == nil):
			es = append(es, api.FieldError{Path: p, Msg: "generated file needs exactly one of Data and Value"})
		case paths[p]:
			es = append(es, api.FieldError{Path: p, Msg: "generated file shares its path with another output"})
		}
		paths[p] = true
	}
	return orNil(es)
}

// orNil keeps a nil error nil: an empty api.Errors in an error interface is not.
func orNil(es api.Errors) error {
	if len(es) == 0 {
		return nil
	}
	return es
}
