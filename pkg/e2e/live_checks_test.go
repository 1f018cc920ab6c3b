package e2e

// The live test's checks, each derived from the MeshConfig: what every istiod must know and
// send, never a value written down per example.

import (
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/meshgen/meshgen/pkg/api"
)

// Numbers of the checks, as issue 13 counts them (5, trust, is in live_trust_test.go).
const (
	checkSync      = 1
	checkEndpoints = 2
	checkRoutes    = 3
	checkFailover  = 4
)

// eastWestPort is where a peer network's east-west gateway takes mesh traffic (AUTO_PASSTHROUGH).
const eastWestPort = "15443"

// result is one check in one cluster.
type result struct {
	check   int
	cluster string
	what    string
	ok      bool
	detail  string
}

func (r result) String() string {
	s := "ok  "
	if !r.ok {
		s = "FAIL"
	}
	line := fmt.Sprintf("%s check %d %s: %s", s, r.check, r.cluster, r.what)
	if r.detail != "" {
		line += ": " + r.detail
	}
	return line
}

func host(s api.Service) string { return s.Name + "." + s.Namespace + ".svc.cluster.local" }

func subsetCluster(s api.Service, v string) string {
	return fmt.Sprintf("outbound|%d|%s|%s", s.Port, v, host(s))
}

func (m *liveMesh) network(cluster string) string {
	for _, c := range m.cfg.Spec.Clusters {
		if c.Name == cluster {
			return c.Network
		}
	}
	return ""
}

// remoteSecrets: istiod has a remote secret for each peer, from meshgen (inline), the
// played external-secrets operator (externalSecret) or the played user (none).
func (m *liveMesh) remoteSecrets() bool {
	return m.cfg.Spec.RemoteSecrets.Mode != api.RemoteSecretsNone || m.userSecrets
}

// eastWest is the load-balancer address the test gave a cluster's east-west gateway: the
// installation's Service labelled with a network.
func (m *liveMesh) eastWest(cluster string) string {
	for _, g := range m.inst[cluster].gateways {
		if g.service.labels("metadata")["topology.istio.io/network"] != "" {
			return m.lbAddr[cluster+"/"+g.name]
		}
	}
	return "<no east-west gateway in " + cluster + "'s installation>"
}

// wantEndpoints: the version's pods in the proxy's network at their IPs, and one east-west
// gateway per other network where the version runs. Without remote secrets istiod knows its
// own cluster only.
func (m *liveMesh) wantEndpoints(s api.Service, v api.Version, proxyCluster string) []string {
	want := []string{}
	seen := map[string]bool{}
	for _, c := range v.Clusters {
		if !m.remoteSecrets() && c != proxyCluster {
			continue
		}
		ep := m.endpointAddr(s, v, c, proxyCluster)
		if !seen[ep] {
			seen[ep] = true
			want = append(want, ep)
		}
	}
	sort.Strings(want)
	return want
}

// endpointAddr is where a proxy in proxyCluster reaches the version's pods in cluster c: at
// their IP on its own network, else at c's east-west gateway.
func (m *liveMesh) endpointAddr(s api.Service, v api.Version, c, proxyCluster string) string {
	if m.network(c) == m.network(proxyCluster) {
		return net.JoinHostPort(m.podIP[podKey(s, v.Name, c)], strconv.Itoa(m.targetPort(s)))
	}
	return net.JoinHostPort(m.eastWest(c), eastWestPort)
}

// targetPort is the pods' port: meshgen's Service sends the service port to the same
// number, which check 2 holds it to through the EndpointSlice built from that Service.
func (m *liveMesh) targetPort(s api.Service) int { return s.Port }

// wantWeights are the weighted destinations of the service's routes; a version with weight
// 0 gets no traffic, and Istio leaves it out.
func wantWeights(s api.Service) map[string]uint32 {
	w := map[string]uint32{}
	for _, v := range s.Versions {
		if v.Weight > 0 {
			w[subsetCluster(s, v.Name)] = uint32(v.Weight)
		}
	}
	return w
}

