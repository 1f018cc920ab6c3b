package gen

import (
	"encoding/json"
	"errors"

	"github.com/meshgen/meshgen/pkg/api"
)

// remoteSecrets gives this cluster's istiod read access to every cluster it reads (api.Reads:
// every other cluster, none in a remote): one secret each, never one for itself.
func (g *gen) remoteSecrets(cl *api.Cluster) {
	if g.cfg.Spec.RemoteSecrets.Mode != api.RemoteSecretsInline {
		return
	}
	for _, peer := range g.cfg.Spec.Reads(cl) {
		s := &secret{object: g.meta(g.cpNamespace(), "istio-remote-secret-"+peer.Name)}
		s.Labels["istio/multiCluster"] = "true"
		s.Annotations["networking.istio.io/cluster"] = peer.Name
		s.Type = "Opaque"
		s.Data = map[string]*Doc{peer.Name: g.kubeconfig(peer)}
		// Istiod reads them once it runs: after the control plane, with the gateways.
		g.addAt(cl.Name, PhaseGateways, kSecret, s)
	}
}

// kubeconfig is the file a peer's remote secret carries, what istioctl create-remote-secret
// writes. Every cluster's secret for the peer shares the one Doc, so it is encoded once.
func (g *gen) kubeconfig(peer *api.Cluster) *Doc {
	if d, ok := g.kubeconfigs[peer.Name]; ok {
		return d
	}
	c := g.creds[peer.Name]
	// The MeshConfig's CA, else the credentials'; "system" leaves it out, so the system roots
	// decide (validation allows only one of the two places).
	ca := c.CA
	switch peer.APIServerCA {
	case "":
	case api.APIServerCASystem:
		ca = nil
	default:
		ca = []byte(peer.APIServerCA)
	}
	d := &Doc{Value: kubeconfig{
		APIVersion:     "v1",
		Kind:           "Config",
		Clusters:       []namedCluster{{Name: peer.Name, Cluster: kubeCluster{Server: peer.APIServer, CertificateAuthorityData: ca}}},
		Contexts:       []namedContext{{Name: peer.Name, Context: kubeContext{Cluster: peer.Name, User: peer.Name}}},
		CurrentContext: peer.Name,
		Users:          []namedUser{{Name: peer.Name, User: kubeUser{Token: c.Token}}},
	}}
	g.kubeconfigs[peer.Name] = d
	return d
}

// Doc is a YAML document inside an object's data, such as a kubeconfig in a Secret. gen holds
// the value; YAML is an output format, so the output side encodes it (see Docs) and the
// object's JSON carries the bytes, base64 as every Secret value.
type Doc struct {
	Value any
	// YAML is the encoded Value, set by the output side before the object's JSON is written.
	YAML []byte
	// json is YAML as a JSON string, kept: every other cluster's secret carries the same.
	json []byte
}

func (d *Doc) MarshalJSON() ([]byte, error) {
	if d.YAML == nil {
		return nil, errors.New("embedded document not encoded")
	}
	if d.json == nil {
		d.json, _ = json.Marshal(d.YAML) // bytes always marshal
	}
	return d.json, nil
}

// Credentials tells whether the object carries cluster credentials: a Secret with data (the
// reader's token Secret, which its cluster fills in, carries none).
func (o Object) Credentials() bool {
	s, ok := o.Body.(*secret)
	return ok && len(s.Data) > 0
}

// Docs lists the documents an object carries, which the output side must encode before the
// object's JSON: see Doc.
func (o Object) Docs() []*Doc {
	s, ok := o.Body.(*secret)
	if !ok {
		return nil
	}
	ds := make([]*Doc, 0, len(s.Data))
	for _, d := range s.Data {
		ds = append(ds, d)
	}
	return ds
}
