package api

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"maps"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// MinIstio is the oldest release whose multi-cluster, multi-network support works (the seed
// found older ones unable to join clusters).
var MinIstio = Semver{1, 12, 0}

var (
	dnsLabel     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	dnsSubdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	labelValue   = regexp.MustCompile(`^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$`)
	labelName    = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$`)
	semverRe     = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$`)
	hubRe        = regexp.MustCompile(`^[a-z0-9]([-a-z0-9._]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9]([-a-z0-9._]*[a-z0-9])?)*$`)
	hostRe       = regexp.MustCompile(`^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$`)
)

// Profiles are the installation profiles istioctl knows; anything else is a typo.
var Profiles = []string{"ambient", "default", "demo", "empty", "minimal", "openshift", "openshift-ambient", "preview", "remote", "stable"}

// Protocols are the service protocols: HTTP routes for all but tcp.
var Protocols = []string{"grpc", "http", "http2", ProtocolTCP}

// ProtocolTCP is routed with weighted TCP routes, without URI matches.
const ProtocolTCP = "tcp"

// Reserved is the output folder of the Rancher management cluster's objects.
const Reserved = "rancher"

// Semver is a parsed Istio release.
type Semver struct{ Major, Minor, Patch int }

// ParseSemver parses MAJOR.MINOR.PATCH with an optional pre-release suffix.
func ParseSemver(s string) (Semver, bool) {
	m := semverRe.FindStringSubmatch(s)
	if m == nil {
		return Semver{}, false
	}
	var v Semver
	var err error
	for i, p := range []*int{&v.Major, &v.Minor, &v.Patch} {
		if *p, err = strconv.Atoi(m[i+1]); err != nil {
			return Semver{}, false
		}
	}
	return v, true
}

// Less orders releases by major, minor and patch.
func (v Semver) Less(o Semver) bool {
	if v.Major != o.Major {
		return v.Major < o.Major
	}
	if v.Minor != o.Minor {
		return v.Minor < o.Minor
	}
	return v.Patch < o.Patch
}

// Validate checks a defaulted MeshConfig and the credentials given with it. It returns every
// problem, each with the field path that causes it.
func Validate(c *MeshConfig, creds Credentials) Errors {
	var es Errors
	if c.APIVersion != APIVersion {
		es.add("apiVersion", "must be %q, got %q", APIVersion, c.APIVersion)
	}
	if c.Kind != Kind {
		es.add("kind", "must be %q, got %q", Kind, c.Kind)
	}
	name(&es, "metadata.name", c.Metadata.Name, dnsLabel)
	s := &c.Spec
	if !labelValue.MatchString(s.MeshID) || len(s.MeshID) > 63 {
		es.add("spec.meshID", "must be a valid label value (at most 63 letters, digits, '-', '_', '.'), got %q", s.MeshID)
	}
	validateIstio(&es, &s.Istio)
	validateRevisions(&es, s)
	validateControlPlane(&es, &s.ControlPlane)
	validateLimitRange(&es, s)
	clusters := validateClusters(&es, s)
	validateNetworks(&es, s)
	validatePrimaries(&es, s)
	validateLocality(&es, s)
	validateRancher(&es, s)
	oneOf(&es, "spec.remoteSecrets.mode", s.RemoteSecrets.Mode, RemoteSecretsExternalSecret, RemoteSecretsInline, RemoteSecretsNone)
	validateExternalSecrets(&es, s, creds)
	validateTrust(&es, c)
	for i, p := range s.NetworkPolicies.APIServerPorts {
		port(&es, fmt.Sprintf("spec.networkPolicies.apiServerPorts[%d]", i), p)
	}
	if m := s.NetworkPolicies.MonitoringNamespace; m != "" {
		name(&es, "spec.networkPolicies.monitoringNamespace", m, dnsLabel)
	}
	validateDNS(&es, s, clusters)
	oneOf(&es, "spec.security.mtls", s.Security.MTLS, MTLSStrict, MTLSPermissive, MTLSNone)
	if oneOf(&es, "spec.security.podSecurity", s.Security.PodSecurity, PodSecurityPrivileged, PodSecurityBaseline, PodSecurityRestricted) &&
		s.Security.PodSecurity != PodSecurityPrivileged && !s.Istio.CNI {
		es.add("spec.security.podSecurity", "%q needs spec.istio.cni: true: without the Istio CNI plugin every pod gets the istio-init container, which needs NET_ADMIN and NET_RAW, and only the privileged level allows them", s.Security.PodSecurity)
	}
	namespaces := validateNamespaces(&es, s)
	issuers := validateIssuers(&es, s)
	validateServices(&es, s, clusters, namespaces, issuers)
	validateCredentials(&es, s, clusters, creds)
	validateAmbient(&es, s)
	validateGitOps(&es, s)
	validateArgoCDNames(&es, c)
	return es
}

