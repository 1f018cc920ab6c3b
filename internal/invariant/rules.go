package invariant

import (
	"encoding/base64"
	"fmt"
	"maps"
	"net/netip"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/gen"
)

// Rules are the rules of the mesh, each checked on its own.
var Rules = []Rule{
	{"marks", "every object is labelled managed-by meshgen and annotated with its mesh, so a later render finds it", marks},
	{"identity", "every cluster ID, network and mesh ID in a cluster's objects is that cluster's own", identity},
	{"remote-secrets", "with inline or external-secrets remote secrets each cluster has exactly one for every cluster its istiod reads (api.Spec.Reads: a primary every other cluster, a remote none), pointing at the peer's API server, none for itself", remoteSecrets},
	{"primary-remote", "a remote names its primary on its control-plane namespace and has no istiod policy; its primary exposes istiod (istiod-gateway on 15012 and 15017) and its east-west gateway takes both from outside and passes them to istiod", primaryRemote},
	{"weights", "every route of a service's mesh and ingress VirtualServices splits by the MeshConfig's weights per subset, zero-weight versions included, and every version has its subset", weights},
	{"certificates", "each TLS host's Certificate sits in the ingress gateway's namespace, its secret is the Gateway's credentialName, its issuer exists; no other serving Certificate", certificates},
	{"common-name", "no Certificate's commonName is over 64 bytes (X.509), and a serving certificate's commonName is one of its dnsNames", commonName},
	{"injection", "with a revision, istio.io/rev selects injection everywhere and istio-injection nowhere; without, istio-injection: enabled on every mesh namespace", injection},
	{"tags", "every application namespace's istio.io/rev or istio-injection resolves in every cluster to exactly one control plane installed there, each east-west gateway runs on an installed revision, and every tag points where the MeshConfig says", tags},
	{"api-server-ports", "istiod may reach every cluster's API server at its URL's port (443 when none) and the configured local ports", apiServerPorts},
	{"policy-ports", "every port a NetworkPolicy names has a number: an entry without one opens every port", policyPorts},
	{"cross-network", "with more than one network, every cluster's east-west gateway accepts 15443 from outside the cluster and every service's pods may send to 15443 outside it; on one network there is no east-west gateway, no cross-network Gateway, and nothing may send to 15443 outside", crossNetwork},
	{"same-network", "the service pods of clusters on one network reach each other directly: each accepts its port from every peer's pod ranges on the network, and may call every service port there", sameNetwork},
	{"rancher", "with Rancher, one Project per cluster in its cluster ID's namespace carries the MeshConfig's values, and the control-plane namespace names it", rancher},
	{"kustomization", "each folder's kustomization.yaml lists exactly that folder's files, a Namespace before what lives in it; .meshgen lists every file", kustomization},
}

// RuleNamed returns the rule of that name; it panics on a typo, a test's mistake.
func RuleNamed(name string) Rule {
	for _, r := range Rules {
		if r.Name == name {
			return r
		}
	}
	panic("no rule " + name)
}

// Workloads of the mesh, by the labels Istio's installation gives them.
func (m *Mesh) istiod() Peer {
	l := map[string]string{"app": "istiod", "istio": "pilot"}
	if r := m.Config.Spec.Istio.Revision; r != "" {
		l["istio.io/rev"] = r
	}
	return Peer{Namespace: m.cp(), Labels: l}
}

func (m *Mesh) eastWestGateway(cl api.Cluster) Peer {
	return Peer{Namespace: m.cp(), Labels: map[string]string{"istio": "eastwestgateway", "app": "istio-eastwestgateway", "topology.istio.io/network": cl.Network}}
}

// servicePods are the pods of each version of svc that runs in cluster.
func servicePods(svc api.Service, cluster string) []Peer {
	var ps []Peer
	for _, v := range svc.Versions {
		if slices.Contains(v.Clusters, cluster) {
			ps = append(ps, Peer{Namespace: svc.Namespace, Labels: map[string]string{"app": svc.Name, "version": v.Name}})
		}
	}
	return ps
}

func fqdn(svc api.Service) string { return svc.Name + "." + svc.Namespace + ".svc.cluster.local" }

func marks(m *Mesh, r *report) {
	for _, o := range m.Objects {
		if str(o.Doc, "metadata", "labels", "app.kubernetes.io/managed-by") != "meshgen" || str(o.Doc, "metadata", "annotations", "meshgen.dev/mesh") != m.Config.Metadata.Name {
			r.add(o.Cluster, "%s lacks meshgen's label or mesh annotation", o.id())
		}
		if str(o.Doc, "apiVersion") == "" || o.kind() == "" || o.name() == "" {
			r.add(o.Cluster, "%s lacks apiVersion, kind or name", o.id())
		}
	}
}

