package e2e

// Primary-remote in the live mesh: a remote's installation runs no istiod. Its API server is
// read by its primary's istiod through meshgen's remote secret, its injection webhook calls
// the primary's istiod (as the remote profile's webhook does through the primary's east-west
// gateway), and its proxies ask the primary's istiod with the remote's cluster ID and network,
// which the injector takes from the webhook's path.

import (
	"regexp"
	"strings"
)

var injectionPathRe = regexp.MustCompile(`^/inject/cluster/([^/]+)/net/([^/]+)$`)

// asRemote recognises the remote profile's installation: no istiod, an injection webhook whose
// path names the cluster and network the injector gives the pods. It fills what the test
// takes from it.
func (in *installation) asRemote() bool {
	for _, w := range in.webhooks {
		hooks, _ := w.get("webhooks").([]any)
		for _, h := range hooks {
			cc := object(h.(map[string]any))
			if m := injectionPathRe.FindStringSubmatch(cc.str("clientConfig", "service", "path")); m != nil {
				in.remote, in.proxyCluster, in.proxyNetwork = true, m[1], m[2]
				in.namespace = cc.str("clientConfig", "service", "namespace")
				return true
			}
		}
	}
	return false
}

// servePrimaries makes each remote's istiod its primary's, once the primaries' run: every
// question to a remote's istiod (its proxies', its webhook's) goes to the primary's.
func (m *liveMesh) servePrimaries() {
	for _, c := range m.cfg.Spec.Clusters {
		if c.Remote() {
			m.istiod[c.Name] = m.istiod[c.Primary]
		}
	}
}

// evalRemote is check 1 for a remote: the installation runs no istiod, its primary's istiod
// reads it, and the pods that the primary's injector gave a sidecar tell the remote's own
// cluster ID and network (the ones checks 2 and 3 then ask the primary's istiod with).
func (m *liveMesh) evalRemote(cluster string) result {
	cl := m.cfg.Spec.Cluster(cluster)
	r := result{check: checkSync, cluster: cluster, what: "runs no istiod: a remote of " + cl.Primary + ", whose istiod reads it and injects its pods as " + cluster + " on " + cl.Network}
	got, err := m.clusterz(cluster) // the primary's
	var wrong []string
	for k, pm := range m.client {
		if strings.HasPrefix(k, cluster+"/") && (pm.cluster != cluster || pm.network != cl.Network) {
			wrong = append(wrong, k+" as "+pm.cluster+" on "+pm.network)
		}
	}
	switch {
	case len(wrong) > 0:
		r.detail = "injected " + strings.Join(wrong, ", ")
	case !m.inst[cluster].remote:
		r.detail = "the installation runs an istiod"
	case err != nil:
		r.detail = err.Error()
	case got[cluster] != "synced":
		r.detail = cl.Primary + "'s istiod reads it: " + got[cluster]
	default:
		r.ok = true
	}
	return r
}

// wantSynced are the clusters a primary's istiod reads, its own and api.Spec.Reads, all synced;
// with remoteSecrets.mode none its own only.
func (m *liveMesh) wantSynced(cluster string) map[string]string {
	want := map[string]string{cluster: "synced"}
	if m.remoteSecrets() {
		for _, p := range m.cfg.Spec.Reads(m.cfg.Spec.Cluster(cluster)) {
			want[p.Name] = "synced"
		}
	}
	return want
}

// controlPeer is the peer of the controls' cluster a: a remote of a that runs a version, as the
// primary-remote negative control (its remote secret removed, its endpoints vanish); else b.
func (m *liveMesh) controlPeer(a, b *liveCluster) *liveCluster {
	for _, r := range m.cfg.Spec.Remotes(m.cfg.Spec.Cluster(a.name)) {
		for _, s := range m.cfg.Spec.Services {
			for _, v := range s.Versions {
				if contains(v.Clusters, r.Name) {
					return m.byName[r.Name]
				}
			}
		}
	}
	return b
}

// configCluster is where the Istio configuration that a cluster's proxies get lives: its
// primary's for a remote, whose own is read by no istiod.
func (m *liveMesh) configCluster(c *liveCluster) *liveCluster {
	if cl := m.cfg.Spec.Cluster(c.name); cl != nil && cl.Remote() {
		return m.byName[cl.Primary]
	}
	return c
}

// eastWestAddress is the load-balancer address the test gives the gateway: the MeshConfig's
// eastWestAddress for an east-west gateway where it names one.
func (m *liveMesh) eastWestAddress(cluster string, g gateway, addr string) string {
	if cl := m.cfg.Spec.Cluster(cluster); cl != nil && cl.EastWestAddress != "" && g.service.labels("metadata")["topology.istio.io/network"] != "" && !strings.Contains(g.name, "ingress") {
		return cl.EastWestAddress
	}
	return addr
}