func validateIstio(es *Errors, ist *Istio) {
	switch v, ok := ParseSemver(ist.Version); {
	case ist.Version == "":
		es.add("spec.istio.version", "required (for example 1.12.0)")
	case !ok:
		es.add("spec.istio.version", "must be a release like 1.22.3, got %q", ist.Version)
	case v.Less(MinIstio):
		es.add("spec.istio.version", "must be %d.%d or newer: older releases cannot join clusters across networks, got %q", MinIstio.Major, MinIstio.Minor, ist.Version)
	}
	if !hubRe.MatchString(ist.Hub) {
		es.add("spec.istio.hub", "must be an image repository like docker.io/istio, got %q", ist.Hub)
	}
	oneOf(es, "spec.istio.profile", ist.Profile, Profiles...)
	if oneOf(es, "spec.istio.installer", ist.Installer, Installers...) && ist.Installer == InstallerOperator {
		if v, ok := ParseSemver(ist.Version); ok && !v.Less(OperatorRemoved) {
			es.add("spec.istio.installer", "%q works below Istio %d.%d only: the in-cluster operator was removed in %d.%d.0 (istioctl operator init is gone), got spec.istio.version %q; use helm (the default from %d.%d) or istioctl",
				ist.Installer, OperatorRemoved.Major, OperatorRemoved.Minor, OperatorRemoved.Major, OperatorRemoved.Minor, ist.Version, OperatorRemoved.Major, OperatorRemoved.Minor)
		}
	}
	if ist.Revision != "" {
		name(es, "spec.istio.revision", ist.Revision, dnsLabel)
	}
	validateSail(es, ist)
}

func validateControlPlane(es *Errors, cp *ControlPlane) {
	name(es, "spec.controlPlane.namespace", cp.Namespace, dnsLabel)
	labels(es, "spec.controlPlane.nodeSelector", cp.NodeSelector)
	if lr := cp.LimitRange; lr != nil {
		resources(es, "spec.controlPlane.limitRange.default", lr.Default)
		resources(es, "spec.controlPlane.limitRange.defaultRequest", lr.DefaultRequest)
	}
}

// controlPlaneRequests are the resource requests of the control plane's containers that set
// requests but no limits, by profile, as Istio's charts and profiles give them (istiod:
// istio-discovery's values and the demo profile; the CNI agent: istio-cni's values). A
// LimitRange's default limit applies to them, and the API server rejects a pod whose request
// exceeds its limit. The gateways set limits of their own, so the default does not apply.
func controlPlaneRequests(profile string, cni bool) []struct {
	name string
	req  Resources
} {
	type r = struct {
		name string
		req  Resources
	}
	var rs []r
	switch profile {
	case "empty":
	case "demo":
		rs = append(rs, r{"istiod", Resources{CPU: "10m", Memory: "100Mi"}})
	default:
		rs = append(rs, r{"istiod", Resources{CPU: "500m", Memory: "2048Mi"}})
	}
	if cni {
		if profile == "demo" {
			rs = append(rs, r{"istio-cni-node", Resources{CPU: "10m", Memory: "40Mi"}})
		} else {
			rs = append(rs, r{"istio-cni-node", Resources{CPU: "100m", Memory: "100Mi"}})
		}
	}
	return rs
}

