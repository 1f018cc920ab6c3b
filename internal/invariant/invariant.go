// Package invariant states the rules every mesh meshgen writes must keep, each once, as a
// function over the generated objects. The objects are parsed manifests (maps, as from YAML),
// not gen's Go types, so the same rules hold a fresh render from gen, a rendered tree, the
// committed golden files and, later, what a live cluster returns.
//
// It is test support: tests import it, meshgen itself does not. The flows its rules ask about
// (istiod to the API servers, 15443 across networks) are judged by pkg/netpol, the tests' one
// NetworkPolicy evaluator; the full list of the mesh's flows lives with that package.
package invariant

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/gen"
)

// Object is one generated manifest.
type Object struct {
	// Cluster is the output folder: a cluster name or api.Reserved.
	Cluster string
	// File is the object's path in a rendered tree, empty when it did not come from one.
	File string
	Doc  map[string]any
}

// Mesh is what meshgen generated for one MeshConfig.
type Mesh struct {
	// Config is the defaulted, validated MeshConfig the objects were generated from.
	Config  *api.MeshConfig
	Objects []Object
	// Files is the whole rendered tree by slash path (kustomizations and the manifest
	// included), or nil when the objects did not come from a tree.
	Files map[string][]byte
	// Installer holds each cluster's files that are not applied objects (an installer's Helm
	// values or IstioOperator files for istioctl, the README), by cluster and name in its folder.
	Installer map[string]map[string][]byte
}

// AddFile records a cluster's file that is not an applied object.
func (m *Mesh) AddFile(cluster, name string, b []byte) {
	if m.Installer == nil {
		m.Installer = map[string]map[string][]byte{}
	}
	if m.Installer[cluster] == nil {
		m.Installer[cluster] = map[string][]byte{}
	}
	m.Installer[cluster][name] = b
}

// installerFile tells whether a tree's path is a file that is not an applied object: the
// README of a folder, a Fleet bundle's fleet.yaml, or anything in a folder's subfolder (helm/,
// istioctl/, flux/) but a phase folder.
func installerFile(p string) (cluster, name string, ok bool) {
	cluster, name, found := strings.Cut(p, "/")
	if !found {
		return "", "", false
	}
	sub, _, nested := strings.Cut(name, "/")
	return cluster, name, name == "README.md" || path.Base(name) == "fleet.yaml" || nested && gen.PhaseOfFolder(sub) == gen.PhaseNone
}

// phaseOf splits an object's tree path <cluster>/[<phase>/]<file> into its cluster folder and
// phase; ok is false for a path that is no object's.
func phaseOf(p string) (cluster string, phase gen.Phase, ok bool) {
	cluster, rest, found := strings.Cut(p, "/")
	if !found {
		return "", gen.PhaseNone, false
	}
	sub, file, nested := strings.Cut(rest, "/")
	if !nested {
		return cluster, gen.PhaseNone, true
	}
	phase = gen.PhaseOfFolder(sub)
	return cluster, phase, phase != gen.PhaseNone && !strings.Contains(file, "/")
}

// doc parses one installer file of a cluster, nil when it is absent or not YAML.
func (m *Mesh) doc(cluster, name string) map[string]any {
	b, ok := m.Installer[cluster][name]
	if !ok {
		return nil
	}
	var d map[string]any
	if yaml.Unmarshal(b, &d) != nil {
		return nil
	}
	return d
}

// Kustomization and Manifest are the files a rendered tree holds beside the objects.
const (
	Kustomization = "kustomization.yaml"
	Manifest      = ".meshgen"
)

// Add parses one manifest (YAML or JSON) of a cluster.
func (m *Mesh) Add(cluster, file string, b []byte) error {
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("%s/%s: %v", cluster, file, err)
	}
	m.Objects = append(m.Objects, Object{Cluster: cluster, File: file, Doc: doc})
	return nil
}

