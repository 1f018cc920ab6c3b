package gen

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/meshgen/meshgen/pkg/api"
)

const externalSecrets = "external-secrets.io"

// externalSecrets writes remote secrets that no token passes through: a PushSecret that
// copies this cluster's reader token and CA to the store, under the cluster's key, and an
// ExternalSecret per cluster it reads (api.Reads) that builds istio-remote-secret-<peer> from the peer's key, with
// the label, annotation and kubeconfig istiod reads.
func (g *gen) externalSecrets(cl *api.Cluster) {
	rs := &g.cfg.Spec.RemoteSecrets
	if rs.Mode != api.RemoteSecretsExternalSecret || len(g.cfg.Spec.Clusters) < 2 {
		return
	}
	store := storeRef{Kind: rs.Store.Kind, Name: rs.Store.Name}
	ns := g.cpNamespace()

	ps := &pushSecret{object: g.meta(ns, "istio-reader-token")}
	key := storeKey(rs.Key, cl.Name)
	ps.Spec = pushSecretSpec{
		RefreshInterval: "1h",
		UpdatePolicy:    "Replace",
		// A cluster that leaves the mesh takes its token out of the store.
		DeletionPolicy:  "Delete",
		SecretStoreRefs: []storeRef{store},
		Selector:        pushSelector{Secret: secretRef{Name: ReaderTokenSecret}},
		Data: []pushSecretData{
			{ConversionStrategy: "None", Match: pushMatch{SecretKey: "token", RemoteRef: pushRemoteRef{RemoteKey: key, Property: "token"}}},
			{ConversionStrategy: "None", Match: pushMatch{SecretKey: "ca.crt", RemoteRef: pushRemoteRef{RemoteKey: key, Property: "ca.crt"}}},
		},
	}
	// Only a cluster that an istiod reads pushes its token (api.Read).
	if g.cfg.Spec.Read(cl) {
		g.add(cl.Name, kPushSecret, ps)
	}

	for _, peer := range g.cfg.Spec.Reads(cl) {
		name := "istio-remote-secret-" + peer.Name
		es := &externalSecret{object: g.meta(ns, name)}
		key := storeKey(rs.Key, peer.Name)
		data := []externalSecretData{{SecretKey: "token", RemoteRef: storeValue(key, "token")}}
		if peer.APIServerCA == "" {
			data = append(data, externalSecretData{SecretKey: "ca", RemoteRef: storeValue(key, "ca.crt")})
		}
		es.Spec = externalSecretSpec{
			RefreshInterval: "1h",
			SecretStoreRef:  store,
			Target: externalSecretTarget{
				Name:           name,
				CreationPolicy: "Owner",
				Template: secretTemplate{
					Type:          "Opaque",
					EngineVersion: "v2",
					Metadata: templateMetadata{
						Labels:      map[string]string{"istio/multiCluster": "true"},
						Annotations: map[string]string{"networking.istio.io/cluster": peer.Name},
					},
					Data: map[string]string{peer.Name: kubeconfigTemplate(peer)},
				},
			},
			Data: data,
		}
		g.add(cl.Name, kExternalSecret, es)
	}
}

// storeValue refers to one property of a store key, with the CRD's defaults written out.
func storeValue(key, property string) remoteRef {
	return remoteRef{Key: key, Property: property, ConversionStrategy: "Default", DecodingStrategy: "None", MetadataPolicy: "None"}
}

// storeKey is the store key of a cluster's reader token: the key pattern with its name.
func storeKey(pattern, cluster string) string {
	return strings.ReplaceAll(pattern, api.ClusterPlaceholder, cluster)
}

// kubeconfigTemplate is the peer's kubeconfig with the content istioctl create-remote-secret
// writes, as an external-secrets template (engine v2) that fills in the token and, unless the
// MeshConfig says whom to trust, the CA from the peer's key in the store. It is JSON on one line
// without blanks, which kubeconfig readers take as YAML: the output's YAML writer keeps its fast
// path for one-line strings, and no YAML folding can split a template action.
func kubeconfigTemplate(peer *api.Cluster) string {
	ca := "{{.ca|b64enc}}"
	switch peer.APIServerCA {
	case "":
	case api.APIServerCASystem:
		ca = ""
	default:
		ca = base64.StdEncoding.EncodeToString([]byte(peer.APIServerCA))
	}
	n := peer.Name
	kc := kubeconfigTpl{
		APIVersion:     "v1",
		Kind:           "Config",
		Clusters:       []namedClusterTpl{{Name: n, Cluster: clusterTpl{Server: peer.APIServer, CertificateAuthorityData: ca}}},
		Contexts:       []namedContext{{Name: n, Context: kubeContext{Cluster: n, User: n}}},
		CurrentContext: n,
		Users:          []namedUser{{Name: n, User: kubeUser{Token: "{{.token}}"}}},
	}
	// Strings and structs only: Marshal cannot fail.
	b, _ := json.Marshal(kc)
	return string(b)
}