// validateLimitRange checks the LimitRanges of the control-plane namespace against what the
// chosen profile's control plane requests, so that they cannot keep istiod from starting: the
// one meshgen writes, and the one Rancher writes into every namespace of the project from its
// containerDefaultResourceLimit.
func validateLimitRange(es *Errors, s *Spec) {
	type bound struct{ path, limit, defReq string }
	var bs []bound
	if lr := s.ControlPlane.LimitRange; lr != nil {
		p := "spec.controlPlane.limitRange"
		bs = append(bs,
			bound{p + ".default.cpu", lr.Default.CPU, lr.DefaultRequest.CPU},
			bound{p + ".default.memory", lr.Default.Memory, lr.DefaultRequest.Memory})
	}
	if r := s.Rancher; r != nil && r.ContainerDefaultResourceLimit != nil {
		l, p := r.ContainerDefaultResourceLimit, "spec.rancher.containerDefaultResourceLimit"
		bs = append(bs,
			bound{p + ".limitsCpu", l.LimitsCPU, l.RequestsCPU},
			bound{p + ".limitsMemory", l.LimitsMemory, l.RequestsMemory})
	}
	for _, b := range bs {
		limit, err := resource.ParseQuantity(b.limit)
		if b.limit == "" || err != nil {
			continue
		}
		if req, err := resource.ParseQuantity(b.defReq); b.defReq != "" && err == nil && req.Cmp(limit) > 0 {
			reqPath := strings.Replace(strings.Replace(b.path, ".default.", ".defaultRequest.", 1), ".limits", ".requests", 1)
			es.add(reqPath, "%s is above the default limit %s: the API server refuses such a LimitRange", b.defReq, b.limit)
		}
		for _, c := range controlPlaneRequests(s.Istio.Profile, s.Istio.CNI) {
			want := c.req.CPU
			if strings.HasSuffix(strings.ToLower(b.path), "memory") {
				want = c.req.Memory
			}
			if req := resource.MustParse(want); req.Cmp(limit) > 0 {
				es.add(b.path, "%s is below what %s requests with profile %s (%s): it sets no limit, so it gets this one, and the API server rejects a pod whose request exceeds its limit; make it at least %s", b.limit, c.name, s.Istio.Profile, want, want)
			}
		}
	}
}

func validateClusters(es *Errors, s *Spec) map[string]bool {
	known := map[string]bool{}
	if len(s.Clusters) == 0 {
		es.add("spec.clusters", "at least one cluster is required")
	}
	servers := map[string]string{}
	for i, cl := range s.Clusters {
		p := fmt.Sprintf("spec.clusters[%d]", i)
		if name(es, p+".name", cl.Name, dnsLabel) {
			if cl.Name == Reserved {
				es.add(p+".name", "%q is reserved for the Rancher management objects", Reserved)
			}
			if known[cl.Name] {
				es.add(p+".name", "duplicate cluster %q", cl.Name)
			}
			known[cl.Name] = true
		}
		// Clusters may share a network: validateNetworks checks what that needs.
		name(es, p+".network", cl.Network, dnsLabel)
		switch {
		case cl.APIServer == "":
			if s.RemoteSecrets.Mode != RemoteSecretsNone && s.Read(&cl) {
				es.add(p+".apiServer", "required: the other clusters' remote secrets point at it")
			}
		case httpsURL(es, p+".apiServer", cl.APIServer):
			if other, dup := servers[cl.APIServer]; dup {
				es.add(p+".apiServer", "duplicate API server %q (already used by cluster %q)", cl.APIServer, other)
			}
			servers[cl.APIServer] = cl.Name
		}
		if a := cl.IngressAddress; a != "" && net.ParseIP(a) == nil && !lbName(a) {
			es.add(p+".ingressAddress", "must be an IP address or a load balancer's DNS name, got %q", a)
		}
	}
	return known
}

