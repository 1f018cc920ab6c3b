package e2e

// Check 4's locality half: each cluster has a node labelled with the MeshConfig's region and
// zone, as a cloud provider labels its nodes, every played pod runs on it, and istiod derives
// each endpoint's locality from there as in a real cluster. A sidecar then gets each failover
// service's endpoints in groups with their cluster's locality and the priority the service's
// failoverPriority gives them relative to the sidecar.

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// labelCluster is the cluster label istiod adds to every endpoint and proxy.
const labelCluster = "topology.istio.io/cluster"

// placedEndpoint is one endpoint of an EDS answer with its group's locality and priority.
type placedEndpoint struct {
	Address  string `json:"address"`
	Region   string `json:"region,omitempty"`
	Zone     string `json:"zone,omitempty"`
	Priority uint32 `json:"priority"`
}

func (p placedEndpoint) String() string {
	return fmt.Sprintf("%s@%s/%s:%d", p.Address, p.Region, p.Zone, p.Priority)
}

// liveNode is the one node of a cluster, where the test schedules every pod.
func liveNode(cluster string) string { return "live-node-" + cluster }

func (m *liveMesh) cluster(name string) api.Cluster {
	for _, c := range m.cfg.Spec.Clusters {
		if c.Name == name {
			return c
		}
	}
	return api.Cluster{}
}

// playNode registers the cluster's node with the region and zone of the MeshConfig (none
// where it gives none), as the kubelet and the cloud provider would.
func (m *liveMesh) playNode(t *testing.T, c *liveCluster) {
	t.Helper()
	cl := m.cluster(c.name)
	labels := map[string]string{"kubernetes.io/hostname": liveNode(c.name)}
	if cl.Region != "" {
		labels[api.LabelRegion] = cl.Region
	}
	if cl.Zone != "" {
		labels[api.LabelZone] = cl.Zone
	}
	b, _ := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "Node",
		"metadata": map[string]any{"name": liveNode(c.name), "labels": labels}})
	c.mustKubectl(t, b, "apply", "--server-side=false", "-f", "-")
}

// proxyLocality is what a proxy in the cluster sends as its node's locality, region/zone.
func (m *liveMesh) proxyLocality(cluster string) string {
	cl := m.cluster(cluster)
	if cl.Region == "" {
		return ""
	}
	return cl.Region + "/" + cl.Zone
}

// topology are the labels istiod ranks by, for a proxy or a pod in the cluster: network,
// cluster and the node's region and zone. An endpoint a proxy reaches through another
// network's east-west gateway stands for its gateway there, which istiod labels with
// network and cluster only (istio/istio#49500): no region or zone to rank it by.
func (m *liveMesh) topology(cluster string, viaGateway bool) map[string]string {
	cl := m.cluster(cluster)
	l := map[string]string{api.LabelNetwork: cl.Network, labelCluster: cl.Name}
	if !viaGateway {
		if cl.Region != "" {
			l[api.LabelRegion] = cl.Region
		}
		if cl.Zone != "" {
			l[api.LabelZone] = cl.Zone
		}
	}
	return l
}

// failoverPriority is the service's priority labels, the default where it names none.
func failoverPriority(s api.Service) []string {
	if len(s.Failover.Priority) > 0 {
		return s.Failover.Priority
	}
	return api.DefaultFailoverPriority
}

// rank gives each endpoint's priority by the failoverPriority labels, as the
// DestinationRule documents them: endpoints that match the proxy on every label first, then
// on all but the last, and so on; "key=value" matches that value instead of the proxy's. A
// first label topology.istio.io/network ranks another network below every endpoint of the
// proxy's own, and the rest of the labels still rank within it. Priorities are numbered
// from 0 without gaps, as Envoy needs them.
func rank(priority []string, proxy map[string]string, eps []map[string]string) ([]uint32, error) {
	raw := make([]int, len(eps))
	for i, ep := range eps {
		p, adjust := 0, 0
		for j, l := range priority {
			key, fixed, isFixed := strings.Cut(l, "=")
			if !contains([]string{api.LabelNetwork, api.LabelRegion, api.LabelZone, labelCluster}, key) {
				return nil, fmt.Errorf("failover label %s: the live test derives network, region, zone and cluster only", key)
			}
			want := proxy[key]
			if isFixed {
				want = fixed
			}
			if want == ep[key] {
				continue
			}
			if j == 0 && l == api.LabelNetwork {
				adjust = len(priority)
				continue
			}
			p = len(priority) - j
			break
		}
		raw[i] = p + adjust
	}
	distinct := map[int]bool{}
	for _, p := range raw {
		distinct[p] = true
	}
	var order []int
	for p := range distinct {
		order = append(order, p)
	}
	sort.Ints(order)
	out := make([]uint32, len(eps))
	for i, p := range raw {
		out[i] = uint32(sort.SearchInts(order, p))
	}
	return out, nil
}

