package gen

import (
	"fmt"
	"slices"

	"github.com/meshgen/meshgen/pkg/api"
)

var clusterScoped = map[string]bool{"Namespace": true, "ClusterIssuer": true, "ClusterRole": true, "ClusterRoleBinding": true}

// Check is the last gate before anything is written: every object is complete and no two
// objects of one cluster share kind, namespace and name (one would silently replace the other).
func Check(objs []Object) error {
	seen := make(map[[4]string]bool, len(objs))
	var es api.Errors
	for _, o := range objs {
		switch {
		case o.APIVersion == "" || o.Kind == "" || o.Name == "":
			es = append(es, api.FieldError{Path: o.Path(), Msg: "generated object lacks apiVersion, kind or name"})
		case clusterScoped[o.Kind] != (o.Namespace == ""):
			es = append(es, api.FieldError{Path: o.Path(), Msg: fmt.Sprintf("generated %s has the wrong scope", o.Kind)})
		}
		id := [4]string{o.Cluster, o.Kind, o.Namespace, o.Name}
		if seen[id] {
			es = append(es, api.FieldError{Path: o.Path(), Msg: fmt.Sprintf("two generated objects %s %s/%s in cluster %s", o.Kind, o.Namespace, o.Name, o.Cluster)})
		}
		seen[id] = true
	}
	if len(es) > 0 {
		return es
	}
	return nil
}

// Clusters lists the output folders of a mesh: rancher when set, then each cluster.
func Clusters(c *api.MeshConfig) []string {
	var names []string
	if c.Spec.Rancher != nil {
		names = append(names, api.Reserved)
	}
	for _, cl := range c.Spec.Clusters {
		names = append(names, cl.Name)
	}
	return names
}

// Render generates, selects one cluster's objects if asked, and checks the result.
func Render(in *api.Input, cluster string) ([]Object, error) {
	if err := known(in, cluster); err != nil {
		return nil, err
	}
	objs := generate(in, cluster)
	if err := Check(objs); err != nil {
		return nil, err
	}
	return objs, nil
}

// Each renders as Render does but hands the objects over one output folder at a time
// (Rancher's, then each cluster's), each folder checked, so that a caller which writes as it
// goes holds one cluster's objects instead of the whole mesh's. It stops at the first error,
// emit's included.
func Each(in *api.Input, cluster string, emit func([]Object) error) error {
	if err := known(in, cluster); err != nil {
		return err
	}
	g := newGen(in)
	var err error
	g.each(cluster, func() bool {
		objs := g.objs
		g.objs = nil
		if len(objs) == 0 {
			return true
		}
		// Two objects can collide only within one cluster, so checking folder by folder finds
		// what Check finds on the whole mesh.
		if err = Check(objs); err == nil {
			err = emit(objs)
		}
		return err == nil
	})
	return err
}

// known accepts an empty cluster (all of them) or the name of an output folder.
func known(in *api.Input, cluster string) error {
	if cluster != "" && !slices.Contains(Clusters(in.Config), cluster) {
		return api.Errors{{Path: "cluster", Msg: fmt.Sprintf("unknown cluster %q (known: %v)", cluster, Clusters(in.Config))}}
	}
	return nil
}

// HasCredentials tells whether objects carry cluster credentials (inline remote secrets).
func HasCredentials(objs []Object) bool {
	return slices.ContainsFunc(objs, func(o Object) bool {
		// A Secret without data, such as the reader's token Secret that the cluster fills in
		// itself, carries nothing.
		s, ok := o.Body.(*secret)
		return ok && len(s.Data) > 0
	})
}
