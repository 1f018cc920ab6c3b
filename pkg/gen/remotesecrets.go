package gen

import (
	"encoding/json"

	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/yamlenc"
)

// remoteSecrets gives this cluster's istiod read access to every other cluster: one secret per
// peer, never one for itself, so no direction can be missing.
func (g *gen) remoteSecrets(cl *api.Cluster) {
	if g.cfg.Spec.RemoteSecrets.Mode != api.RemoteSecretsInline {
		return
	}
	for _, peer := range g.cfg.Spec.Clusters {
		if peer.Name == cl.Name {
			continue
		}
		s := &secret{object: object{TypeMeta: typeMeta("v1", "Secret"), ObjectMeta: g.meta(g.cpNamespace(), "istio-remote-secret-"+peer.Name)}}
		s.Labels["istio/multiCluster"] = "true"
		s.Annotations["networking.istio.io/cluster"] = peer.Name
		s.Type = "Opaque"
		s.Data = map[string][]byte{peer.Name: g.kubeconfig(&peer)}
		g.add(cl.Name, "v1", "Secret", &s.ObjectMeta, s)
	}
}

func (g *gen) kubeconfig(peer *api.Cluster) []byte {
	if b, ok := g.kubeconfigs[peer.Name]; ok {
		return b
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
	kc := kubeconfig{
		APIVersion:     "v1",
		Kind:           "Config",
		Clusters:       []namedCluster{{Name: peer.Name, Cluster: kubeCluster{Server: peer.APIServer, CertificateAuthorityData: ca}}},
		Contexts:       []namedContext{{Name: peer.Name, Context: kubeContext{Cluster: peer.Name, User: peer.Name}}},
		CurrentContext: peer.Name,
		Users:          []namedUser{{Name: peer.Name, User: kubeUser{Token: c.Token}}},
	}
	// Plain structs of strings: neither step can fail. The YAML is what istioctl's
	// create-remote-secret writes, without paying yaml.v2's start-up.
	j, _ := json.Marshal(kc)
	b, _ := yamlenc.Append(nil, j)
	g.kubeconfigs[peer.Name] = b
	return b
}