// FromTree reads a rendered tree: <cluster>/<phase>/<file>.yaml per object, as render -o
// writes it (<folder>/<file>.yaml in a hub folder).
func FromTree(cfg *api.MeshConfig, files map[string][]byte) (*Mesh, error) {
	m := &Mesh{Config: cfg, Files: files}
	ps := make([]string, 0, len(files))
	for p := range files {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	for _, p := range ps {
		if cl, name, ok := installerFile(p); ok {
			m.AddFile(cl, name, files[p])
			continue
		}
		cl, _, ok := phaseOf(p)
		if file := path.Base(p); !ok || file == Kustomization || !strings.HasSuffix(file, ".yaml") {
			continue
		}
		if err := m.Add(cl, p, files[p]); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Violation is one broken rule.
type Violation struct {
	Rule, Cluster, Msg string
}

func (v Violation) String() string {
	if v.Cluster == "" {
		return v.Rule + ": " + v.Msg
	}
	return v.Rule + ": " + v.Cluster + ": " + v.Msg
}

// Rule is one rule of the mesh.
type Rule struct {
	Name string
	// Doc says the rule in one sentence.
	Doc   string
	check func(m *Mesh, r *report)
}

type report struct {
	rule string
	vs   []Violation
}

func (r *report) add(cluster, format string, args ...any) {
	r.vs = append(r.vs, Violation{Rule: r.rule, Cluster: cluster, Msg: fmt.Sprintf(format, args...)})
}

// Check runs every rule that applies to m (the tree rules only when m came from a tree).
func Check(m *Mesh) []Violation {
	var vs []Violation
	for _, r := range Rules {
		vs = append(vs, r.Check(m)...)
	}
	return vs
}

// Check runs one rule.
func (r Rule) Check(m *Mesh) []Violation {
	rep := &report{rule: r.Name}
	r.check(m, rep)
	return rep.vs
}

// in returns the objects of one cluster folder, of one kind when kind is not empty.
func (m *Mesh) in(cluster, kind string) []Object {
	var r []Object
	for _, o := range m.Objects {
		if o.Cluster == cluster && (kind == "" || o.kind() == kind) {
			r = append(r, o)
		}
	}
	return r
}

func (o Object) kind() string      { return str(o.Doc, "kind") }
func (o Object) name() string      { return str(o.Doc, "metadata", "name") }
func (o Object) namespace() string { return str(o.Doc, "metadata", "namespace") }
func (o Object) id() string {
	if ns := o.namespace(); ns != "" {
		return o.kind() + " " + ns + "/" + o.name()
	}
	return o.kind() + " " + o.name()
}

// at walks maps by keys; nil when a step is missing.
func at(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func str(v any, keys ...string) string {
	s, _ := at(v, keys...).(string)
	return s
}

func list(v any, keys ...string) []any {
	l, _ := at(v, keys...).([]any)
	return l
}

func strs(v any, keys ...string) []string {
	var r []string
	for _, e := range list(v, keys...) {
		if s, ok := e.(string); ok {
			r = append(r, s)
		}
	}
	return r
}

func labelsOf(v any, keys ...string) map[string]string {
	r := map[string]string{}
	m, _ := at(v, keys...).(map[string]any)
	for k, x := range m {
		if s, ok := x.(string); ok {
			r[k] = s
		}
	}
	return r
}

// num reads a JSON number; ok is false when the value is missing or not a number.
func num(v any, keys ...string) (int, bool) {
	f, ok := at(v, keys...).(float64)
	return int(f), ok
}

// walk calls f on every map in v, depth first.
func walk(v any, f func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		f(x)
		for _, k := range sortedKeys(x) {
			walk(x[k], f)
		}
	case []any:
		for _, e := range x {
			walk(e, f)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// clusterFolders are the folders of the mesh's clusters, in spec order.
func (m *Mesh) clusters() []api.Cluster { return m.Config.Spec.Clusters }

func (m *Mesh) cp() string { return m.Config.Spec.ControlPlane.Namespace }
