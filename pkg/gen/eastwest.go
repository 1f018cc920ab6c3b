package gen

import (
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

// eastWest is the gateway that joins this cluster's network to the others: its own
// IstioOperator (profile empty, so it installs nothing else) and the Gateway that exposes
// every *.local service through it with mTLS passthrough.
func (g *gen) eastWest(cl *api.Cluster) {
	ist := &g.cfg.Spec.Istio
	op := &istioOperator{object: object{TypeMeta: typeMeta(operatorAPI, "IstioOperator"), ObjectMeta: g.meta(g.cpNamespace(), "eastwest")}}
	op.Spec = operatorSpec{
		Profile:  "empty",
		Hub:      ist.Hub,
		Tag:      ist.Version,
		Revision: ist.Revision,
		Components: &components{IngressGateways: []gatewayComponent{{
			Name:    "istio-eastwestgateway",
			Enabled: true,
			Label: map[string]string{
				"istio":      "eastwestgateway",
				"app":        "istio-eastwestgateway",
				networkLabel: cl.Network,
			},
			K8s: &k8sSpec{
				// The gateway must ask istiod for the view of its own network only.
				Env: []envVar{{Name: "ISTIO_META_REQUESTED_NETWORK_VIEW", Value: cl.Network}},
				Service: &gatewayService{Ports: []servicePort{
					gatewayPort("status-port", statusPort),
					gatewayPort("tls", mtlsPort),
					gatewayPort("tls-istiod", istiodPort),
					gatewayPort("tls-webhook", webhookPort),
				}},
			},
		}}},
		Values: &operatorValues{
			Global:   g.global(cl),
			Gateways: &gatewayValues{IstioIngressgateway: &injection{InjectionTemplate: "gateway"}},
		},
	}
	g.add(cl.Name, operatorAPI, "IstioOperator", &op.ObjectMeta, op)

	gw := &gateway{object: object{TypeMeta: typeMeta(g.istioAPI, "Gateway"), ObjectMeta: g.meta(g.cpNamespace(), "cross-network-gateway")}}
	gw.Spec = gatewaySpec{&networking.Gateway{
		Selector: eastWestSelector,
		Servers: []*networking.Server{{
			Port:  &networking.Port{Number: mtlsPort, Name: "tls", Protocol: "TLS"},
			Tls:   &networking.ServerTLSSettings{Mode: networking.ServerTLSSettings_AUTO_PASSTHROUGH},
			Hosts: []string{"*.local"},
		}},
	}}
	g.add(cl.Name, g.istioAPI, "Gateway", &gw.ObjectMeta, gw)
}

func gatewayPort(name string, port int32) servicePort {
	return servicePort{Name: name, Port: port, TargetPort: port}
}
