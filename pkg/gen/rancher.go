package gen

import "github.com/meshgen/meshgen/pkg/api"

// rancher writes one Project per cluster into the management cluster, in the namespace Rancher
// keeps for that cluster (its cluster ID).
func (g *gen) rancher() {
	r := g.cfg.Spec.Rancher
	if r == nil {
		return
	}
	for _, cl := range g.cfg.Spec.Clusters {
		p := &project{object: g.meta(cl.RancherClusterID, r.Project)}
		p.Spec = projectSpec{ClusterName: cl.RancherClusterID, DisplayName: r.DisplayName, Description: r.Description}
		if l := r.ContainerDefaultResourceLimit; l != nil {
			p.Spec.ContainerDefaultResourceLimit = &containerLimit{LimitsCPU: l.LimitsCPU, LimitsMemory: l.LimitsMemory, RequestsCPU: l.RequestsCPU, RequestsMemory: l.RequestsMemory}
		}
		if q := r.NamespaceDefaultResourceQuota; q != nil {
			p.Spec.NamespaceDefaultResourceQuota = &projectQuota{Limit: quotaLimit(q)}
		}
		if q := r.ResourceQuota; q != nil {
			p.Spec.ResourceQuota = &projectQuota{Limit: quotaLimit(q)}
		}
		g.add(api.Reserved, kProject, p)
	}
}

func quotaLimit(q *api.QuotaLimit) quota {
	return quota{LimitsCPU: q.LimitsCPU, LimitsMemory: q.LimitsMemory}
}