func validateRancher(es *Errors, s *Spec) {
	r := s.Rancher
	if r == nil {
		for i, cl := range s.Clusters {
			if cl.RancherClusterID != "" {
				es.add(fmt.Sprintf("spec.clusters[%d].rancherClusterID", i), "set, but spec.rancher is not")
			}
		}
		return
	}
	name(es, "spec.rancher.project", r.Project, dnsLabel)
	ids := map[string]bool{}
	for i, cl := range s.Clusters {
		p := fmt.Sprintf("spec.clusters[%d].rancherClusterID", i)
		if cl.RancherClusterID == "" {
			es.add(p, "required when spec.rancher is set (the Rancher cluster ID, like c-f7r9g)")
			continue
		}
		if name(es, p, cl.RancherClusterID, dnsLabel) {
			if ids[cl.RancherClusterID] {
				es.add(p, "duplicate Rancher cluster ID %q", cl.RancherClusterID)
			}
			ids[cl.RancherClusterID] = true
		}
	}
	if l := r.ContainerDefaultResourceLimit; l != nil {
		p := "spec.rancher.containerDefaultResourceLimit"
		quantity(es, p+".limitsCpu", l.LimitsCPU)
		quantity(es, p+".limitsMemory", l.LimitsMemory)
		quantity(es, p+".requestsCpu", l.RequestsCPU)
		quantity(es, p+".requestsMemory", l.RequestsMemory)
	}
	for p, q := range map[string]*QuotaLimit{"spec.rancher.namespaceDefaultResourceQuota": r.NamespaceDefaultResourceQuota, "spec.rancher.resourceQuota": r.ResourceQuota} {
		if q != nil {
			quantity(es, p+".limitsCpu", q.LimitsCPU)
			quantity(es, p+".limitsMemory", q.LimitsMemory)
		}
	}
}

func validateDNS(es *Errors, s *Spec, clusters map[string]bool) {
	oneOf(es, "spec.dns.annotationPrefix", s.DNS.AnnotationPrefix, ExternalDNSAlpha, ExternalDNSGA)
	ec := s.DNS.EndpointCluster
	if ec == "" {
		return
	}
	if !clusters[ec] {
		es.add("spec.dns.endpointCluster", "unknown cluster %q", ec)
	}
	// One owner lists every cluster's address under each name: A and AAAA records can hold
	// many, but a CNAME stands alone.
	var hosts, ips []int
	for i, cl := range s.Clusters {
		switch {
		case cl.IngressAddress == "":
		case net.ParseIP(cl.IngressAddress) != nil:
			ips = append(ips, i)
		case lbName(cl.IngressAddress):
			hosts = append(hosts, i)
		}
	}
	if len(hosts) > 0 && len(hosts)+len(ips) > 1 {
		for _, i := range hosts {
			es.add(fmt.Sprintf("spec.clusters[%d].ingressAddress", i), "a hostname (CNAME) cannot share the ingress hosts' DNS names with other clusters' addresses (%s owns them): a CNAME stands alone; give the clusters IP addresses", ec)
		}
	}
}

// lbName tells whether a is a DNS name a load balancer could have: no wildcard, and a last
// label with a letter (80.158.54 is a mistyped address, not a name).
func lbName(a string) bool {
	last := a[strings.LastIndexByte(a, '.')+1:]
	return hostRe.MatchString(a) && !strings.HasPrefix(a, "*.") && len(a) <= 253 && strings.ContainsAny(last, "abcdefghijklmnopqrstuvwxyz")
}

func validateNamespaces(es *Errors, s *Spec) map[string]bool {
	known := map[string]bool{}
	for i, ns := range s.Namespaces {
		p := fmt.Sprintf("spec.namespaces[%d]", i)
		if !name(es, p+".name", ns.Name, dnsLabel) {
			continue
		}
		switch {
		case ns.Name == s.ControlPlane.Namespace:
			es.add(p+".name", "%q is the control-plane namespace; list only application namespaces", ns.Name)
		case known[ns.Name]:
			es.add(p+".name", "duplicate namespace %q", ns.Name)
		}
		known[ns.Name] = true
		labels(es, p+".labels", ns.Labels)
	}
	return known
}