func identity(m *Mesh, r *report) {
	for _, cl := range m.clusters() {
		ops := m.operators(cl.Name)
		istiods := m.istiodValues(cl.Name)
		sail := m.sailIstios(cl.Name)
		if len(ops) == 0 && len(istiods) == 0 && len(sail) == 0 {
			r.add(cl.Name, "no IstioOperator, no Helm values and no Sail Istio")
		}
		if got := str(m.doc(cl.Name, "helm/istio-eastwestgateway.values.yaml"), "networkGateway"); len(sail) > 0 && m.Config.Spec.MultiNetwork() && got != cl.Network {
			r.add(cl.Name, "east-west gateway values: networkGateway %q", got)
		}
		for _, f := range slices.Sorted(maps.Keys(istiods)) {
			helm := istiods[f]
			g := at(helm, "global")
			if got := str(g, "multiCluster", "clusterName"); got != cl.Name {
				r.add(cl.Name, "istiod values: clusterName %q", got)
			}
			if got := str(g, "network"); got != cl.Network {
				r.add(cl.Name, "istiod values: network %q", got)
			}
			if got := str(g, "meshID"); got != m.Config.Spec.MeshID {
				r.add(cl.Name, "istiod values: meshID %q", got)
			}
			if got := str(m.doc(cl.Name, "helm/istio-eastwestgateway.values.yaml"), "networkGateway"); m.Config.Spec.MultiNetwork() && !m.ambient() && got != cl.Network {
				r.add(cl.Name, "east-west gateway values: networkGateway %q", got)
			}
		}
		if _, ok := m.Installer[cl.Name]["README.md"]; !ok && m.Installer != nil {
			r.add(cl.Name, "no README.md with the installer's commands")
		}
		// A Sail Istio's spec.values are the istiod chart's, at the IstioOperator's path.
		for _, o := range append(ops, sail...) {
			g := at(o.Doc, "spec", "values", "global")
			if got := str(g, "multiCluster", "clusterName"); got != cl.Name {
				r.add(cl.Name, "%s: clusterName %q", o.id(), got)
			}
			if got := str(g, "network"); got != cl.Network {
				r.add(cl.Name, "%s: network %q", o.id(), got)
			}
			if got := str(g, "meshID"); got != m.Config.Spec.MeshID {
				r.add(cl.Name, "%s: meshID %q", o.id(), got)
			}
		}
		cpSeen := false
		for _, o := range m.in(cl.Name, "") {
			if o.kind() == "Namespace" && o.name() == m.cp() {
				cpSeen = true
				if got := str(o.Doc, "metadata", "labels", "topology.istio.io/network"); got != cl.Network {
					r.add(cl.Name, "control-plane namespace on network %q", got)
				}
			}
			// Wherever a network or cluster name is written, it is this cluster's.
			walk(o.Doc, func(x map[string]any) {
				if v, ok := x["topology.istio.io/network"].(string); ok && v != cl.Network {
					r.add(cl.Name, "%s: topology.istio.io/network %q", o.id(), v)
				}
				if v, ok := x["clusterName"].(string); ok && o.kind() == "IstioOperator" && v != cl.Name {
					r.add(cl.Name, "%s: clusterName %q", o.id(), v)
				}
				if x["name"] == "ISTIO_META_REQUESTED_NETWORK_VIEW" && x["value"] != cl.Network {
					r.add(cl.Name, "%s: requested network view %v", o.id(), x["value"])
				}
			})
		}
		if !cpSeen {
			r.add(cl.Name, "no control-plane namespace %s", m.cp())
		}
	}
}

