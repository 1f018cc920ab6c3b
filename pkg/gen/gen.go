// Package gen turns a validated MeshConfig into every object and file each output folder
// needs. It owns what is generated: the kind table (kinds.go), the local structs of the
// objects (types.go, kube.go), one builder file per concern, and the installers (installer.go)
// behind spec.istio.installer. It does no I/O and no encoding beyond declaring each object's
// JSON: package sink decides how folders are written (stream, tree, diff, KRM items).
package gen

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/meshgen/meshgen/pkg/api"
)

// Marks on every generated object: they let meshgen find and replace its own earlier output.
const (
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedBy      = "meshgen"
	MeshAnnotation = "meshgen.dev/mesh"
)

// Object is one generated manifest and the cluster it belongs to.
type Object struct {
	// Cluster is a cluster name, or api.Reserved for the Rancher management cluster.
	Cluster    string
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
	// Phase is the rollout phase: its folder sits between the cluster's and the object's file.
	Phase Phase
	// Dir, for an object outside the rollout (a GitOps tool's own, in flux/), is its folder
	// inside the cluster's instead of a phase's. Only the tree writes such objects: the
	// stream and the KRM items carry the cluster's applied objects.
	Dir string
	// Body is the object; its JSON is the manifest (its Docs, if any, encoded first).
	Body any
}

// Path is where the object lives in a tree: <cluster>/<phase>/[<namespace>_]<kind>_<name>.yaml
// (no phase folder in a hub folder). The '_' cannot occur in Kubernetes names, so two objects
// never share a path.
func (o Object) Path() string {
	var b strings.Builder
	b.WriteString(o.Cluster)
	b.WriteByte('/')
	if o.Dir != "" {
		b.WriteString(o.Dir)
		b.WriteByte('/')
	} else if p := o.Phase.Folder(); p != "" {
		b.WriteString(p)
		b.WriteByte('/')
	}
	if o.Namespace != "" {
		b.WriteString(o.Namespace)
		b.WriteByte('_')
	}
	b.WriteString(strings.ToLower(o.Kind))
	b.WriteByte('_')
	b.WriteString(o.Name)
	b.WriteString(".yaml")
	return b.String()
}

// Applied tells whether the object is applied with its folder: every object but a GitOps tool's
// own in a cluster's folder (Dir), which the tool is pointed at. The stream and the KRM items
// carry only these; the tree writes all.
func (o Object) Applied() bool { return o.Dir == "" }

// rank orders a folder's objects: by phase, and the GitOps tool's own (Dir) last.
func (o Object) rank() int {
	if o.Dir != "" {
		return len(phaseFolders)
	}
	return int(o.Phase)
}

// File is an output file that is not an object to apply: a Helm values file, a README with
// the commands a person runs, a local-config file. Exactly one of Data and Value is set.
type File struct {
	// Name is the file's slash path inside its folder.
	Name string
	// Data is written as it is.
	Data []byte
	// Value is written as one YAML document.
	Value any
}

// Folder is everything one output folder holds: a cluster's, or Rancher's (api.Reserved).
type Folder struct {
	Name    string
	Objects []Object
	Files   []File
}

// Each generates the output folders, Rancher's first, then each cluster's in the order of
// spec.clusters, then the GitOps tool's hub folder (api.HubFolder), which points at what the
// clusters' folders hold (only the named folder when cluster is not empty). It checks each
// and hands it to emit before generating the next, so a caller that writes as it goes holds
// one cluster's objects instead of the whole mesh's. Within a folder, objects come in phase
// order, and namespaces before what lives in them. It stops at the first error, emit's
// included; a folder with nothing in it is skipped.
func Each(in *api.Input, cluster string, emit func(*Folder) error) error {
	if err := Known(in.Config, cluster); err != nil {
		return err
	}
	g := newGen(in)
	var err error
	g.each(cluster, func() bool {
		f := g.folder
		g.folder = nil
		if f == nil {
			return true
		}
		// Builders add in the order that reads best; the output is in rollout order.
		slices.SortStableFunc(f.Objects, func(a, b Object) int { return cmp.Compare(a.rank(), b.rank()) })
		// Two objects can collide only within one folder, so checking folder by folder finds
		// every collision.
		if err = Check(f); err == nil {
			err = emit(f)
		}
		return err == nil
	})
	return err
}

// each generates the selected folders in order and calls done after each one; done takes
// g.folder away, and stops the generation by returning false.
func (g *gen) each(cluster string, done func() bool) {
	if cluster == "" || cluster == api.Reserved {
		g.rancher()
		if !done() {
			return
		}
	}
	// The hub's objects name what each cluster's folder holds: its folder alone still needs
	// every cluster generated, and dropped.
	hub := api.HubFolder(&g.cfg.Spec)
	hubOnly := hub != "" && cluster == hub
	for i := range g.cfg.Spec.Clusters {
		cl := &g.cfg.Spec.Clusters[i]
		if cluster != "" && cl.Name != cluster && !hubOnly {
			continue
		}
		g.namespaces(cl)
		g.trust(cl)
		g.issuers(cl)
		g.install(cl).controlPlane(g, cl)
		g.peerAuthentication(cl)
		// East-west gateways join networks: on one network the pods reach each other
		// directly, and there is none. With more, every cluster gets one, so every network
		// has at least one.
		if g.multiNetwork && g.ambient() {
			g.ambientEastWest(cl)
		} else if g.hasEastWest(cl) {
			g.install(cl).eastWest(g, cl)
		}
		if g.multiNetwork && !g.ambient() {
			g.crossNetworkGateway(cl)
		}
		g.exposeIstiod(cl)
		g.install(cl).readme(g, cl)
		g.readerAccount(cl)
		g.remoteSecrets(cl)
		g.externalSecrets(cl)
		g.networkPolicies(cl)
		g.waypoints(cl)
		for j := range g.cfg.Spec.Services {
			svc := &g.cfg.Spec.Services[j]
			if g.ambient() {
				g.ambientTraffic(cl, svc)
			} else {
				g.traffic(cl, svc)
			}
			g.ingress(cl, svc)
			g.dns(cl, svc)
		}
		g.gitops(cl)
		if hubOnly {
			g.folder = nil
			continue
		}
		if !done() {
			return
		}
	}
	if hub != "" && (cluster == "" || hubOnly) {
		g.gitopsHub()
		done()
	}
}