func validateIssuers(es *Errors, s *Spec) map[string]bool {
	known := map[string]bool{}
	for i, is := range s.Issuers {
		p := fmt.Sprintf("spec.issuers[%d]", i)
		if name(es, p+".name", is.Name, dnsSubdomain) {
			if known[is.Name] {
				es.add(p+".name", "duplicate issuer %q", is.Name)
			}
			known[is.Name] = true
		}
		a := is.ACME
		if a == nil {
			es.add(p+".acme", "required (the only issuer type meshgen writes)")
			continue
		}
		if _, err := mail.ParseAddress(a.Email); a.Email == "" || err != nil || strings.ContainsAny(a.Email, "<> ") {
			es.add(p+".acme.email", "must be an e-mail address, got %q", a.Email)
		}
		httpsURL(es, p+".acme.server", a.Server)
		w := a.DNS01Webhook
		if w == nil {
			es.add(p+".acme.dns01Webhook", "required: the http-01 challenge does not work behind the Istio ingress gateway (its temporary Ingress is never routed)")
			continue
		}
		name(es, p+".acme.dns01Webhook.groupName", w.GroupName, dnsSubdomain)
		if w.SolverName == "" {
			es.add(p+".acme.dns01Webhook.solverName", "required")
		}
	}
	return known
}

func validateServices(es *Errors, s *Spec, clusters, namespaces, issuers map[string]bool) {
	seen := map[string]bool{}
	hosts := map[string]string{}
	for i, svc := range s.Services {
		p := fmt.Sprintf("spec.services[%d]", i)
		name(es, p+".name", svc.Name, dnsLabel)
		if name(es, p+".namespace", svc.Namespace, dnsLabel) && !namespaces[svc.Namespace] {
			es.add(p+".namespace", "namespace %q is not listed in spec.namespaces", svc.Namespace)
		}
		if id := svc.Namespace + "/" + svc.Name; seen[id] {
			es.add(p+".name", "duplicate service %q", id)
		} else {
			seen[id] = true
		}
		port(es, p+".port", svc.Port)
		oneOf(es, p+".protocol", svc.Protocol, Protocols...)
		validateVersions(es, p, svc.Versions, clusters)
		validateFailover(es, s, p+".failover", svc.Failover)
		for j, m := range svc.HTTP {
			validateMatch(es, fmt.Sprintf("%s.http[%d]", p, j), m)
		}
		if svc.Protocol == ProtocolTCP {
			if len(svc.HTTP) > 0 {
				es.add(p+".http", "a tcp service has no URI matches: its route is by port only")
			}
			if svc.Ingress != nil {
				es.add(p+".ingress", "the ingress Gateway serves HTTP and HTTPS; a tcp service cannot be exposed through it")
			}
		}
		if in := svc.Ingress; in != nil {
			if len(in.Hosts) == 0 {
				es.add(p+".ingress.hosts", "at least one host is required")
			}
			for j, h := range in.Hosts {
				hp := fmt.Sprintf("%s.ingress.hosts[%d]", p, j)
				if !hostRe.MatchString(h) || len(h) > 253 {
					es.add(hp, "must be a fully qualified DNS name (optionally *.domain), got %q", h)
				} else if other, dup := hosts[h]; dup {
					es.add(hp, "host %q is already served by %s: two services cannot share an ingress host", h, other)
				} else {
					hosts[h] = svc.Namespace + "/" + svc.Name
				}
			}
			if in.TLS != nil && !issuers[in.TLS.Issuer] {
				es.add(p+".ingress.tls.issuer", "unknown issuer %q (not in spec.issuers)", in.TLS.Issuer)
			}
		}
	}
}