func remoteSecrets(m *Mesh, r *report) {
	mode := m.Config.Spec.RemoteSecrets.Mode
	written := mode == api.RemoteSecretsInline || mode == api.RemoteSecretsExternalSecret
	for _, cl := range m.clusters() {
		reads := map[string]bool{}
		for _, p := range m.Config.Spec.Reads(&cl) {
			reads[p.Name] = true
		}
		got := map[string]int{}
		for _, o := range m.in(cl.Name, "") {
			// A remote secret as written (Secret), or as an ExternalSecret's template.
			meta, kubeconfig := at(o.Doc, "metadata"), func(peer string) string { return secretData(o.Doc, peer) }
			switch o.kind() {
			case "Secret":
			case "ExternalSecret":
				meta = at(o.Doc, "spec", "target", "template", "metadata")
				kubeconfig = func(peer string) string { return str(o.Doc, "spec", "target", "template", "data", peer) }
			default:
				continue
			}
			if str(meta, "labels", "istio/multiCluster") != "true" {
				continue
			}
			peer := str(meta, "annotations", "networking.istio.io/cluster")
			got[peer]++
			if o.namespace() != m.cp() {
				r.add(cl.Name, "%s: not in the control-plane namespace", o.id())
			}
			want := ""
			for _, p := range m.clusters() {
				if p.Name == peer {
					want = p.APIServer
				}
			}
			if s := kubeconfigServer(kubeconfig(peer)); s != want || want == "" {
				r.add(cl.Name, "%s for %q points at %q, want %q", o.id(), peer, s, want)
			}
		}
		// The source side: the reader account whose token the peers use, in every cluster
		// that has peers, whatever the mode.
		if len(m.clusters()) > 1 && !slices.ContainsFunc(m.in(cl.Name, "ServiceAccount"), func(o Object) bool {
			return o.name() == "istio-reader-service-account" && o.namespace() == m.cp()
		}) {
			r.add(cl.Name, "no ServiceAccount %s/istio-reader-service-account for the peers to read with", m.cp())
		}
		for _, p := range m.clusters() {
			want := 0
			if written && reads[p.Name] {
				want = 1
			}
			if got[p.Name] != want {
				r.add(cl.Name, "%d remote secrets for %s, want %d", got[p.Name], p.Name, want)
			}
			delete(got, p.Name)
		}
		for p := range got {
			r.add(cl.Name, "remote secret for unknown cluster %q", p)
		}
	}
}

// secretData is a Secret's value under key, from stringData or data.
func secretData(doc map[string]any, key string) string {
	if s := str(doc, "stringData", key); s != "" {
		return s
	}
	b, _ := base64.StdEncoding.DecodeString(str(doc, "data", key))
	return string(b)
}

// kubeconfigServer is the server of a kubeconfig's current context.
func kubeconfigServer(kc string) string {
	var c map[string]any
	if err := yaml.Unmarshal([]byte(kc), &c); err != nil {
		return ""
	}
	cur := str(c, "current-context")
	for _, x := range list(c, "contexts") {
		if str(x, "name") == cur {
			for _, y := range list(c, "clusters") {
				if str(y, "name") == str(x, "context", "cluster") {
					return str(y, "cluster", "server")
				}
			}
		}
	}
	return ""
}

// servesHost: a destination or VirtualService host that names svc, short or long.
func servesHost(h string, svc api.Service, vsNamespace string) bool {
	switch h {
	case fqdn(svc), svc.Name + "." + svc.Namespace, svc.Name + "." + svc.Namespace + ".svc":
		return true
	}
	return h == svc.Name && vsNamespace == svc.Namespace
}

func weights(m *Mesh, r *report) {
	if m.ambient() { // ambient has its own: see ambient.go
		return
	}
	for _, cl := range m.clusters() {
		vss := m.in(cl.Name, "VirtualService")
		for _, svc := range m.Config.Spec.Services {
			var mesh, ingress []Object
			for _, o := range vss {
				gws := strs(o.Doc, "spec", "gateways")
				switch {
				case (len(gws) == 0 || slices.Equal(gws, []string{"mesh"})) && slices.ContainsFunc(strs(o.Doc, "spec", "hosts"), func(h string) bool { return servesHost(h, svc, o.namespace()) }):
					mesh = append(mesh, o)
				case len(gws) > 0 && svc.Ingress != nil && slices.ContainsFunc(strs(o.Doc, "spec", "hosts"), func(h string) bool { return slices.Contains(svc.Ingress.Hosts, h) }):
					ingress = append(ingress, o)
				}
			}
			if len(mesh) != 1 {
				r.add(cl.Name, "%d mesh VirtualServices for %s, want 1", len(mesh), fqdn(svc))
			}
			if svc.Ingress != nil {
				hosts := map[string]bool{}
				for _, o := range ingress {
					for _, h := range strs(o.Doc, "spec", "hosts") {
						hosts[h] = true
					}
				}
				for _, h := range svc.Ingress.Hosts {
					if !hosts[h] {
						r.add(cl.Name, "no ingress VirtualService for %s", h)
					}
				}
			}
			for _, o := range append(mesh, ingress...) {
				split(r, cl.Name, o, svc)
			}
			subsets(m, r, cl.Name, svc)
		}
	}
}

