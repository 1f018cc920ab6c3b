package gen

import (
	"encoding/json"

	security "istio.io/api/security/v1beta1"

	"github.com/meshgen/meshgen/pkg/api"
)

// peerAuthentication is the mesh-wide mutual TLS mode: a PeerAuthentication named default
// without a selector in the root namespace, which is the control-plane namespace. Its
// security.istio.io version follows the release as the networking one does (v1 from 1.22).
func (g *gen) peerAuthentication(cl *api.Cluster) {
	mode := security.PeerAuthentication_MutualTLS_STRICT
	switch g.cfg.Spec.Security.MTLS {
	case api.MTLSNone:
		return
	case api.MTLSPermissive:
		mode = security.PeerAuthentication_MutualTLS_PERMISSIVE
	}
	pa := &peerAuthentication{object: g.meta(g.cpNamespace(), "default")}
	pa.Spec = g.spec(specKey{kind: "peerauthentication"}, func() json.Marshaler {
		return &security.PeerAuthentication{Mtls: &security.PeerAuthentication_MutualTLS{Mode: mode}}
	})
	g.add(cl.Name, kPeerAuthentication, pa)
}
