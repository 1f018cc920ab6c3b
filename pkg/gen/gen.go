// Package gen turns a validated MeshConfig into every object each cluster needs. It does no
// I/O: the output packages decide how the objects are written.
package gen

import (
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
	Body       any
}

// Path is where the object lives in a tree: <cluster>/[<namespace>_]<kind>_<name>.yaml. The '_'
// cannot occur in Kubernetes names, so two objects never share a path.
func (o Object) Path() string {
	var b strings.Builder
	b.WriteString(o.Cluster)
	b.WriteByte('/')
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

// Generate returns the objects of every cluster, Rancher's first, then each cluster in the
// order of spec.clusters; within a cluster, namespaces come before what lives in them.
func Generate(in *api.Input) []Object {
	return generate(in, "")
}

// generate is Generate for one output folder (rancher or a cluster), or for all of them when
// cluster is empty. A folder's objects depend on the mesh, never on other folders' objects,
// so this equals Generate's objects of that folder without building the rest of the mesh.
func generate(in *api.Input, cluster string) []Object {
	g := newGen(in)
	g.each(cluster, func() bool { return true })
	return g.objs
}

// each generates the selected folders in order and calls done after each one; done may take
// g.objs away, and stops the generation by returning false.
func (g *gen) each(cluster string, done func() bool) {
	if cluster == "" || cluster == api.Reserved {
		g.rancher()
		if !done() {
			return
		}
	}
	for i := range g.cfg.Spec.Clusters {
		cl := &g.cfg.Spec.Clusters[i]
		if cluster != "" && cl.Name != cluster {
			continue
		}
		g.namespaces(cl)
		g.trust(cl)
		g.issuers(cl)
		g.controlPlane(cl)
		g.peerAuthentication(cl)
		g.eastWest(cl)
		g.readerAccount(cl)
		g.remoteSecrets(cl)
		g.externalSecrets(cl)
		g.networkPolicies(cl)
		for j := range g.cfg.Spec.Services {
			svc := &g.cfg.Spec.Services[j]
			g.traffic(cl, svc)
			g.ingress(cl, svc)
			g.dns(cl, svc)
		}
		if !done() {
			return
		}
	}
}

type gen struct {
	cfg   *api.MeshConfig
	creds api.Credentials
	// istioAPI is the networking.istio.io version the mesh's release serves.
	istioAPI string
	objs     []Object
	// kubeconfigs holds each peer's kubeconfig: every other cluster's remote secret carries
	// the same one, so it is marshalled once per cluster instead of once per secret.
	kubeconfigs map[string][]byte
}

func newGen(in *api.Input) *gen {
	g := &gen{cfg: in.Config, creds: in.Creds, istioAPI: "networking.istio.io/v1beta1", kubeconfigs: map[string][]byte{}}
	if v, _ := api.ParseSemver(in.Config.Spec.Istio.Version); !v.Less(api.Semver{Major: 1, Minor: 22}) {
		g.istioAPI = "networking.istio.io/v1"
	}
	return g
}

// meta returns the object metadata every generated object carries.
func (g *gen) meta(namespace, name string) ObjectMeta {
	return ObjectMeta{
		Name:        name,
		Namespace:   namespace,
		Labels:      map[string]string{ManagedByLabel: ManagedBy},
		Annotations: map[string]string{MeshAnnotation: g.cfg.Metadata.Name},
	}
}

func (g *gen) add(cluster, apiVersion, kind string, m *ObjectMeta, body any) {
	g.objs = append(g.objs, Object{Cluster: cluster, APIVersion: apiVersion, Kind: kind, Namespace: m.Namespace, Name: m.Name, Body: body})
}

func typeMeta(apiVersion, kind string) TypeMeta {
	return TypeMeta{APIVersion: apiVersion, Kind: kind}
}

func (g *gen) cpNamespace() string { return g.cfg.Spec.ControlPlane.Namespace }

// fqdn is a service's cluster-local name; routes use it so they work from any namespace.
func fqdn(svc *api.Service) string {
	return svc.Name + "." + svc.Namespace + ".svc.cluster.local"
}