// split checks every HTTP and TCP route of o that sends traffic (a redirect sends none).
func split(r *report, cluster string, o Object, svc api.Service) {
	routes := append(list(o.Doc, "spec", "http"), list(o.Doc, "spec", "tcp")...)
	if len(routes) == 0 {
		r.add(cluster, "%s has no HTTP or TCP route", o.id())
	}
	for i, rt := range routes {
		dests := list(rt, "route")
		if len(dests) == 0 {
			continue
		}
		got := map[string]int{}
		for _, d := range dests {
			if h := str(d, "destination", "host"); !servesHost(h, svc, o.namespace()) {
				r.add(cluster, "%s http[%d] routes to %q, not %s", o.id(), i, h, fqdn(svc))
				continue
			}
			w, ok := num(d, "weight")
			if !ok && len(dests) == 1 {
				w = 100 // Istio's default for a single destination
			}
			got[str(d, "destination", "subset")] += w
		}
		want := map[string]int{}
		for _, v := range svc.Versions {
			want[v.Name] = v.Weight
		}
		for _, s := range slices.Sorted(maps.Keys(want)) {
			if got[s] != want[s] {
				r.add(cluster, "%s http[%d] gives subset %s weight %d, the MeshConfig %d", o.id(), i, s, got[s], want[s])
			}
		}
		for s := range got {
			if _, ok := want[s]; !ok {
				r.add(cluster, "%s http[%d] routes to unknown subset %q", o.id(), i, s)
			}
		}
	}
}

// subsets: one DestinationRule for the service, a subset per version selecting its pods.
func subsets(m *Mesh, r *report, cluster string, svc api.Service) {
	var drs []Object
	for _, o := range m.in(cluster, "DestinationRule") {
		if servesHost(str(o.Doc, "spec", "host"), svc, o.namespace()) {
			drs = append(drs, o)
		}
	}
	if len(drs) != 1 {
		r.add(cluster, "%d DestinationRules for %s, want 1", len(drs), fqdn(svc))
		return
	}
	got := map[string]map[string]string{}
	for _, s := range list(drs[0].Doc, "spec", "subsets") {
		got[str(s, "name")] = labelsOf(s, "labels")
	}
	for _, v := range svc.Versions {
		if l, ok := got[v.Name]; !ok || l["version"] != v.Name {
			r.add(cluster, "%s: subset %s missing or not selecting version %s (%v)", drs[0].id(), v.Name, v.Name, l)
		}
	}
	if len(got) != len(svc.Versions) {
		r.add(cluster, "%s: %d subsets for %d versions", drs[0].id(), len(got), len(svc.Versions))
	}
}

func certificates(m *Mesh, r *report) {
	for _, cl := range m.clusters() {
		// The serving certificates; a CA certificate (istiod's intermediate) is not one.
		var certs []Object
		for _, o := range m.in(cl.Name, "Certificate") {
			if at(o.Doc, "spec", "isCA") != true {
				certs = append(certs, o)
			}
		}
		issuers := map[string]bool{}
		for _, o := range m.in(cl.Name, "ClusterIssuer") {
			issuers[o.name()] = true
		}
		// credentialName → the hosts of the HTTPS servers using it on the ingress gateway.
		creds := map[string][]string{}
		for _, o := range m.in(cl.Name, "Gateway") {
			if str(o.Doc, "spec", "selector", "istio") != "ingressgateway" {
				continue
			}
			for _, s := range list(o.Doc, "spec", "servers") {
				if c := str(s, "tls", "credentialName"); c != "" {
					creds[c] = append(creds[c], strs(s, "hosts")...)
				}
			}
		}
		want := 0
		for _, svc := range m.Config.Spec.Services {
			if svc.Ingress == nil || svc.Ingress.TLS == nil {
				continue
			}
			for _, h := range svc.Ingress.Hosts {
				want++
				var cs []Object
				for _, o := range certs {
					if slices.Contains(strs(o.Doc, "spec", "dnsNames"), h) {
						cs = append(cs, o)
					}
				}
				if len(cs) != 1 {
					r.add(cl.Name, "%d Certificates for %s, want 1", len(cs), h)
					continue
				}
				c := cs[0]
				if c.namespace() != m.cp() {
					r.add(cl.Name, "%s for %s is not in the ingress gateway's namespace %s", c.id(), h, m.cp())
				}
				sec := str(c.Doc, "spec", "secretName")
				if !slices.Contains(creds[sec], h) {
					r.add(cl.Name, "%s issues secret %q, but no ingress Gateway server for %s has it as credentialName (have %v)", c.id(), sec, h, creds)
				}
				if ref := at(c.Doc, "spec", "issuerRef"); str(ref, "kind") != "ClusterIssuer" || str(ref, "name") != svc.Ingress.TLS.Issuer || !issuers[svc.Ingress.TLS.Issuer] {
					r.add(cl.Name, "%s: issuer %v, want the ClusterIssuer %s", c.id(), ref, svc.Ingress.TLS.Issuer)
				}
			}
		}
		if len(certs) != want {
			r.add(cl.Name, "%d Certificates, want %d", len(certs), want)
		}
		for c := range creds {
			if !slices.ContainsFunc(certs, func(o Object) bool { return str(o.Doc, "spec", "secretName") == c && o.namespace() == m.cp() }) {
				r.add(cl.Name, "credentialName %q has no Certificate in %s", c, m.cp())
			}
		}
	}
}