// wantPlaced is what a sidecar in proxyCluster must get for a failover service's version:
// the endpoints of check 2, each in the locality of the cluster it runs in, ranked by rank.
func (m *liveMesh) wantPlaced(s api.Service, v api.Version, proxyCluster string) ([]placedEndpoint, error) {
	var eps []placedEndpoint
	var labels []map[string]string
	seen := map[string]bool{}
	for _, c := range v.Clusters {
		if !m.remoteSecrets() && c != proxyCluster {
			continue
		}
		ep := m.endpointAddr(s, v, c, proxyCluster)
		if seen[ep] {
			continue
		}
		seen[ep] = true
		cl := m.cluster(c)
		eps = append(eps, placedEndpoint{Address: ep, Region: cl.Region, Zone: cl.Zone})
		labels = append(labels, m.topology(c, m.network(c) != m.network(proxyCluster)))
	}
	ps, err := rank(failoverPriority(s), m.topology(proxyCluster, false), labels)
	if err != nil {
		return nil, err
	}
	for i := range eps {
		eps[i].Priority = ps[i]
	}
	sort.Slice(eps, func(i, j int) bool { return eps[i].Address < eps[j].Address })
	return eps, nil
}

// localityResults: for a failover service, each version's endpoints carry their cluster's
// locality and the priority the service's failoverPriority gives them.
func (m *liveMesh) localityResults(cluster string, s api.Service, d *xdsDump, err error) []result {
	if s.Failover == nil {
		return nil
	}
	var rs []result
	for _, v := range s.Versions {
		name := subsetCluster(s, v.Name)
		r := result{check: checkFailover, cluster: cluster,
			what: fmt.Sprintf("a sidecar in %s ranks %s by %s", s.Namespace, name, strings.Join(failoverPriority(s), ","))}
		want, werr := m.wantPlaced(s, v, cluster)
		var got []placedEndpoint
		ok := false
		if d != nil {
			got, ok = d.Localities[name]
		}
		switch {
		case err != nil:
			r.detail = err.Error()
		case werr != nil:
			r.detail = werr.Error()
		case !ok:
			r.detail = "no such cluster in EDS"
		default:
			r.ok = fmtPlaced(got) == fmtPlaced(want)
			r.detail = "[" + fmtPlaced(got) + "]"
			if !r.ok {
				r.detail += ", want [" + fmtPlaced(want) + "]"
			}
		}
		rs = append(rs, r)
	}
	return rs
}

func fmtPlaced(ps []placedEndpoint) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.String())
	}
	return strings.Join(s, " ")
}

// localityNote says, for a mesh with failover on several networks, what check 4 cannot
// expect of Istio (see topology).
func (m *liveMesh) localityNote() string {
	for _, s := range m.cfg.Spec.Services {
		if s.Failover != nil && m.cfg.Spec.MultiNetwork() && m.remoteSecrets() {
			return "check 4 note: istiod labels an endpoint behind another network's east-west gateway with network and cluster only " +
				"(istio/istio#49500), so failoverPriority ranks endpoints on other networks below the proxy's own network but not by region or zone among themselves; the expectations above say so"
		}
	}
	return ""
}

// dropPriority returns the DestinationRule without its failoverPriority.
func dropPriority(dr object) []byte {
	return edited(dr, func(cp object) {
		if l, ok := cp.get("spec", "trafficPolicy", "loadBalancer", "localityLbSetting").(map[string]any); ok {
			delete(l, "failoverPriority")
		}
	})
}

// priorityControl removes the failoverPriority of the failover service that runs in the
// most clusters from cluster a's DestinationRule: its sidecars' priorities must change.
func (m *liveMesh) priorityControl(t *testing.T, a *liveCluster) []control {
	t.Helper()
	var best *api.Service
	n := 0
	for i, s := range m.cfg.Spec.Services {
		k := 0
		for _, v := range s.Versions {
			k = max(k, len(v.Clusters))
		}
		if s.Failover != nil && k > n {
			best, n = &m.cfg.Spec.Services[i], k
		}
	}
	if best == nil || n < 2 || !m.remoteSecrets() {
		fmt.Println("control: failoverPriority removed: not applicable (no failover service in two clusters that istiod reads)")
		return nil
	}
	s := *best
	dr := m.outputFile(t, a.name, func(o object) bool {
		return o.kind() == "DestinationRule" && o.name() == s.Name && o.str("metadata", "namespace") == s.Namespace
	})
	return []control{{
		name: "failoverPriority of " + host(s) + " removed in " + a.name, check: checkFailover, cluster: a.name, in: host(s) + " by ",
		apply: func(t *testing.T) { a.mustKubectl(t, dropPriority(dr.obj), "apply", "--server-side=false", "-f", "-") },
		undo:  func(t *testing.T) { a.mustKubectl(t, nil, "apply", "--server-side=false", "-f", dr.file) },
	}}
}
