package api

import (
	"testing"
)

// externalSecretConfig is the base config with remote secrets through external-secrets.
func externalSecretConfig(t *testing.T) *MeshConfig {
	c, _ := baseConfig(t)
	c.Spec.RemoteSecrets = RemoteSecrets{Mode: RemoteSecretsExternalSecret, Store: &SecretStoreRef{Kind: ClusterSecretStore, Name: "vault"}}
	c.Spec.Clusters[0].APIServer = "https://a.example.com:6443"
	c.Spec.Clusters[1].APIServerCA = ""
	Default(c)
	return c
}

func TestValidateExternalSecretBase(t *testing.T) {
	c := externalSecretConfig(t)
	if es := Validate(c, nil); es != nil {
		t.Fatalf("the externalSecret config must be valid without credentials: %v", es)
	}
	if c.Spec.RemoteSecrets.Key != DefaultStoreKey {
		t.Errorf("key defaults to %q, want %q", c.Spec.RemoteSecrets.Key, DefaultStoreKey)
	}
}

func TestValidateExternalSecret(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*MeshConfig) Credentials
		path   string
		msg    string
	}{
		{"store required", func(c *MeshConfig) Credentials { c.Spec.RemoteSecrets.Store = nil; return nil }, "spec.remoteSecrets.store", "required with mode externalSecret"},
		{"store kind", func(c *MeshConfig) Credentials { c.Spec.RemoteSecrets.Store.Kind = "Vault"; return nil }, "spec.remoteSecrets.store.kind", "must be one of ClusterSecretStore, SecretStore"},
		{"store name", func(c *MeshConfig) Credentials { c.Spec.RemoteSecrets.Store.Name = ""; return nil }, "spec.remoteSecrets.store.name", "required"},
		{"store name not DNS", func(c *MeshConfig) Credentials { c.Spec.RemoteSecrets.Store.Name = "My Vault"; return nil }, "spec.remoteSecrets.store.name", "DNS subdomain"},
		{"key without cluster", func(c *MeshConfig) Credentials { c.Spec.RemoteSecrets.Key = "meshgen/reader"; return nil }, "spec.remoteSecrets.key", "must contain {cluster}"},
		{"key with other placeholder", func(c *MeshConfig) Credentials { c.Spec.RemoteSecrets.Key = "{mesh}/{cluster}"; return nil }, "spec.remoteSecrets.key", "the only placeholder"},
		{"key with blank", func(c *MeshConfig) Credentials { c.Spec.RemoteSecrets.Key = "mesh gen/{cluster}"; return nil }, "spec.remoteSecrets.key", "no blanks"},
		{"apiServer required", func(c *MeshConfig) Credentials { c.Spec.Clusters[1].APIServer = ""; return nil }, "spec.clusters[1].apiServer", "required"},
		{"rancher proxy", func(c *MeshConfig) Credentials {
			c.Spec.Clusters[0].APIServer = "https://rancher.example.com/k8s/clusters/c-a"
			return nil
		}, "spec.clusters[0].apiServer", "Rancher proxy URL"},
		{"braces in apiServer", func(c *MeshConfig) Credentials {
			c.Spec.Clusters[0].APIServer = "https://a.example.com/{{x}}"
			return nil
		}, "spec.clusters[0].apiServer", "must not contain { or }"},
		{"credentials given", func(c *MeshConfig) Credentials {
			return Credentials{"a": {Cluster: "a", Token: "x", File: "creds.yaml", Line: 5}}
		}, "metadata.annotations." + CredentialsAnnotation, `credentials for cluster "a", but spec.remoteSecrets.mode externalSecret reads none`},
		{"store in inline mode", func(c *MeshConfig) Credentials {
			c.Spec.RemoteSecrets.Mode = RemoteSecretsInline
			c.Spec.RemoteSecrets.Key = ""
			return nil
		}, "spec.remoteSecrets.store", "only with mode externalSecret"},
		{"key in none mode", func(c *MeshConfig) Credentials {
			c.Spec.RemoteSecrets.Mode, c.Spec.RemoteSecrets.Store = RemoteSecretsNone, nil
			return nil
		}, "spec.remoteSecrets.key", "only with mode externalSecret"},
		{"mode typo", func(c *MeshConfig) Credentials { c.Spec.RemoteSecrets.Mode = "externalSecrets"; return nil }, "spec.remoteSecrets.mode", "must be one of externalSecret, inline, none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := externalSecretConfig(t)
			wantError(t, Validate(c, tt.mutate(c)), tt.path, tt.msg)
		})
	}
}