func validateVersions(es *Errors, p string, vs []Version, clusters map[string]bool) {
	if len(vs) == 0 {
		es.add(p+".versions", "at least one version is required")
		return
	}
	sum := 0
	names := map[string]bool{}
	for j, v := range vs {
		vp := fmt.Sprintf("%s.versions[%d]", p, j)
		if name(es, vp+".name", v.Name, dnsLabel) {
			if names[v.Name] {
				es.add(vp+".name", "duplicate version %q", v.Name)
			}
			names[v.Name] = true
		}
		if v.Weight < 0 || v.Weight > 100 {
			es.add(vp+".weight", "must be between 0 and 100, got %d", v.Weight)
		}
		sum += v.Weight
		if len(v.Clusters) == 0 {
			es.add(vp+".clusters", "at least one cluster must run this version")
		}
		in := map[string]bool{}
		for k, c := range v.Clusters {
			cp := fmt.Sprintf("%s.clusters[%d]", vp, k)
			switch {
			case !clusters[c]:
				es.add(cp, "unknown cluster %q", c)
			case in[c]:
				es.add(cp, "duplicate cluster %q", c)
			}
			in[c] = true
		}
	}
	if sum != 100 {
		es.add(p+".versions", "weights must add up to 100, got %d", sum)
	}
}

func validateMatch(es *Errors, p string, m HTTPMatch) {
	n := 0
	for _, s := range []string{m.Exact, m.Prefix, m.Regex} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		es.add(p, "set exactly one of exact, prefix, regex")
		return
	}
	switch {
	case m.Exact != "" && !strings.HasPrefix(m.Exact, "/"):
		es.add(p+".exact", "must start with /, got %q", m.Exact)
	case m.Prefix != "" && !strings.HasPrefix(m.Prefix, "/"):
		es.add(p+".prefix", "must start with /, got %q", m.Prefix)
	case m.Regex != "":
		if _, err := regexp.Compile(m.Regex); err != nil {
			es.add(p+".regex", "not a valid RE2 expression: %v", err)
		}
	}
}

func validateCredentials(es *Errors, s *Spec, clusters map[string]bool, creds Credentials) {
	for _, c := range creds.sorted() {
		if !clusters[c.Cluster] {
			// Located in the Secret's own file: the MeshConfig is not where the mistake is.
			msg := fmt.Sprintf("credentials for unknown cluster %q", c.Cluster)
			if c.File == "" {
				msg = c.Source + ": " + msg
			}
			*es = append(*es, FieldError{File: c.File, Line: c.Line, Path: "metadata.annotations." + CredentialsAnnotation, Msg: msg})
		}
	}
	for i, cl := range s.Clusters {
		if ca := cl.APIServerCA; ca != "" && ca != APIServerCASystem {
			if err := ParseCABundle([]byte(ca)); err != nil {
				es.add(fmt.Sprintf("spec.clusters[%d].apiServerCA", i), "must be %q or a PEM bundle of certificates: %v", APIServerCASystem, err)
			}
		}
	}
	if s.RemoteSecrets.Mode != RemoteSecretsInline || len(s.Clusters) < 2 {
		return
	}
	for i, cl := range s.Clusters {
		if !s.Read(&cl) {
			continue // no istiod reads it: see Reads
		}
		p := fmt.Sprintf("spec.clusters[%d]", i)
		c, ok := creds[cl.Name]
		if !ok && cl.Name != "" {
			es.add(p, "no credentials for cluster %q: remote secrets need a Secret annotated %s: %s with a token (or set spec.remoteSecrets.mode: none)", cl.Name, CredentialsAnnotation, cl.Name)
			continue
		}
		switch {
		case cl.APIServerCA != "" && len(c.CA) > 0:
			es.add(p+".apiServerCA", "set, and %s has a ca.crt for cluster %q as well: keep one of them", c.Source, cl.Name)
		case cl.APIServerCA == "" && len(c.CA) == 0 && cl.Name != "":
			es.add(p+".apiServerCA", "required: the other clusters' istiod must know whom to trust for %s: a PEM bundle, %q for a certificate the system roots trust, or ca.crt in the credentials Secret of cluster %q", cl.APIServer, APIServerCASystem, cl.Name)
		}
	}
}

