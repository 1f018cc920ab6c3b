package gen

import "strings"

// Kind is one kind of object meshgen writes: a row of the table below. The table is the only
// place that knows a kind's group, version and scope; add stamps apiVersion and kind from it,
// Check holds every object to it and kinds_test.go holds the table to the examples' output.
// A new kind is a row here, a struct in types.go or kube.go, a builder file and one line in
// gen.each.
type Kind struct {
	Group string
	// Version is the API version; empty for Istio's networking and security kinds, whose
	// version the mesh's Istio release decides (v1 from 1.22, v1beta1 before).
	Version string
	Kind    string
	// Cluster is true for cluster-scoped kinds, which have no namespace.
	Cluster bool
	// Phase is the rollout phase of the kind's objects; a builder overrides it (addAt) where
	// one kind spans phases (a remote secret is a Secret of the gateways' phase).
	Phase Phase
}

// The kinds meshgen writes.
var (
	kNamespace          = &Kind{Version: "v1", Kind: "Namespace", Cluster: true, Phase: PhaseBase}
	kLimitRange         = &Kind{Version: "v1", Kind: "LimitRange", Phase: PhaseBase}
	kSecret             = &Kind{Version: "v1", Kind: "Secret", Phase: PhaseBase}
	kService            = &Kind{Version: "v1", Kind: "Service", Phase: PhaseTraffic}
	kNetworkPolicy      = &Kind{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy", Phase: PhaseBase}
	kProject            = &Kind{Group: "management.cattle.io", Version: "v3", Kind: "Project"}
	kIstioOperator      = &Kind{Group: "install.istio.io", Version: "v1alpha1", Kind: "IstioOperator", Phase: PhaseIstiod}
	kGateway            = &Kind{Group: "networking.istio.io", Kind: "Gateway", Phase: PhaseTraffic}
	kVirtualService     = &Kind{Group: "networking.istio.io", Kind: "VirtualService", Phase: PhaseTraffic}
	kDestinationRule    = &Kind{Group: "networking.istio.io", Kind: "DestinationRule", Phase: PhaseTraffic}
	kPeerAuthentication = &Kind{Group: "security.istio.io", Kind: "PeerAuthentication", Phase: PhaseTraffic}
	kCertificate        = &Kind{Group: "cert-manager.io", Version: "v1", Kind: "Certificate", Phase: PhaseTraffic}
	kClusterIssuer      = &Kind{Group: "cert-manager.io", Version: "v1", Kind: "ClusterIssuer", Cluster: true, Phase: PhaseTraffic}
	kDNSEndpoint        = &Kind{Group: "externaldns.k8s.io", Version: "v1alpha1", Kind: "DNSEndpoint", Phase: PhaseTraffic}
	kServiceAccount     = &Kind{Version: "v1", Kind: "ServiceAccount", Phase: PhaseBase}
	kClusterRole        = &Kind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole", Cluster: true, Phase: PhaseBase}
	kClusterRoleBinding = &Kind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRoleBinding", Cluster: true, Phase: PhaseBase}
	kPushSecret         = &Kind{Group: externalSecrets, Version: "v1alpha1", Kind: "PushSecret", Phase: PhaseGateways}
	kExternalSecret     = &Kind{Group: externalSecrets, Version: "v1", Kind: "ExternalSecret", Phase: PhaseGateways}
	kK8sGateway         = &Kind{Group: gatewayAPI, Version: "v1", Kind: "Gateway", Phase: PhaseGateways}
	kHTTPRoute          = &Kind{Group: gatewayAPI, Version: "v1", Kind: "HTTPRoute", Phase: PhaseTraffic}
	kSailIstio          = &Kind{Group: "sailoperator.io", Version: "v1", Kind: "Istio", Cluster: true, Phase: PhaseIstiod}
	kSailIstioCNI       = &Kind{Group: "sailoperator.io", Version: "v1", Kind: "IstioCNI", Cluster: true, Phase: PhaseIstiod}
	kSailRevisionTag    = &Kind{Group: "sailoperator.io", Version: "v1", Kind: "IstioRevisionTag", Cluster: true, Phase: PhaseIstiod}
	// The GitOps tools' own objects (gitops*.go): in a hub folder or a cluster's flux/, no phase.
	kApplication       = &Kind{Group: "argoproj.io", Version: "v1alpha1", Kind: "Application"}
	kHelmRepository    = &Kind{Group: "source.toolkit.fluxcd.io", Version: "v1", Kind: "HelmRepository"}
	kHelmRelease       = &Kind{Group: "helm.toolkit.fluxcd.io", Version: "v2", Kind: "HelmRelease"}
	kFluxKustomization = &Kind{Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Kind: "Kustomization"}
	kGitRepo           = &Kind{Group: "fleet.cattle.io", Version: "v1alpha1", Kind: "GitRepo"}
)

// gatewayAPI is the Kubernetes Gateway API's group (the ambient data plane's kinds).
const gatewayAPI = "gateway.networking.k8s.io"

// Kinds is the table, in no particular order.
var Kinds = []*Kind{
	kNamespace, kLimitRange, kSecret, kService, kNetworkPolicy, kProject, kIstioOperator,
	kGateway, kVirtualService, kDestinationRule, kPeerAuthentication, kCertificate, kClusterIssuer,
	kDNSEndpoint, kServiceAccount, kClusterRole, kClusterRoleBinding, kPushSecret, kExternalSecret,
	kK8sGateway, kHTTPRoute,
	kSailIstio, kSailIstioCNI, kSailRevisionTag,
	kApplication, kHelmRepository, kHelmRelease, kFluxKustomization, kGitRepo,
}

// kindByName finds a row by group and kind: two groups have a Gateway (Istio's, the Gateway
// API's).
var kindByName = func() map[[2]string]*Kind {
	m := make(map[[2]string]*Kind, len(Kinds))
	for _, k := range Kinds {
		m[[2]string{k.Group, k.Kind}] = k
	}
	return m
}()

// kindOf is the row of an object's apiVersion and kind, nil if none.
func kindOf(apiVersion, kind string) *Kind {
	group, _, _ := strings.Cut(apiVersion, "/")
	if !strings.Contains(apiVersion, "/") {
		group = ""
	}
	return kindByName[[2]string{group, kind}]
}

// APIVersion is the kind's apiVersion for a mesh whose Istio networking API is istioVersion.
func (k *Kind) APIVersion(istioVersion string) string {
	v := k.Version
	if v == "" {
		v = istioVersion
	}
	if k.Group == "" {
		return v
	}
	return k.Group + "/" + v
}
