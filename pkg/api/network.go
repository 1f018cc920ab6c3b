package api

import (
	"fmt"
	"net/netip"
	"strings"
)

// Networks are the mesh's networks, each once, in the order of spec.clusters.
func (s *Spec) Networks() []string {
	var ns []string
	seen := map[string]bool{}
	for _, cl := range s.Clusters {
		if !seen[cl.Network] {
			seen[cl.Network] = true
			ns = append(ns, cl.Network)
		}
	}
	return ns
}

// MultiNetwork tells whether the mesh spans more than one network: only then do clusters
// reach each other through east-west gateways (15443), and every cluster gets one, so each
// network has at least one. On one network pods reach each other directly and there is none.
func (s *Spec) MultiNetwork() bool { return len(s.Networks()) > 1 }

// NetworkPeers are the other clusters on cl's network, in the order of spec.clusters.
func (s *Spec) NetworkPeers(cl *Cluster) []*Cluster {
	var ps []*Cluster
	for i := range s.Clusters {
		p := &s.Clusters[i]
		if p.Name != cl.Name && p.Network == cl.Network {
			ps = append(ps, p)
		}
	}
	return ps
}

// validateNetworks checks the clusters that share a network: their pods reach each other
// directly, so their pod ranges must be valid and must not overlap (one address would be two
// pods), and with NetworkPolicies each needs them, for the peers' policies admit its pods by
// them (a pod's address in another cluster is known nowhere else).
func validateNetworks(es *Errors, s *Spec) {
	type cidr struct {
		prefix  netip.Prefix
		cluster string
		path    string
	}
	byNetwork := map[string][]cidr{}
	for i := range s.Clusters {
		cl := &s.Clusters[i]
		p := fmt.Sprintf("spec.clusters[%d]", i)
		peers := s.NetworkPeers(cl)
		if len(peers) > 0 && len(cl.PodCIDRs) == 0 && s.NetworkPolicies.Enabled != nil && *s.NetworkPolicies.Enabled {
			es.add(p+".podCIDRs", "required: the cluster shares network %q with %s, whose pods connect to its pods directly, and the NetworkPolicies admit them by these ranges (or set spec.networkPolicies.enabled: false)", cl.Network, quoteNames(peers))
		}
		for j, c := range cl.PodCIDRs {
			cp := fmt.Sprintf("%s.podCIDRs[%d]", p, j)
			pre, err := netip.ParsePrefix(c)
			if err != nil || pre != pre.Masked() {
				es.add(cp, "must be a network in CIDR notation (like 10.244.0.0/16), got %q", c)
				continue
			}
			for _, o := range byNetwork[cl.Network] {
				if o.prefix.Overlaps(pre) {
					if o.cluster == cl.Name {
						es.add(cp, "overlaps %s (%s)", o.path, o.prefix)
					} else {
						es.add(cp, "overlaps %s (%s) of cluster %q on the same network %q: clusters on one network reach each other's pods directly, so their pod addresses must differ", o.path, o.prefix, o.cluster, cl.Network)
					}
				}
			}
			byNetwork[cl.Network] = append(byNetwork[cl.Network], cidr{pre, cl.Name, cp})
		}
	}
}

func quoteNames(cs []*Cluster) string {
	q := make([]string, len(cs))
	for i, c := range cs {
		q[i] = fmt.Sprintf("%q", c.Name)
	}
	return strings.Join(q, ", ")
}
