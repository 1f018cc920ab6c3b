package gen

import (
	security "istio.io/api/security/v1beta1"

	"github.com/meshgen/meshgen/pkg/api"
)

// peerAuthentication is the mesh-wide mutual TLS mode: a PeerAuthentication named default
// without a selector in the root namespace, which is the control-plane namespace.
func (g *gen) peerAuthentication(cl *api.Cluster) {
	mode := security.PeerAuthentication_MutualTLS_STRICT
	switch g.cfg.Spec.Security.MTLS {
	case api.MTLSNone:
		return
	case api.MTLSPermissive:
		mode = security.PeerAuthentication_MutualTLS_PERMISSIVE
	}
	apiVersion := "security.istio.io/v1beta1"
	if g.istioAPI == "networking.istio.io/v1" {
		apiVersion = "security.istio.io/v1" // promoted with the networking APIs in Istio 1.22
	}
	pa := &peerAuthentication{object: object{TypeMeta: typeMeta(apiVersion, "PeerAuthentication"), ObjectMeta: g.meta(g.cpNamespace(), "default")}}
	pa.Spec = peerAuthenticationSpec{&security.PeerAuthentication{Mtls: &security.PeerAuthentication_MutualTLS{Mode: mode}}}
	g.add(cl.Name, apiVersion, pa.Kind, &pa.ObjectMeta, pa)
}
