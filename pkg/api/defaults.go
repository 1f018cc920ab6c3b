package api

// Defaults of the optional fields; the README's input reference lists the same values.
const (
	DefaultHub           = "docker.io/istio"
	DefaultProfile       = "default"
	DefaultNamespace     = "istio-system"
	DefaultProtocol      = "http"
	DefaultAPIServerPort = 6443
	// KubernetesServicePort is the in-cluster endpoint of the API server, the kubernetes Service.
	KubernetesServicePort = 443
)

// Default fills every optional field that has a default, so the generator never guesses.
func Default(c *MeshConfig) {
	s := &c.Spec
	if s.MeshID == "" {
		s.MeshID = c.Metadata.Name
	}
	if s.Istio.Hub == "" {
		s.Istio.Hub = DefaultHub
	}
	defaultDataplane(s)
	if s.Istio.Installer == "" {
		s.Istio.Installer = DefaultInstaller(s.Istio.Version)
	}
	defaultGitOps(s)
	if s.Istio.Profile == "" {
		s.Istio.Profile = DefaultProfile
	}
	if s.ControlPlane.Namespace == "" {
		s.ControlPlane.Namespace = DefaultNamespace
	}
	if s.Rancher != nil {
		if s.Rancher.DisplayName == "" {
			s.Rancher.DisplayName = s.Rancher.Project
		}
	}
	if s.RemoteSecrets.Mode == "" {
		s.RemoteSecrets.Mode = RemoteSecretsInline
	}
	if s.RemoteSecrets.Mode == RemoteSecretsExternalSecret && s.RemoteSecrets.Key == "" {
		s.RemoteSecrets.Key = DefaultStoreKey
	}
	if s.Trust.Mode == "" {
		s.Trust.Mode = TrustExternal
	}
	if s.NetworkPolicies.Enabled == nil {
		t := true
		s.NetworkPolicies.Enabled = &t
	}
	if len(s.NetworkPolicies.APIServerPorts) == 0 {
		s.NetworkPolicies.APIServerPorts = []int{KubernetesServicePort, DefaultAPIServerPort}
	}
	if s.DNS.EndpointCluster == "" {
		var addressed []string
		for _, cl := range s.Clusters {
			if cl.IngressAddress != "" {
				addressed = append(addressed, cl.Name)
			}
		}
		if len(addressed) > 1 {
			s.DNS.EndpointCluster = addressed[0]
		}
	}
	if s.DNS.AnnotationPrefix == "" {
		s.DNS.AnnotationPrefix = ExternalDNSAlpha
	}
	if s.Security.MTLS == "" {
		s.Security.MTLS = MTLSStrict
	}
	if s.Security.PodSecurity == "" {
		// The strictest level the sidecars pass: without CNI their istio-init container needs
		// NET_ADMIN and NET_RAW, which only privileged allows.
		s.Security.PodSecurity = PodSecurityPrivileged
		if s.Istio.CNI {
			s.Security.PodSecurity = PodSecurityBaseline
		}
	}
	for i := range s.Services {
		if s.Services[i].Protocol == "" {
			s.Services[i].Protocol = DefaultProtocol
		}
		if f := s.Services[i].Failover; f != nil && f.Priority == nil {
			f.Priority = append([]string(nil), DefaultFailoverPriority...)
		}
	}
}
