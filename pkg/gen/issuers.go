package gen

import "github.com/meshgen/meshgen/pkg/api"

// issuers writes the ClusterIssuers. Only the DNS-01 webhook solver is offered: the HTTP-01
// challenge's temporary Ingress is never routed by the Istio ingress gateway.
func (g *gen) issuers(cl *api.Cluster) {
	for _, is := range g.cfg.Spec.Issuers {
		a := is.ACME
		ci := &clusterIssuer{object: g.meta("", is.Name)}
		ci.Spec.ACME = acmeIssuer{
			Email:               a.Email,
			Server:              a.Server,
			PreferredChain:      a.PreferredChain,
			PrivateKeySecretRef: secretRef{Name: is.Name},
			Solvers:             []acmeSolver{{DNS01: dns01{Webhook: webhook{GroupName: a.DNS01Webhook.GroupName, SolverName: a.DNS01Webhook.SolverName, Config: a.DNS01Webhook.Config}}}},
		}
		g.add(cl.Name, kClusterIssuer, ci)
	}
}