func commonName(m *Mesh, r *report) {
	for _, o := range m.Objects {
		if o.kind() != "Certificate" {
			continue
		}
		cn := str(o.Doc, "spec", "commonName")
		if len(cn) > 64 {
			r.add(o.Cluster, "%s: commonName of %d bytes", o.id(), len(cn))
		}
		if cn != "" && at(o.Doc, "spec", "isCA") != true && !slices.Contains(strs(o.Doc, "spec", "dnsNames"), cn) {
			r.add(o.Cluster, "%s: commonName %q not among its dnsNames", o.id(), cn)
		}
	}
}

func injection(m *Mesh, r *report) {
	if m.ambient() { // ambient has its own: see ambient.go
		return
	}
	rev := m.Config.Spec.Istio.Revision
	for _, cl := range m.clusters() {
		nss := map[string]map[string]string{}
		for _, o := range m.in(cl.Name, "Namespace") {
			nss[o.name()] = labelsOf(o.Doc, "metadata", "labels")
		}
		for _, n := range m.Config.Spec.Namespaces {
			l, ok := nss[n.Name]
			// The label the MeshConfig asks for (a tag, the revision, or istio-injection), and
			// not the other one.
			k, v := m.Config.Spec.Injection(&n)
			other := "istio-injection"
			if k == other {
				other = "istio.io/rev"
			}
			switch {
			case !ok:
				r.add(cl.Name, "no Namespace %s", n.Name)
			case l[k] != v || l[other] != "":
				r.add(cl.Name, "Namespace %s: istio.io/rev %q, istio-injection %q; want %s=%s", n.Name, l["istio.io/rev"], l["istio-injection"], k, v)
			}
		}
		var revs []string
		for _, x := range m.Config.Spec.Istio.Revisions() {
			revs = append(revs, x.Revision)
		}
		for _, o := range m.operators(cl.Name) {
			if !slices.Contains(revs, str(o.Doc, "spec", "revision")) {
				r.add(cl.Name, "%s: revision %q, want one of %q", o.id(), str(o.Doc, "spec", "revision"), revs)
			}
		}
		// Sail names the revision after the Istio (InPlace), and the name default is none: an
		// Istio per revision, named after it.
		if sail := m.sailIstios(cl.Name); len(sail) > 0 {
			var got []string
			for _, o := range sail {
				got = append(got, sailRevision(o.name()))
				if str(o.Doc, "spec", "updateStrategy", "type") != "InPlace" {
					r.add(cl.Name, "%s: Sail Istio with update strategy %q, want InPlace", o.id(), str(o.Doc, "spec", "updateStrategy", "type"))
				}
			}
			if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(revs))) {
				r.add(cl.Name, "Sail Istios of revisions %q, want one for each of %q", got, revs)
			}
		}
		files := slices.Collect(maps.Keys(m.istiodValues(cl.Name)))
		for _, f := range append(slices.Sorted(slices.Values(files)), "helm/istio-eastwestgateway.values.yaml") {
			if d := m.doc(cl.Name, f); d != nil && !slices.Contains(revs, str(d, "revision")) {
				r.add(cl.Name, "%s: revision %q, want one of %q", f, str(d, "revision"), revs)
			}
		}
		for _, o := range m.in(cl.Name, "") {
			if rev == "" {
				continue
			}
			// Any selector or label that still names istio-injection selects the wrong namespaces.
			walk(o.Doc, func(x map[string]any) {
				if _, ok := x["istio-injection"]; ok {
					r.add(cl.Name, "%s selects or sets istio-injection with revision %s", o.id(), rev)
				}
			})
		}
	}
}

// APIServerPort is the port of an apiServer URL: its own, or 443.
func APIServerPort(u string) (int, error) {
	p, err := url.Parse(u)
	if err != nil {
		return 0, err
	}
	if p.Port() == "" {
		return 443, nil
	}
	return strconv.Atoi(p.Port())
}

func apiServerPorts(m *Mesh, r *report) {
	want := slices.Clone(m.Config.Spec.NetworkPolicies.APIServerPorts)
	for _, cl := range m.clusters() {
		if cl.APIServer == "" {
			continue
		}
		p, err := APIServerPort(cl.APIServer)
		if err != nil {
			r.add(cl.Name, "apiServer %q: %v", cl.APIServer, err)
			continue
		}
		want = append(want, p)
	}
	for _, cl := range m.clusters() {
		if cl.Remote() {
			continue // no istiod
		}
		for _, p := range want {
			if !m.Allows(cl.Name, m.istiod(), outside(), "TCP", p) {
				r.add(cl.Name, "istiod cannot reach an API server on port %d", p)
			}
		}
	}
}