// Clusters lists the output folders of a mesh: rancher when set, then each cluster, then the
// GitOps tool's hub folder when it has one.
func Clusters(c *api.MeshConfig) []string {
	var names []string
	if c.Spec.Rancher != nil {
		names = append(names, api.Reserved)
	}
	for _, cl := range c.Spec.Clusters {
		names = append(names, cl.Name)
	}
	if hub := api.HubFolder(&c.Spec); hub != "" {
		names = append(names, hub)
	}
	return names
}

// UnknownCluster is a cluster name the mesh does not have. Where the name came from (a flag,
// an annotation) is the caller's to say.
type UnknownCluster struct {
	Name  string
	Known []string
}

func (e *UnknownCluster) Error() string {
	return fmt.Sprintf("unknown cluster %q; the mesh has %s", e.Name, strings.Join(e.Known, ", "))
}

// Known accepts an empty cluster (all of them) or the name of an output folder, and returns
// an *UnknownCluster otherwise. It is the only check of a cluster name.
func Known(c *api.MeshConfig, cluster string) error {
	if cluster != "" && !slices.Contains(Clusters(c), cluster) {
		return &UnknownCluster{Name: cluster, Known: Clusters(c)}
	}
	return nil
}

type gen struct {
	cfg   *api.MeshConfig
	creds api.Credentials
	// istioAPI is the networking.istio.io version the mesh's release serves.
	istioAPI string
	folder   *Folder
	// kubeconfigs holds each peer's kubeconfig: every other cluster's remote secret carries
	// the same one, so it is encoded once per cluster instead of once per secret.
	kubeconfigs map[string]*Doc
	// specs holds the Istio specs that are the same in every cluster: see istioSpec.
	specs map[specKey]*istioSpec
	// multiNetwork: the mesh spans more than one network, so it has east-west gateways.
	multiNetwork bool
	ops          gitopsState
}

func newGen(in *api.Input) *gen {
	g := &gen{cfg: in.Config, creds: in.Creds, istioAPI: "v1beta1", kubeconfigs: map[string]*Doc{}, specs: map[specKey]*istioSpec{},
		multiNetwork: in.Config.Spec.MultiNetwork()}
	if v, _ := api.ParseSemver(in.Config.Spec.Istio.Version); !v.Less(api.Semver{Major: 1, Minor: 22}) {
		g.istioAPI = "v1"
	}
	return g
}

// meta returns the object metadata every generated object carries.
func (g *gen) meta(namespace, name string) object {
	return object{ObjectMeta: ObjectMeta{
		Name:        name,
		Namespace:   namespace,
		Labels:      map[string]string{ManagedByLabel: ManagedBy},
		Annotations: map[string]string{MeshAnnotation: g.cfg.Metadata.Name},
	}}
}

// body is a generated object: every local struct embeds object.
type body interface{ base() *object }

func (o *object) base() *object { return o }

// add stamps the object's apiVersion and kind from the table and adds it to cluster's folder,
// in the kind's phase.
func (g *gen) add(cluster string, k *Kind, b body) { g.addAt(cluster, k.Phase, k, b) }

// addAt is add in another phase than the kind's: for the objects of a kind that spans phases.
func (g *gen) addAt(cluster string, p Phase, k *Kind, b body) {
	g.put(Object{Cluster: cluster, Phase: p}, k, b)
}

// addIn adds an object outside the rollout, in the folder dir of cluster's (Object.Dir).
func (g *gen) addIn(cluster, dir string, k *Kind, b body) {
	g.put(Object{Cluster: cluster, Dir: dir}, k, b)
}

func (g *gen) put(at Object, k *Kind, b body) {
	o := b.base()
	o.TypeMeta = TypeMeta{APIVersion: k.APIVersion(g.istioAPI), Kind: k.Kind}
	at.APIVersion, at.Kind, at.Namespace, at.Name, at.Body = o.APIVersion, k.Kind, o.Namespace, o.Name, b
	f := g.open(at.Cluster)
	f.Objects = append(f.Objects, at)
}

// file adds a file that is not an object to cluster's folder.
func (g *gen) file(cluster string, f File) {
	d := g.open(cluster)
	d.Files = append(d.Files, f)
}

func (g *gen) open(cluster string) *Folder {
	if g.folder == nil {
		g.folder = &Folder{Name: cluster}
	}
	return g.folder
}

// specKey names a shared spec: which of a service's specs (or a mesh-wide one, svc nil).
type specKey struct {
	kind string
	svc  *api.Service
}

// spec returns the shared spec stored under key, building it on first use.
func (g *gen) spec(key specKey, build func() json.Marshaler) *istioSpec {
	s, ok := g.specs[key]
	if !ok {
		s = &istioSpec{msg: build()}
		g.specs[key] = s
	}
	return s
}

func (g *gen) cpNamespace() string { return g.cfg.Spec.ControlPlane.Namespace }

// fqdn is a service's cluster-local name; routes use it so they work from any namespace.
func fqdn(svc *api.Service) string {
	return svc.Name + "." + svc.Namespace + ".svc.cluster.local"
}
