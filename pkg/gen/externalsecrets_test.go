package gen

import (
	"bytes"
	"encoding/base64"
	"reflect"
	"slices"
	"strings"
	"testing"
	"text/template"

	"sigs.k8s.io/yaml"

	"github.com/meshgen/meshgen/pkg/api"
)

// esInput is a three-cluster mesh whose remote secrets go through external-secrets: c0 trusts
// the CA from the store, c1 a PEM bundle of its own, c2 the system roots.
func esInput(t *testing.T) *api.Input {
	in := input(3)
	s := &in.Config.Spec
	s.RemoteSecrets = api.RemoteSecrets{Mode: api.RemoteSecretsExternalSecret, Store: &api.SecretStoreRef{Kind: api.ClusterSecretStore, Name: "vault"}, Key: "mesh/{cluster}/reader"}
	s.Clusters[0].APIServerCA = ""
	s.Clusters[1].APIServerCA = "-----BEGIN CERTIFICATE-----\nc1\n-----END CERTIFICATE-----\n"
	s.Clusters[2].APIServerCA = api.APIServerCASystem
	in.Creds = nil
	return in
}

// TestExternalSecrets: each cluster pushes its own reader token and CA to its own key, and
// has one ExternalSecret per peer (none for itself) that reads the peer's key and builds the
// Secret istiod reads: its name, label, annotation and, once external-secrets has filled in
// the template, the kubeconfig istioctl create-remote-secret writes. No object of the output
// carries a credential.
func TestExternalSecrets(t *testing.T) {
	in := esInput(t)
	objs := generate(in)
	if slices.ContainsFunc(objs, Object.Credentials) {
		t.Error("the output carries credentials")
	}
	store := storeRef{Kind: "ClusterSecretStore", Name: "vault"}
	for _, cl := range in.Config.Spec.Clusters {
		ps := find(objs, cl.Name, "PushSecret", "")
		if len(ps) != 1 || ps[0].APIVersion != "external-secrets.io/v1alpha1" || ps[0].Namespace != "istio-system" {
			t.Fatalf("%s: want one PushSecret external-secrets.io/v1alpha1 in istio-system, got %v", cl.Name, ps)
		}
		p := ps[0].Body.(*pushSecret).Spec
		key := "mesh/" + cl.Name + "/reader"
		wantData := []pushSecretData{
			{ConversionStrategy: "None", Match: pushMatch{SecretKey: "token", RemoteRef: pushRemoteRef{RemoteKey: key, Property: "token"}}},
			{ConversionStrategy: "None", Match: pushMatch{SecretKey: "ca.crt", RemoteRef: pushRemoteRef{RemoteKey: key, Property: "ca.crt"}}},
		}
		if p.Selector.Secret.Name != ReaderTokenSecret || !reflect.DeepEqual(p.Data, wantData) || !reflect.DeepEqual(p.SecretStoreRefs, []storeRef{store}) {
			t.Errorf("%s: PushSecret %s", cl.Name, js(t, p))
		}
		ess := find(objs, cl.Name, "ExternalSecret", "")
		if len(ess) != 2 {
			t.Fatalf("%s: want an ExternalSecret for each of the 2 peers, got %d", cl.Name, len(ess))
		}
		for _, o := range ess {
			peer := strings.TrimPrefix(o.Name, "istio-remote-secret-")
			if peer == cl.Name || o.APIVersion != "external-secrets.io/v1" {
				t.Errorf("%s: ExternalSecret %s %s", cl.Name, o.APIVersion, o.Name)
			}
			checkExternalSecret(t, cl.Name, peer, o.Body.(*externalSecret), in.Config)
		}
	}
}

func checkExternalSecret(t *testing.T, cluster, peer string, es *externalSecret, c *api.MeshConfig) {
	t.Helper()
	var p *api.Cluster
	for i := range c.Spec.Clusters {
		if c.Spec.Clusters[i].Name == peer {
			p = &c.Spec.Clusters[i]
		}
	}
	what := cluster + " ExternalSecret for " + peer
	s := es.Spec
	tm := s.Target.Template
	if s.Target.Name != "istio-remote-secret-"+peer || s.SecretStoreRef.Name != "vault" ||
		tm.Metadata.Labels["istio/multiCluster"] != "true" || tm.Metadata.Annotations["networking.istio.io/cluster"] != peer || len(tm.Data) != 1 {
		t.Fatalf("%s: %s", what, js(t, s))
	}
	// What external-secrets gives the template: the data entries, read from the peer's key.
	values := map[string]string{}
	for _, d := range s.Data {
		if d.RemoteRef.Key != "mesh/"+peer+"/reader" {
			t.Errorf("%s reads key %q", what, d.RemoteRef.Key)
		}
		values[d.SecretKey] = map[string]string{"token": "TOKEN-" + peer, "ca.crt": "CA-" + peer}[d.RemoteRef.Property]
	}
	tpl, err := template.New(peer).Funcs(template.FuncMap{"b64enc": func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }}).
		Option("missingkey=error").Parse(tm.Data[peer])
	if err != nil {
		t.Fatalf("%s: template: %v", what, err)
	}
	var out bytes.Buffer
	if err := tpl.Execute(&out, values); err != nil {
		t.Fatalf("%s: template: %v", what, err)
	}
	var kc kubeconfig
	if err := yaml.UnmarshalStrict(out.Bytes(), &kc); err != nil {
		t.Fatalf("%s: the filled-in kubeconfig does not parse: %v\n%s", what, err, out.Bytes())
	}
	wantCA := map[string]string{"": "CA-" + peer, api.APIServerCASystem: ""}[p.APIServerCA]
	if p.APIServerCA != "" && p.APIServerCA != api.APIServerCASystem {
		wantCA = p.APIServerCA
	}
	want := kubeconfig{
		APIVersion: "v1", Kind: "Config", CurrentContext: peer,
		Clusters: []namedCluster{{Name: peer, Cluster: kubeCluster{Server: p.APIServer, CertificateAuthorityData: []byte(wantCA)}}},
		Contexts: []namedContext{{Name: peer, Context: kubeContext{Cluster: peer, User: peer}}},
		Users:    []namedUser{{Name: peer, User: kubeUser{Token: "TOKEN-" + peer}}},
	}
	if wantCA == "" {
		want.Clusters[0].Cluster.CertificateAuthorityData = nil
	}
	if !reflect.DeepEqual(kc, want) {
		t.Errorf("%s: kubeconfig\n%s\nwant %s", what, js(t, kc), js(t, want))
	}
}