func crossNetwork(m *Mesh, r *report) {
	if m.ambient() { // ambient has its own: see ambient.go
		return
	}
	if len(m.clusters()) < 2 {
		return
	}
	multi := m.Config.Spec.MultiNetwork()
	for _, cl := range m.clusters() {
		// A primary with remotes has an east-west gateway on one network too, for its istiod
		// (primary-remote), but no cross-network Gateway.
		exposes := len(m.Config.Spec.Remotes(&cl)) > 0
		if !multi {
			for _, o := range append(m.in(cl.Name, "Gateway"), m.in(cl.Name, "IstioOperator")...) {
				if exposes && (o.kind() == "IstioOperator" || o.name() == "istiod-gateway") {
					continue
				}
				if strings.Contains(fmt.Sprint(o.Doc["spec"]), "15443") || strings.Contains(fmt.Sprint(o.Doc["spec"]), "eastwestgateway") {
					r.add(cl.Name, "%s: an east-west gateway on a mesh of one network", o.id())
				}
			}
		}
		if multi && !m.Allows(cl.Name, outside(), m.eastWestGateway(cl), "TCP", 15443) {
			r.add(cl.Name, "the east-west gateway does not accept 15443 from the other networks")
		}
		for _, svc := range m.Config.Spec.Services {
			for _, p := range servicePods(svc, cl.Name) {
				if m.Allows(cl.Name, p, outside(), "TCP", 15443) != multi {
					if multi {
						r.add(cl.Name, "%s/%s %s cannot reach the other networks' east-west gateways on 15443", svc.Namespace, svc.Name, p.Labels["version"])
					} else {
						r.add(cl.Name, "%s/%s %s may send to 15443 outside the cluster on a mesh of one network", svc.Namespace, svc.Name, p.Labels["version"])
					}
				}
			}
		}
	}
}

// sameNetwork: a peer's pod, an address in its podCIDRs, calls this cluster's versions and is
// called by them on the service ports. Only with NetworkPolicies: without, nothing is closed.
func sameNetwork(m *Mesh, r *report) {
	s := &m.Config.Spec
	if s.NetworkPolicies.Enabled != nil && !*s.NetworkPolicies.Enabled {
		return
	}
	for i := range s.Clusters {
		cl := &s.Clusters[i]
		for _, peer := range s.NetworkPeers(cl) {
			for _, c := range peer.PodCIDRs {
				pre, err := netip.ParsePrefix(c)
				if err != nil {
					r.add(cl.Name, "%s's pod range %q does not parse", peer.Name, c)
					continue
				}
				pod := Peer{IP: pre.Addr().Next().String()}
				for _, svc := range s.Services {
					for _, p := range servicePods(svc, cl.Name) {
						if !m.Allows(cl.Name, pod, p, "TCP", svc.Port) {
							r.add(cl.Name, "%s/%s %s does not accept %d from %s's pods (%s)", svc.Namespace, svc.Name, p.Labels["version"], svc.Port, peer.Name, c)
						}
						for _, to := range s.Services {
							if !m.Allows(cl.Name, p, pod, "TCP", to.Port) {
								r.add(cl.Name, "%s/%s %s cannot call %s's pods (%s) on %d", svc.Namespace, svc.Name, p.Labels["version"], peer.Name, c, to.Port)
							}
						}
					}
				}
			}
		}
	}
}

