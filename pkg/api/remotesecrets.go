package api

import (
	"fmt"
	"net/url"
	"strings"
)

// validateExternalSecrets checks the remote secrets that external-secrets builds: a store to
// go through, a key pattern that gives each cluster its own key, API servers a ServiceAccount
// token can authenticate to, and no credentials in the input, which this mode never reads.
func validateExternalSecrets(es *Errors, s *Spec, creds Credentials) {
	rs := &s.RemoteSecrets
	p := "spec.remoteSecrets"
	if rs.Mode != RemoteSecretsExternalSecret {
		if rs.Store != nil {
			es.add(p+".store", "only with mode %s (mode is %q)", RemoteSecretsExternalSecret, rs.Mode)
		}
		if rs.Key != "" {
			es.add(p+".key", "only with mode %s (mode is %q)", RemoteSecretsExternalSecret, rs.Mode)
		}
		return
	}
	if rs.Store == nil {
		es.add(p+".store", "required with mode %s: the external-secrets store (kind %s or %s, and name) that carries the reader tokens", RemoteSecretsExternalSecret, ClusterSecretStore, SecretStore)
	} else {
		oneOf(es, p+".store.kind", rs.Store.Kind, ClusterSecretStore, SecretStore)
		name(es, p+".store.name", rs.Store.Name, dnsSubdomain)
	}
	switch k := rs.Key; {
	case !strings.Contains(k, ClusterPlaceholder):
		es.add(p+".key", "must contain %s, or every cluster pushes its token to the same key and the last one wins, got %q", ClusterPlaceholder, k)
	case strings.ContainsAny(strings.ReplaceAll(k, ClusterPlaceholder, ""), "{} \t\n"):
		es.add(p+".key", "%s is the only placeholder, and a key has no blanks, got %q", ClusterPlaceholder, k)
	}
	if len(s.Clusters) < 2 {
		return
	}
	for i, cl := range s.Clusters {
		u, err := url.Parse(cl.APIServer)
		if err != nil || cl.APIServer == "" {
			continue // validateClusters says what is wrong
		}
		if strings.HasPrefix(u.Path, "/k8s/clusters/") {
			es.add(fmt.Sprintf("spec.clusters[%d].apiServer", i), "a Rancher proxy URL: it takes Rancher's tokens, not the cluster's own ServiceAccount token that mode %s carries; give the cluster's own API server", RemoteSecretsExternalSecret)
		}
		if strings.ContainsAny(cl.APIServer, "{}") {
			es.add(fmt.Sprintf("spec.clusters[%d].apiServer", i), "must not contain { or }: it goes into an external-secrets template")
		}
	}
	for _, c := range creds.sorted() {
		msg := fmt.Sprintf("credentials for cluster %q, but spec.remoteSecrets.mode %s reads none: each cluster's own reader token goes through the store; remove the Secret (and keep tokens out of Git)", c.Cluster, RemoteSecretsExternalSecret)
		if c.File == "" {
			msg = c.Source + ": " + msg
		}
		*es = append(*es, FieldError{File: c.File, Line: c.Line, Path: "metadata.annotations." + CredentialsAnnotation, Msg: msg})
	}
}
