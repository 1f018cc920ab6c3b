package e2e

// Primary-remote in the live mesh: a remote's installation runs no istiod. Its API server is
// read by its primary's istiod through meshgen's remote secret, its injection webhook calls
// the primary's istiod (as the remote profile's webhook does through the primary's east-west
// gateway), and its proxies ask the primary's istiod with the remote's cluster ID and network,
// which the injector takes from the webhook's path.

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
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

// istiodServiceOf is the installation's Service of istiod (istiod, or istiod-<revision>), nil
// for none.
func istiodServiceOf(objs []object, namespace string) object {
	for _, o := range objs {
		if o.kind() == "Service" && o.str("metadata", "namespace") == namespace && strings.HasPrefix(o.name(), "istiod") && o.labels("metadata")["app"] == "istiod" {
			return o
		}
	}
	return nil
}

// exposesIstiod: the cluster is a primary with remotes.
func (m *liveMesh) exposesIstiod(cluster string) bool {
	cl := m.cfg.Spec.Cluster(cluster)
	return cl != nil && len(m.cfg.Spec.Remotes(cl)) > 0
}

// exposedIstiod is the installation's istiod Service in a primary with remotes, which the
// installer creates and the expose-istiod routes send to: without it the east-west gateway has
// nothing to pass 15012 and 15017 to.
func (m *liveMesh) exposedIstiod(c *liveCluster) []string {
	svc := m.inst[c.name].istiodService
	if !m.exposesIstiod(c.name) || svc == nil {
		return nil
	}
	b, _ := json.Marshal(svc)
	return []string{string(b)}
}

// istiodExposedResults: a primary's east-west gateway listens on 15012 and 15017 and passes
// them to istiod's 15012 and 443 (TCP proxies of the TLS passthrough), from the expose-istiod
// Gateway and VirtualService; none where the cluster has no remotes.
func (m *liveMesh) istiodExposedResults(cluster string) []result {
	if !m.exposesIstiod(cluster) {
		return nil
	}
	in := m.inst[cluster]
	name := "istiod"
	if in.istiodService != nil {
		name = in.istiodService.name()
	}
	host := name + "." + in.namespace + ".svc.cluster.local"
	want := map[string]string{"15012": "outbound|15012||" + host, "15017": "outbound|443||" + host}
	r := result{check: checkEndpoints, cluster: cluster, what: "the east-west gateway passes 15012 and 15017 to " + host + " (15012, 443) for the remotes"}
	ew, err := m.eastWestProxy(cluster)
	var missing []string
	for _, port := range []string{"15012", "15017"} {
		found := false
		for _, rt := range routesOf(ew) {
			for _, d := range rt.Domains {
				if rt.Match == "tcp" && strings.HasSuffix(d, ":"+port) && rt.Weights[want[port]] > 0 {
					found = true
				}
			}
		}
		if !found {
			missing = append(missing, port+" to "+want[port])
		}
	}
	switch {
	case err != nil:
		r.detail = err.Error()
	case in.istiodService == nil:
		r.detail = "the installation has no istiod Service"
	case len(missing) > 0:
		r.detail = "no TCP proxy " + strings.Join(missing, ", ")
	default:
		r.ok = true
	}
	return []result{r}
}

// routesOf are a dump's routes, none for no dump.
func routesOf(d *xdsDump) []struct {
	Config   string            `json:"config"`
	Domains  []string          `json:"domains"`
	Match    string            `json:"match"`
	Redirect bool              `json:"redirect"`
	Weights  map[string]uint32 `json:"weights"`
} {
	if d == nil {
		return nil
	}
	return d.Routes
}

// remoteControls: the expose-istiod VirtualService deleted in the first primary with remotes,
// whose east-west gateway then passes nothing on 15012 and 15017.
func (m *liveMesh) remoteControls(t *testing.T) []control {
	t.Helper()
	for _, c := range m.clusters {
		if !m.exposesIstiod(c.name) {
			continue
		}
		vs := m.outputFile(t, c.name, func(o object) bool { return o.kind() == "VirtualService" && o.name() == "istiod-vs" })
		return []control{{
			name: "expose-istiod VirtualService removed in " + c.name, check: checkEndpoints, cluster: c.name, in: "passes 15012",
			apply: func(t *testing.T) { c.mustKubectl(t, nil, "delete", "-f", vs.file) },
			undo:  func(t *testing.T) { c.mustKubectl(t, nil, "apply", "--server-side=false", "-f", vs.file) },
		}}
	}
	return nil
}