func rancher(m *Mesh, r *report) {
	rc := m.Config.Spec.Rancher
	ps := m.in(api.Reserved, "Project")
	if rc == nil {
		if len(m.in(api.Reserved, "")) > 0 {
			r.add(api.Reserved, "objects without spec.rancher")
		}
		return
	}
	if len(ps) != len(m.clusters()) {
		r.add(api.Reserved, "%d Projects for %d clusters", len(ps), len(m.clusters()))
	}
	for _, cl := range m.clusters() {
		var p map[string]any
		for _, o := range ps {
			if o.namespace() == cl.RancherClusterID && o.name() == rc.Project {
				p = o.Doc
			}
		}
		if p == nil {
			r.add(api.Reserved, "no Project %s/%s for cluster %s", cl.RancherClusterID, rc.Project, cl.Name)
			continue
		}
		want := map[string]any{"clusterName": cl.RancherClusterID, "displayName": rc.DisplayName}
		if rc.Description != "" {
			want["description"] = rc.Description
		}
		for _, f := range []struct {
			key string
			v   any
		}{{"containerDefaultResourceLimit", rc.ContainerDefaultResourceLimit}, {"namespaceDefaultResourceQuota", quotaOf(rc.NamespaceDefaultResourceQuota)}, {"resourceQuota", quotaOf(rc.ResourceQuota)}} {
			if v := asMap(f.v); v != nil {
				want[f.key] = v
			}
		}
		if got := at(p, "spec"); fmt.Sprint(got) != fmt.Sprint(want) {
			r.add(api.Reserved, "Project for %s: spec %v, want %v", cl.Name, got, want)
		}
		for _, o := range m.in(cl.Name, "Namespace") {
			if o.name() == m.cp() && str(o.Doc, "metadata", "annotations", "field.cattle.io/projectId") != cl.RancherClusterID+":"+rc.Project {
				r.add(cl.Name, "control-plane namespace in project %q", str(o.Doc, "metadata", "annotations", "field.cattle.io/projectId"))
			}
		}
	}
}

func quotaOf(q *api.QuotaLimit) any {
	if q == nil {
		return nil
	}
	return map[string]any{"limit": q}
}

// asMap turns a Go value into the map its JSON would parse to; nil for nil.
func asMap(v any) map[string]any {
	if v == nil || fmt.Sprint(v) == "<nil>" {
		return nil
	}
	b, err := yaml.Marshal(v)
	if err != nil {
		return nil
	}
	var m map[string]any
	if yaml.Unmarshal(b, &m) != nil {
		return nil
	}
	return m
}

func kustomization(m *Mesh, r *report) {
	if m.Files == nil {
		return
	}
	objs := map[string]Object{}
	for _, o := range m.Objects {
		objs[o.File] = o
	}
	folders := map[string][]string{}
	var all []string
	for p := range m.Files {
		if p != Manifest {
			all = append(all, p)
		}
		if _, _, ok := installerFile(p); ok {
			continue // not applied: in .meshgen, not in the kustomization
		}
		if dir, file := path.Split(p); dir != "" && file != Kustomization {
			folders[strings.TrimSuffix(dir, "/")] = append(folders[strings.TrimSuffix(dir, "/")], file)
		}
	}
	wantFolders := map[string]bool{}
	if m.Config.Spec.Rancher != nil {
		wantFolders[api.Reserved] = true
	}
	if hub := api.HubFolder(&m.Config.Spec); hub != "" {
		wantFolders[hub] = true
	}
	for _, cl := range m.clusters() {
		wantFolders[cl.Name] = true
	}
	// A cluster's kustomization lists its phase folders, in rollout order.
	phases := map[string][]string{}
	for dir := range folders {
		cl, phase, _ := strings.Cut(dir, "/")
		if gen.PhaseOfFolder(phase) != gen.PhaseNone && wantFolders[cl] {
			phases[cl] = append(phases[cl], phase)
			continue
		}
		if !wantFolders[dir] {
			r.add("", "folder %s for no cluster", dir)
		}
	}
	for cl, ps := range phases {
		slices.Sort(ps) // the folders' names sort in rollout order: 1-base, 2-istiod, ...
		folders[cl] = append(folders[cl], ps...)
		for _, p := range ps {
			wantFolders[cl+"/"+p] = true
		}
		if k, ok := m.Files[path.Join(cl, Kustomization)]; ok {
			var doc map[string]any
			if yaml.Unmarshal(k, &doc) == nil {
				var listed []string
				for _, f := range strs(doc, "resources") {
					if gen.PhaseOfFolder(f) != gen.PhaseNone {
						listed = append(listed, f)
					}
				}
				if !slices.Equal(listed, ps) {
					r.add(cl, "%s lists the phases %v, not in rollout order %v", Kustomization, listed, ps)
				}
			}
		}
	}
	for _, dir := range slices.Sorted(maps.Keys(wantFolders)) {
		files := folders[dir]
		k, ok := m.Files[path.Join(dir, Kustomization)]
		if !ok {
			r.add(dir, "no %s", Kustomization)
			continue
		}
		var doc map[string]any
		if err := yaml.Unmarshal(k, &doc); err != nil || str(doc, "kind") != "Kustomization" {
			r.add(dir, "%s is not a Kustomization: %v", Kustomization, err)
			continue
		}
		res := strs(doc, "resources")
		if got, want := slices.Sorted(slices.Values(res)), slices.Sorted(slices.Values(files)); !slices.Equal(got, want) {
			r.add(dir, "%s lists %v, the folder holds %v", Kustomization, res, files)
		}
		// A Namespace before everything in it: kubectl apply -k then creates it first even
		// where kustomize keeps the listed order.
		listedAt := map[string]int{}
		for i, f := range res {
			o, ok := objs[path.Join(dir, f)]
			if !ok {
				continue
			}
			if o.kind() == "Namespace" {
				listedAt[o.name()] = i
			}
		}
		for i, f := range res {
			o, ok := objs[path.Join(dir, f)]
			if j, listed := listedAt[o.namespace()]; ok && listed && j > i {
				r.add(dir, "%s lists %s before its Namespace", Kustomization, f)
			}
		}
	}
	var listed []string
	for _, l := range strings.Split(string(m.Files[Manifest]), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			listed = append(listed, l)
		}
	}
	if want := slices.Sorted(slices.Values(all)); !slices.Equal(slices.Sorted(slices.Values(listed)), want) {
		r.add("", "%s lists %v, the tree holds %v", Manifest, listed, want)
	}
}