// ParseCABundle checks that b holds one or more PEM certificates and nothing else.
func ParseCABundle(b []byte) error {
	n := 0
	for rest := bytes.TrimSpace(b); len(rest) > 0; rest = bytes.TrimSpace(rest) {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		switch {
		case blk == nil:
			return fmt.Errorf("no PEM block at certificate %d", n+1)
		case blk.Type != "CERTIFICATE":
			return fmt.Errorf("block %d is a %q, not a CERTIFICATE", n+1, blk.Type)
		}
		if _, err := x509.ParseCertificate(blk.Bytes); err != nil {
			return fmt.Errorf("certificate %d: %v", n+1, err)
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("empty")
	}
	return nil
}

// Warnings are problems that do not stop generation but that the user should know of.
func Warnings(c *MeshConfig) Errors {
	var ws Errors
	var rancher []string
	for i, cl := range c.Spec.Clusters {
		if u, err := url.Parse(cl.APIServer); err == nil && strings.HasPrefix(u.Path, "/k8s/clusters/") && c.Spec.RemoteSecrets.Mode == RemoteSecretsInline && len(c.Spec.Clusters) > 1 {
			rancher = append(rancher, fmt.Sprintf("spec.clusters[%d].apiServer", i))
		}
	}
	if len(rancher) > 0 {
		msg := "a Rancher proxy URL%s: the remote secrets carry a Rancher API token, and Rancher's kubeconfig tokens expire (kubeconfig-default-token-ttl-minutes: 30 days by default since Rancher 2.8), and then the peers' istiod lose this cluster; use a token without expiry, or a reader ServiceAccount's token and the cluster's own API server"
		more := ""
		if len(rancher) > 1 {
			more = fmt.Sprintf(" (as are %d more clusters' apiServer)", len(rancher)-1)
		}
		ws = append(ws, FieldError{Path: rancher[0], Msg: fmt.Sprintf(msg, more)})
	}
	ws = append(ws, failoverWarnings(c)...)
	ws = append(ws, primaryWarnings(c)...)
	return ws
}

func name(es *Errors, p, v string, re *regexp.Regexp) bool {
	switch {
	case v == "":
		es.add(p, "required")
	case len(v) > 63 && re == dnsLabel, len(v) > 253:
		es.add(p, "too long (%d characters)", len(v))
	case !re.MatchString(v):
		what := "a DNS label (lower-case letters, digits and '-')"
		if re == dnsSubdomain {
			what = "a DNS subdomain (lower-case letters, digits, '-' and '.')"
		}
		es.add(p, "must be %s, got %q", what, v)
	default:
		return true
	}
	return false
}

func labels(es *Errors, p string, m map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		key := k
		if i := strings.LastIndexByte(k, '/'); i >= 0 {
			if !dnsSubdomain.MatchString(k[:i]) {
				es.add(p, "label key %q has an invalid prefix", k)
				continue
			}
			key = k[i+1:]
		}
		if !labelName.MatchString(key) || len(key) > 63 {
			es.add(p, "invalid label key %q", k)
		}
		if !labelValue.MatchString(v) || len(v) > 63 {
			es.add(p+"."+k, "invalid label value %q", v)
		}
	}
}

func resources(es *Errors, p string, r Resources) {
	quantity(es, p+".cpu", r.CPU)
	quantity(es, p+".memory", r.Memory)
}

func quantity(es *Errors, p, q string) {
	if _, err := resource.ParseQuantity(q); q != "" && err != nil {
		es.add(p, "must be a Kubernetes quantity like 100m or 128Mi, got %q", q)
	}
}

func port(es *Errors, p string, n int) {
	if n < 1 || n > 65535 {
		es.add(p, "must be a port between 1 and 65535, got %d", n)
	}
}

func oneOf(es *Errors, p, v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	es.add(p, "must be one of %s, got %q", strings.Join(allowed, ", "), v)
	return false
}

func httpsURL(es *Errors, p, v string) bool {
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		es.add(p, "must be an https:// URL with a host, got %q", v)
		return false
	}
	if ps := u.Port(); ps != "" {
		if n, err := strconv.Atoi(ps); err != nil || n < 1 || n > 65535 {
			es.add(p, "invalid port in %q", v)
			return false
		}
	}
	return true
}
