package gen

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/meshgen/meshgen/pkg/api"
)

// Labels and annotations Istio and Rancher read from namespaces.
const (
	networkLabel        = "topology.istio.io/network"
	injectionLabel      = "istio-injection"
	revisionLabel       = "istio.io/rev"
	nodeSelectorAnn     = "scheduler.alpha.kubernetes.io/node-selector"
	cattleProjectID     = "field.cattle.io/projectId"
	cattleQuota         = "field.cattle.io/resourceQuota"
	cattleNamespaceAuth = "lifecycle.cattle.io/create.namespace-auth"
	cattleDefaultQuota  = "resourcequota.management.cattle.io/default-resource-quota"
	podSecurityEnforce  = "pod-security.kubernetes.io/enforce"
)

func (g *gen) namespaces(cl *api.Cluster) {
	s := &g.cfg.Spec
	ns := &namespace{g.meta("", g.cpNamespace())}
	ns.Labels[networkLabel] = cl.Network
	if s.Istio.CNI {
		// The CNI node agent mounts host paths, which only the privileged level allows.
		ns.Labels[podSecurityEnforce] = api.PodSecurityPrivileged
	}
	if sel := s.ControlPlane.NodeSelector; len(sel) > 0 {
		kv := make([]string, 0, len(sel))
		for _, k := range slices.Sorted(maps.Keys(sel)) {
			kv = append(kv, k+"="+sel[k])
		}
		ns.Annotations[nodeSelectorAnn] = strings.Join(kv, ",")
	}
	if r := s.Rancher; r != nil {
		// The project ID must name this cluster's own ID; the seed's text mixed up the two.
		ns.Annotations[cattleProjectID] = cl.RancherClusterID + ":" + r.Project
		ns.Annotations[cattleNamespaceAuth] = "true"
		ns.Labels[cattleProjectID] = r.Project
		if q := r.NamespaceDefaultResourceQuota; q != nil {
			b, _ := json.Marshal(projectQuota{Limit: quotaLimit(q)})
			ns.Annotations[cattleQuota] = string(b)
		}
	}
	g.remoteNamespace(cl, ns)
	g.add(cl.Name, kNamespace, ns)

	if lr := s.ControlPlane.LimitRange; lr != nil {
		l := &limitRange{object: g.meta(g.cpNamespace(), "istio-limitrange")}
		if s.Rancher != nil {
			l.Labels[cattleDefaultQuota] = "true"
		}
		l.Spec.Limits = []limitRangeItem{{
			Type:           "Container",
			Default:        resources(lr.Default),
			DefaultRequest: resources(lr.DefaultRequest),
		}}
		g.add(cl.Name, kLimitRange, l)
	}

	for _, n := range s.Namespaces {
		ns := &namespace{g.meta("", n.Name)}
		for k, v := range n.Labels {
			ns.Labels[k] = v
		}
		k, v := g.injection(&n)
		ns.Labels[k] = v
		ns.Labels[podSecurityEnforce] = s.Security.PodSecurity
		g.add(cl.Name, kNamespace, ns)
	}
}

// injection is the namespace label that puts a namespace into the mesh: the ambient data
// plane, or sidecar injection by the namespace's tag, the revision or istio-injection
// (api.Spec.Injection).
func (g *gen) injection(ns *api.Namespace) (string, string) {
	if g.ambient() {
		return dataplaneModeLabel, api.DataplaneAmbient
	}
	return g.cfg.Spec.Injection(ns)
}

func resources(r api.Resources) resourceList {
	l := resourceList{}
	// Validation parsed these already; a failure here cannot happen.
	if q, err := resource.ParseQuantity(r.CPU); err == nil && r.CPU != "" {
		l["cpu"] = q
	}
	if q, err := resource.ParseQuantity(r.Memory); err == nil && r.Memory != "" {
		l["memory"] = q
	}
	if len(l) == 0 {
		return nil
	}
	return l
}