func policyPorts(m *Mesh, r *report) {
	for _, o := range m.Objects {
		if o.kind() != "NetworkPolicy" {
			continue
		}
		for _, dir := range []string{"ingress", "egress"} {
			for i, rule := range list(o.Doc, "spec", dir) {
				for _, p := range list(rule, "ports") {
					if n, ok := num(p, "port"); !ok || n < 1 {
						r.add(o.Cluster, "%s %s[%d] opens %v: every port", o.id(), dir, i, p)
					}
				}
			}
		}
	}
}

// sailIstios are a cluster's sailoperator.io Istio objects (installer sail).
func (m *Mesh) sailIstios(cluster string) []Object {
	var out []Object
	for _, o := range m.in(cluster, "Istio") {
		if strings.HasPrefix(str(o.Doc, "apiVersion"), "sailoperator.io/") {
			out = append(out, o)
		}
	}
	return out
}

// operators are a cluster's IstioOperators: applied (installer operator) or files for istioctl
// install (installer istioctl).
func (m *Mesh) operators(cluster string) []Object {
	ops := m.in(cluster, "IstioOperator")
	for _, name := range slices.Sorted(maps.Keys(m.Installer[cluster])) {
		if d := m.doc(cluster, name); strings.HasPrefix(name, "istioctl/") && str(d, "kind") == "IstioOperator" {
			ops = append(ops, Object{Cluster: cluster, File: cluster + "/" + name, Doc: d})
		}
	}
	return ops
}

// primaryRemote: what joins a remote to its primary besides the installer's values. With
// NetworkPolicies, the remotes' proxies and API servers reach the primary's istiod through its
// east-west gateway: both ports from outside, and on to istiod.
func primaryRemote(m *Mesh, r *report) {
	s := &m.Config.Spec
	policies := s.NetworkPolicies.Enabled == nil || *s.NetworkPolicies.Enabled
	for i := range s.Clusters {
		cl := &s.Clusters[i]
		if cl.Remote() {
			for _, o := range m.in(cl.Name, "Namespace") {
				if o.name() == m.cp() && str(o.Doc, "metadata", "annotations", "topology.istio.io/controlPlaneClusters") != cl.Primary {
					r.add(cl.Name, "%s: topology.istio.io/controlPlaneClusters is not the primary %q", o.id(), cl.Primary)
				}
			}
			for _, o := range m.in(cl.Name, "NetworkPolicy") {
				if o.name() == "np-istiod" {
					r.add(cl.Name, "%s: a remote runs no istiod", o.id())
				}
			}
		}
		exposes := len(s.Remotes(cl)) > 0
		var ports []int
		for _, o := range m.in(cl.Name, "Gateway") {
			if o.name() != "istiod-gateway" {
				continue
			}
			for _, sv := range list(o.Doc, "spec", "servers") {
				if n, ok := num(sv, "port", "number"); ok {
					ports = append(ports, n)
				}
			}
		}
		slices.Sort(ports)
		switch {
		case exposes && !slices.Equal(ports, []int{15012, 15017}):
			r.add(cl.Name, "istiod-gateway exposes %v, want [15012 15017] for the remotes", ports)
		case !exposes && ports != nil:
			r.add(cl.Name, "istiod-gateway without remotes")
		}
		if !exposes || !policies {
			continue
		}
		gw := m.eastWestGateway(*cl)
		for _, p := range []int{15012, 15017} {
			if !m.Allows(cl.Name, outside(), gw, "TCP", p) {
				r.add(cl.Name, "the east-west gateway does not accept %d from the remotes", p)
			}
			if !m.Allows(cl.Name, gw, m.istiod(), "TCP", p) {
				r.add(cl.Name, "the east-west gateway cannot pass %d on to istiod", p)
			}
		}
	}
}