func fmtWeights(w map[string]uint32) string {
	var ks []string
	for k := range w {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var parts []string
	for _, k := range ks {
		parts = append(parts, fmt.Sprintf("%s=%d", k, w[k]))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

func sameWeights(a, b map[string]uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// evaluate runs every check once against the running istiods.
func (m *liveMesh) evaluate() []result {
	var rs []result
	for _, c := range m.clusters {
		rs = append(rs, m.evalSync(c.name), m.evalTrust(c.name))
		rs = append(rs, m.revisionResults(c.name)...)
		sidecars := map[string]*xdsDump{}
		errs := map[string]error{}
		for _, s := range m.cfg.Spec.Services {
			if _, ok := sidecars[s.Namespace]; !ok && errs[s.Namespace] == nil {
				sidecars[s.Namespace], errs[s.Namespace] = m.sidecar(c.name, s.Namespace)
			}
		}
		for _, s := range m.cfg.Spec.Services {
			d, err := sidecars[s.Namespace], errs[s.Namespace]
			for _, v := range s.Versions {
				r := result{check: checkEndpoints, cluster: c.name,
					what: fmt.Sprintf("a sidecar in %s gets %s", s.Namespace, subsetCluster(s, v.Name))}
				rs = append(rs, endpointResult(r, d, err, subsetCluster(s, v.Name), m.wantEndpoints(s, v, c.name)))
			}
			rs = append(rs, routeResult(c.name, "a sidecar in "+s.Namespace, d, err, s, m.routeHost(c.name, s)))
			rs = append(rs, outlierResult(c.name, d, err, s))
			rs = append(rs, m.localityResults(c.name, s, d, err)...)
		}
		rs = append(rs, m.eastWestResults(c.name)...)
		var ing *xdsDump
		var ingErr error
		for _, s := range m.cfg.Spec.Services {
			if s.Ingress == nil {
				continue
			}
			if ing == nil && ingErr == nil {
				ing, ingErr = m.ingress(c.name)
			}
			for _, h := range s.Ingress.Hosts {
				rs = append(rs, routeResult(c.name, "the ingress gateway", ing, ingErr, s, h))
			}
		}
	}
	return rs
}

// eastWestResults is the far end of check 2's gateway endpoints, in a mesh of more than one
// network: what arrives at the cluster's east-west gateway on 15443 for a version running
// there goes to its pods there. On one network the installation has no east-west gateway.
func (m *liveMesh) eastWestResults(cluster string) []result {
	if m.exposesIstiod(cluster) && !m.cfg.Spec.MultiNetwork() {
		return m.istiodExposedResults(cluster) // the gateway serves istiod alone
	}
	if !m.cfg.Spec.MultiNetwork() {
		r := result{check: checkEndpoints, cluster: cluster, what: "no east-west gateway: the mesh has one network"}
		var found []string
		for _, g := range m.inst[cluster].gateways {
			if g.service.labels("metadata")["topology.istio.io/network"] != "" || strings.Contains(g.name, "eastwest") {
				found = append(found, g.namespace+"/"+g.name)
			}
		}
		r.ok = len(found) == 0
		if !r.ok {
			r.detail = "the installation has " + strings.Join(found, ", ")
		}
		return []result{r}
	}
	rs := m.istiodExposedResults(cluster)
	ew, ewErr := m.eastWestProxy(cluster)
	for _, s := range m.cfg.Spec.Services {
		for _, v := range s.Versions {
			if !contains(v.Clusters, cluster) {
				continue
			}
			sni := fmt.Sprintf("outbound_.%d_.%s_.%s", s.Port, v.Name, host(s))
			r := result{check: checkEndpoints, cluster: cluster, what: "the east-west gateway passes " + sni}
			want := []string{net.JoinHostPort(m.podIP[podKey(s, v.Name, cluster)], strconv.Itoa(m.targetPort(s)))}
			rs = append(rs, endpointResult(r, ew, ewErr, sni, want))
		}
	}
	return rs
}

// routeHost is what a sidecar in cluster routes the service by: its host, or for TCP, which
// has no host, the Service's cluster IP and port there, where the sidecar's TCP proxy listens.
func (m *liveMesh) routeHost(cluster string, s api.Service) string {
	if s.Protocol == "tcp" {
		return net.JoinHostPort(m.vip[cluster+"/"+s.Namespace+"/"+s.Name], strconv.Itoa(s.Port))
	}
	return host(s)
}

// endpointResult: the EDS cluster's endpoints are exactly want.
func endpointResult(r result, d *xdsDump, err error, cluster string, want []string) result {
	switch got, ok := d.endpoints(cluster); {
	case err != nil:
		r.detail = err.Error()
	case !ok:
		r.detail = "no such cluster in CDS"
	default:
		r.ok = strings.Join(got, " ") == strings.Join(want, " ")
		r.detail = fmt.Sprintf("endpoints [%s]", strings.Join(got, " "))
		if !r.ok {
			r.detail += fmt.Sprintf(", want [%s]", strings.Join(want, " "))
		}
	}
	return r
}

func (d *xdsDump) endpoints(cluster string) ([]string, bool) {
	if d == nil {
		return nil, false
	}
	eps, ok := d.Endpoints[cluster]
	return eps, ok
}

// outlierResult: the service's subset clusters carry outlier detection exactly when the
// MeshConfig asks for failover (locality failover does nothing without it). The locality
// part of check 4 is localityResults.
func outlierResult(cluster string, d *xdsDump, err error, s api.Service) result {
	want := s.Failover != nil
	r := result{check: checkFailover, cluster: cluster, what: fmt.Sprintf("a sidecar's clusters of %s have outlier detection: %v", host(s), want)}
	if err != nil {
		r.detail = err.Error()
		return r
	}
	var wrong []string
	for _, v := range s.Versions {
		name := subsetCluster(s, v.Name)
		if _, ok := d.Endpoints[name]; !ok {
			wrong = append(wrong, name+" missing")
		} else if contains(d.Outlier, name) != want {
			wrong = append(wrong, name)
		}
	}
	r.ok = len(wrong) == 0
	if !r.ok {
		r.detail = "not so for " + strings.Join(wrong, ", ")
	}
	return r
}

// evalSync: istiod reads its own cluster and every peer through meshgen's remote secrets,
// all synced; with remoteSecrets.mode none, its own cluster only.
func (m *liveMesh) evalSync(cluster string) result {
	if cl := m.cfg.Spec.Cluster(cluster); cl != nil && cl.Remote() {
		return m.evalRemote(cluster)
	}
	want := m.wantSynced(cluster)
	r := result{check: checkSync, cluster: cluster, what: "istiod reads " + fmtStatus(want)}
	switch {
	case !m.remoteSecrets():
		r.what += " (remoteSecrets.mode none: no peers)"
	case m.userSecrets:
		r.what += " (remoteSecrets.mode none: made with istioctl create-remote-secret, as the user does)"
	}
	got, err := m.clusterz(cluster)
	if err != nil {
		r.detail = err.Error()
		return r
	}
	r.ok = fmtStatus(got) == fmtStatus(want)
	if !r.ok {
		r.detail = "got " + fmtStatus(got)
	}
	return r
}

func fmtStatus(m map[string]string) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return "{" + strings.Join(parts, " ") + "}"
}

// routeResult: every route for the host that forwards carries exactly the MeshConfig's
// weights, and there is at least one. Redirects (HTTP to HTTPS) forward nothing.
func routeResult(cluster, who string, d *xdsDump, err error, s api.Service, h string) result {
	r := result{check: checkRoutes, cluster: cluster, what: fmt.Sprintf("%s routes %s with %s", who, h, fmtWeights(wantWeights(s)))}
	if err != nil {
		r.detail = err.Error()
		return r
	}
	n := 0
	for _, rt := range d.Routes {
		if !servesHost(rt.Domains, h) || rt.Redirect || rt.Weights == nil {
			continue
		}
		n++
		if !sameWeights(rt.Weights, wantWeights(s)) {
			r.detail = fmt.Sprintf("route %s %q carries %s", rt.Config, rt.Match, fmtWeights(rt.Weights))
			return r
		}
	}
	if n == 0 {
		r.detail = "no route forwards for this host"
		return r
	}
	r.ok = true
	r.detail = fmt.Sprintf("%d route(s)", n)
	return r
}

func servesHost(domains []string, h string) bool {
	for _, d := range domains {
		if d == h || strings.HasPrefix(d, h+":") {
			return true
		}
	}
	return false
}

// poll evaluates until done says stop or the deadline passes, and returns the last results.
func (m *liveMesh) poll(timeout time.Duration, done func([]result) bool) ([]result, bool) {
	deadline := time.Now().Add(timeout)
	for {
		rs := m.evaluate()
		if done(rs) {
			return rs, true
		}
		if time.Now().After(deadline) {
			return rs, false
		}
		time.Sleep(time.Second)
	}
}

func allHold(rs []result) bool {
	for _, r := range rs {
		if !r.ok {
			return false
		}
	}
	return true
}
