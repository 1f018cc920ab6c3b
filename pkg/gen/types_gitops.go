package gen

// Local types of the GitOps tools' objects (Argo CD, Flux, Fleet): only the fields meshgen
// writes, all omitempty but what the tools require. No Argo CD, Flux or Fleet Go module.

// argoproj.io/v1alpha1 Application.
type application struct {
	object `json:",inline"`
	Spec   applicationSpec `json:"spec"`
}

type applicationSpec struct {
	Project           string              `json:"project"`
	Source            appSource           `json:"source"`
	Destination       appDestination      `json:"destination"`
	SyncPolicy        *syncPolicy         `json:"syncPolicy,omitempty"`
	IgnoreDifferences []ignoreDifferences `json:"ignoreDifferences,omitempty"`
}

type appSource struct {
	RepoURL        string   `json:"repoURL"`
	TargetRevision string   `json:"targetRevision,omitempty"`
	Path           string   `json:"path,omitempty"`
	Chart          string   `json:"chart,omitempty"`
	Helm           *appHelm `json:"helm,omitempty"`
}

type appHelm struct {
	ReleaseName string `json:"releaseName,omitempty"`
	// ValuesObject is the release's values inline, the same value as its values file.
	ValuesObject any `json:"valuesObject,omitempty"`
}

// appDestination names the cluster (Name, as registered in Argo CD) or, for the hub itself,
// its API server (Server).
type appDestination struct {
	Name      string `json:"name,omitempty"`
	Server    string `json:"server,omitempty"`
	Namespace string `json:"namespace,omitempty"`
}

type syncPolicy struct {
	Automated   *automated `json:"automated,omitempty"`
	SyncOptions []string   `json:"syncOptions,omitempty"`
}

type automated struct {
	Prune    bool `json:"prune,omitempty"`
	SelfHeal bool `json:"selfHeal,omitempty"`
}

type ignoreDifferences struct {
	Group             string   `json:"group,omitempty"`
	Kind              string   `json:"kind"`
	JQPathExpressions []string `json:"jqPathExpressions,omitempty"`
}

// source.toolkit.fluxcd.io/v1 HelmRepository.
type helmRepository struct {
	object `json:",inline"`
	Spec   struct {
		Interval string `json:"interval"`
		URL      string `json:"url"`
	} `json:"spec"`
}

// helm.toolkit.fluxcd.io/v2 HelmRelease.
type fluxHelmRelease struct {
	object `json:",inline"`
	Spec   fluxHelmReleaseSpec `json:"spec"`
}

type fluxHelmReleaseSpec struct {
	Interval         string       `json:"interval"`
	ReleaseName      string       `json:"releaseName,omitempty"`
	TargetNamespace  string       `json:"targetNamespace,omitempty"`
	StorageNamespace string       `json:"storageNamespace,omitempty"`
	Chart            fluxChart    `json:"chart"`
	DependsOn        []fluxRef    `json:"dependsOn,omitempty"`
	Install          *fluxInstall `json:"install,omitempty"`
	Upgrade          *fluxUpgrade `json:"upgrade,omitempty"`
	Values           any          `json:"values,omitempty"`
}

type fluxChart struct {
	Spec struct {
		Chart     string  `json:"chart"`
		Version   string  `json:"version,omitempty"`
		SourceRef fluxRef `json:"sourceRef"`
	} `json:"spec"`
}

type fluxRef struct {
	Kind      string `json:"kind,omitempty"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

type fluxInstall struct {
	CRDs            string `json:"crds,omitempty"`
	CreateNamespace bool   `json:"createNamespace,omitempty"`
}

type fluxUpgrade struct {
	CRDs string `json:"crds,omitempty"`
}

// kustomize.toolkit.fluxcd.io/v1 Kustomization.
type fluxKustomization struct {
	object `json:",inline"`
	Spec   fluxKustomizationSpec `json:"spec"`
}

type fluxKustomizationSpec struct {
	Interval      string    `json:"interval"`
	RetryInterval string    `json:"retryInterval,omitempty"`
	Timeout       string    `json:"timeout,omitempty"`
	Path          string    `json:"path"`
	Prune         bool      `json:"prune"`
	Wait          bool      `json:"wait,omitempty"`
	SourceRef     fluxRef   `json:"sourceRef"`
	DependsOn     []fluxRef `json:"dependsOn,omitempty"`
}

// fleet.cattle.io/v1alpha1 GitRepo.
type gitRepo struct {
	object `json:",inline"`
	Spec   gitRepoSpec `json:"spec"`
}

type gitRepoSpec struct {
	Repo    string        `json:"repo"`
	Branch  string        `json:"branch,omitempty"`
	Paths   []string      `json:"paths,omitempty"`
	Targets []fleetTarget `json:"targets,omitempty"`
}

type fleetTarget struct {
	ClusterName string `json:"clusterName,omitempty"`
}

// fleet.yaml, the file that makes a folder a Fleet bundle: not an object.
type fleetYAML struct {
	DefaultNamespace string            `json:"defaultNamespace,omitempty"`
	Labels           map[string]string `json:"labels"`
	Helm             *fleetHelm        `json:"helm,omitempty"`
	DependsOn        []fleetDependency `json:"dependsOn,omitempty"`
}

type fleetHelm struct {
	Repo        string `json:"repo"`
	Chart       string `json:"chart"`
	Version     string `json:"version"`
	ReleaseName string `json:"releaseName"`
	Values      any    `json:"values,omitempty"`
}

type fleetDependency struct {
	Selector labelSelector `json:"selector"`
}
