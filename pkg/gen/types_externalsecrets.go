package gen

// Local types of external-secrets' kinds (externalsecrets.go), the fields meshgen writes, held
// to external-secrets' CRDs by the API server test, which applies the output with strict field
// validation.

// external-secrets.io/v1alpha1 PushSecret.
type pushSecret struct {
	object `json:",inline"`
	Spec   pushSecretSpec `json:"spec"`
}

type pushSecretSpec struct {
	RefreshInterval string           `json:"refreshInterval,omitempty"`
	UpdatePolicy    string           `json:"updatePolicy,omitempty"`
	DeletionPolicy  string           `json:"deletionPolicy,omitempty"`
	SecretStoreRefs []storeRef       `json:"secretStoreRefs"`
	Selector        pushSelector     `json:"selector"`
	Data            []pushSecretData `json:"data"`
}

type storeRef struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

type pushSelector struct {
	Secret secretRef `json:"secret"`
}

// The strategies are the CRD's defaults, written out: the API server fills them into the list
// items, and client-side apply, which replaces a custom resource's lists whole, would then
// find every re-apply a change.
type pushSecretData struct {
	ConversionStrategy string    `json:"conversionStrategy,omitempty"`
	Match              pushMatch `json:"match"`
}

type pushMatch struct {
	SecretKey string        `json:"secretKey"`
	RemoteRef pushRemoteRef `json:"remoteRef"`
}

type pushRemoteRef struct {
	RemoteKey string `json:"remoteKey"`
	Property  string `json:"property,omitempty"`
}

// external-secrets.io/v1 ExternalSecret.
type externalSecret struct {
	object `json:",inline"`
	Spec   externalSecretSpec `json:"spec"`
}

type externalSecretSpec struct {
	RefreshInterval string               `json:"refreshInterval,omitempty"`
	SecretStoreRef  storeRef             `json:"secretStoreRef"`
	Target          externalSecretTarget `json:"target"`
	Data            []externalSecretData `json:"data"`
}

type externalSecretTarget struct {
	Name           string         `json:"name"`
	CreationPolicy string         `json:"creationPolicy,omitempty"`
	DeletionPolicy string         `json:"deletionPolicy,omitempty"`
	Template       secretTemplate `json:"template"`
}

type secretTemplate struct {
	Type          string            `json:"type,omitempty"`
	EngineVersion string            `json:"engineVersion,omitempty"`
	Metadata      templateMetadata  `json:"metadata"`
	Data          map[string]string `json:"data"`
}

type templateMetadata struct {
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type externalSecretData struct {
	SecretKey string    `json:"secretKey"`
	RemoteRef remoteRef `json:"remoteRef"`
}

// remoteRef carries the CRD's defaults too (see pushSecretData).
type remoteRef struct {
	Key                string `json:"key"`
	Property           string `json:"property,omitempty"`
	ConversionStrategy string `json:"conversionStrategy,omitempty"`
	DecodingStrategy   string `json:"decodingStrategy,omitempty"`
	MetadataPolicy     string `json:"metadataPolicy,omitempty"`
}

// kubeconfigTpl is kubeconfig with the CA as text: a template action, or base64 written here.
type kubeconfigTpl struct {
	APIVersion     string            `json:"apiVersion"`
	Kind           string            `json:"kind"`
	Clusters       []namedClusterTpl `json:"clusters"`
	Contexts       []namedContext    `json:"contexts"`
	CurrentContext string            `json:"current-context"`
	Preferences    struct{}          `json:"preferences"`
	Users          []namedUser       `json:"users"`
}

type namedClusterTpl struct {
	Name    string     `json:"name"`
	Cluster clusterTpl `json:"cluster"`
}

type clusterTpl struct {
	Server                   string `json:"server"`
	CertificateAuthorityData string `json:"certificate-authority-data,omitempty"`
}
