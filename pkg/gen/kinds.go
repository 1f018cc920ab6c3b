package gen

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
}

// The kinds meshgen writes.
var (
	kNamespace          = &Kind{Version: "v1", Kind: "Namespace", Cluster: true}
	kLimitRange         = &Kind{Version: "v1", Kind: "LimitRange"}
	kSecret             = &Kind{Version: "v1", Kind: "Secret"}
	kService            = &Kind{Version: "v1", Kind: "Service"}
	kNetworkPolicy      = &Kind{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"}
	kProject            = &Kind{Group: "management.cattle.io", Version: "v3", Kind: "Project"}
	kIstioOperator      = &Kind{Group: "install.istio.io", Version: "v1alpha1", Kind: "IstioOperator"}
	kGateway            = &Kind{Group: "networking.istio.io", Kind: "Gateway"}
	kVirtualService     = &Kind{Group: "networking.istio.io", Kind: "VirtualService"}
	kDestinationRule    = &Kind{Group: "networking.istio.io", Kind: "DestinationRule"}
	kPeerAuthentication = &Kind{Group: "security.istio.io", Kind: "PeerAuthentication"}
	kCertificate        = &Kind{Group: "cert-manager.io", Version: "v1", Kind: "Certificate"}
	kClusterIssuer      = &Kind{Group: "cert-manager.io", Version: "v1", Kind: "ClusterIssuer", Cluster: true}
	kDNSEndpoint        = &Kind{Group: "externaldns.k8s.io", Version: "v1alpha1", Kind: "DNSEndpoint"}
	kServiceAccount     = &Kind{Version: "v1", Kind: "ServiceAccount"}
	kClusterRole        = &Kind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole", Cluster: true}
	kClusterRoleBinding = &Kind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRoleBinding", Cluster: true}
	kPushSecret         = &Kind{Group: externalSecrets, Version: "v1alpha1", Kind: "PushSecret"}
	kExternalSecret     = &Kind{Group: externalSecrets, Version: "v1", Kind: "ExternalSecret"}
)

// Kinds is the table, in no particular order.
var Kinds = []*Kind{
	kNamespace, kLimitRange, kSecret, kService, kNetworkPolicy, kProject, kIstioOperator,
	kGateway, kVirtualService, kDestinationRule, kPeerAuthentication, kCertificate, kClusterIssuer,
	kDNSEndpoint, kServiceAccount, kClusterRole, kClusterRoleBinding, kPushSecret, kExternalSecret,
}

var kindByName = func() map[string]*Kind {
	m := make(map[string]*Kind, len(Kinds))
	for _, k := range Kinds {
		m[k.Kind] = k
	}
	return m
}()

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
