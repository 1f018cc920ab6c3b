package api

import (
	"fmt"
	"strings"
)

// MinFailover is the first Istio release whose DestinationRule has
// localityLbSetting.failoverPriority.
var MinFailover = Semver{1, 13, 0}

// validateLocality checks the clusters' region and zone: label values, as the nodes carry them,
// and a zone only within a region (Istio's locality is region/zone/subzone).
func validateLocality(es *Errors, s *Spec) {
	for i, cl := range s.Clusters {
		p := fmt.Sprintf("spec.clusters[%d]", i)
		for _, f := range []struct{ name, v string }{{"region", cl.Region}, {"zone", cl.Zone}} {
			if f.v != "" && (!labelValue.MatchString(f.v) || len(f.v) > 63) {
				es.add(p+"."+f.name, "must be a label value (at most 63 letters, digits, '-', '_', '.'), as the nodes' %s label, got %q", map[string]string{"region": LabelRegion, "zone": LabelZone}[f.name], f.v)
			}
		}
		if cl.Zone != "" && cl.Region == "" {
			es.add(p+".zone", "set without spec.clusters[%d].region: Istio's locality is region/zone, a zone means nothing outside its region", i)
		}
	}
}

// validateFailover checks a service's failover: a release that has failoverPriority, and
// priority labels that are label keys, each at most once, optionally with a value.
func validateFailover(es *Errors, s *Spec, p string, f *Failover) {
	if f == nil {
		return
	}
	if v, ok := ParseSemver(s.Istio.Version); ok && v.Less(MinFailover) {
		es.add(p, "needs Istio %d.%d or newer (localityLbSetting.failoverPriority), spec.istio.version is %q", MinFailover.Major, MinFailover.Minor, s.Istio.Version)
	}
	if len(f.Priority) == 0 {
		es.add(p+".priority", "at least one label is required (leave priority out for %s)", strings.Join(DefaultFailoverPriority, ", "))
	}
	seen := map[string]int{}
	for j, l := range f.Priority {
		lp := fmt.Sprintf("%s.priority[%d]", p, j)
		key, value, fixed := strings.Cut(l, "=")
		if !labelKey(key) {
			es.add(lp, "must be a label key like %s, optionally =value, got %q", LabelRegion, l)
			continue
		}
		if fixed && (!labelValue.MatchString(value) || len(value) > 63) {
			es.add(lp, "invalid label value %q", value)
		}
		if k, dup := seen[key]; dup {
			es.add(lp, "label %q is already priority[%d]: each label ranks once", key, k)
		}
		seen[key] = j
	}
}

// labelKey tells whether k is a Kubernetes label key: an optional DNS subdomain prefix and '/',
// then a name of at most 63 characters.
func labelKey(k string) bool {
	name := k
	if i := strings.LastIndexByte(k, '/'); i >= 0 {
		if !dnsSubdomain.MatchString(k[:i]) || i > 253 {
			return false
		}
		name = k[i+1:]
	}
	return labelName.MatchString(name) && len(name) <= 63
}

// failoverWarnings names the versions that failover cannot help: a version with traffic that
// runs in one cluster only has nowhere to fail over to, so its share of the requests fails
// with that cluster.
func failoverWarnings(c *MeshConfig) Errors {
	var ws Errors
	for i, svc := range c.Spec.Services {
		if svc.Failover == nil || len(c.Spec.Clusters) < 2 {
			continue
		}
		for j, v := range svc.Versions {
			if v.Weight > 0 && len(v.Clusters) == 1 {
				ws.add(fmt.Sprintf("spec.services[%d].versions[%d].clusters", i, j), "version %q gets %d%% of the requests but runs only in cluster %q: failover has no other endpoints for its subset, and its share fails with that cluster", v.Name, v.Weight, v.Clusters[0])
			}
		}
		if rest := acrossNetworks(c, svc); rest != nil {
			ws.add(fmt.Sprintf("spec.services[%d].failover", i), "versions of the service run on several networks, and istiod gives an endpoint on another network only its network and cluster labels (istio/istio#49500): %s cannot rank the endpoints on other networks, which all share one priority", strings.Join(rest, ", "))
		}
	}
	return ws
}

// acrossNetworks returns the priority labels that Istio cannot apply to the service's
// endpoints on other networks: istiod labels an endpoint behind another network's east-west
// gateway with network and cluster only, so every such endpoint shares one priority whatever
// its region, zone or other labels (the live test's check 4 shows it). Nil when every label
// is the network or the cluster, or no version runs on several networks.
func acrossNetworks(c *MeshConfig, svc Service) []string {
	var rest []string
	for _, l := range svc.Failover.Priority {
		if k, _, _ := strings.Cut(l, "="); k != LabelNetwork && k != "topology.istio.io/cluster" {
			rest = append(rest, l)
		}
	}
	if rest == nil {
		return nil
	}
	// Failover stays within a version's subset: only a version on several networks has
	// endpoints there to rank.
	for _, v := range svc.Versions {
		nets := map[string]bool{}
		for _, name := range v.Clusters {
			for _, cl := range c.Spec.Clusters {
				if cl.Name == name {
					nets[cl.Network] = true
				}
			}
		}
		if len(nets) > 1 {
			return rest
		}
	}
	return nil
}
