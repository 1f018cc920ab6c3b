package gen

import (
	"encoding/json"

	networking "istio.io/api/networking/v1alpha3"

	"github.com/meshgen/meshgen/pkg/api"
)

// Ports of the east-west gateway. 15443 carries all cross-network traffic; a NetworkPolicy
// or load balancer without it silently cuts the clusters apart.
const (
	statusPort  = 15021
	mtlsPort    = 15443
	istiodPort  = 15012
	webhookPort = 15017
)

var eastWestSelector = map[string]string{"istio": "eastwestgateway"}

// crossNetworkGateway exposes every *.local service through the east-west gateway (which the
// installer installs) with mTLS passthrough.
func (g *gen) crossNetworkGateway(cl *api.Cluster) {
	gw := &gateway{object: g.meta(g.cpNamespace(), "cross-network-gateway")}
	gw.Spec = g.spec(specKey{kind: "cross-network-gateway"}, func() json.Marshaler {
		return &networking.Gateway{
			Selector: eastWestSelector,
			Servers: []*networking.Server{{
				Port:  &networking.Port{Number: mtlsPort, Name: "tls", Protocol: "TLS"},
				Tls:   &networking.ServerTLSSettings{Mode: networking.ServerTLSSettings_AUTO_PASSTHROUGH},
				Hosts: []string{"*.local"},
			}},
		}
	})
	// With the east-west gateway it serves, not with the traffic Gateways.
	g.addAt(cl.Name, PhaseGateways, kGateway, gw)
}
