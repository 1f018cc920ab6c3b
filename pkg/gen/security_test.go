package gen

import (
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// TestPeerAuthentication: every cluster gets a mesh-wide PeerAuthentication in the
// control-plane namespace, STRICT unless the MeshConfig says otherwise, in the API version of
// the mesh's Istio release; none with mtls: none.
func TestPeerAuthentication(t *testing.T) {
	for _, tt := range []struct{ mtls, version, apiVersion, mode string }{
		{"strict", "1.12.0", "security.istio.io/v1beta1", "STRICT"},
		{"strict", "1.24.2", "security.istio.io/v1", "STRICT"},
		{"permissive", "1.24.2", "security.istio.io/v1", "PERMISSIVE"},
		{"none", "1.24.2", "", ""},
	} {
		in := input(2)
		in.Config.Spec.Istio.Version = tt.version
		in.Config.Spec.Security.MTLS = tt.mtls
		objs := generate(in)
		for _, cl := range []string{"c0", "c1"} {
			pas := find(objs, cl, "PeerAuthentication", "")
			if tt.mode == "" {
				if len(pas) != 0 {
					t.Errorf("%s %s: want none, got %d", tt.mtls, cl, len(pas))
				}
				continue
			}
			if len(pas) != 1 || pas[0].Namespace != "istio-system" || pas[0].Name != "default" || pas[0].APIVersion != tt.apiVersion {
				t.Fatalf("%s %s %s: %v", tt.mtls, tt.version, cl, pas)
			}
			b := js(t, pas[0].Body)
			if !strings.Contains(b, `"spec":{"mtls":{"mode":"`+tt.mode+`"}}`) || strings.Contains(b, "selector") {
				t.Errorf("%s: %s", tt.mtls, b)
			}
		}
	}
}

// TestPodSecurityAndCNI: the application namespaces carry the Pod Security level; with CNI the
// control plane installs the CNI node agent and its namespace is privileged.
func TestPodSecurityAndCNI(t *testing.T) {
	in := input(2)
	objs := generate(in)
	app := find(objs, "c0", "Namespace", "app")[0].Body.(*namespace)
	if app.Labels[podSecurityEnforce] != api.PodSecurityPrivileged {
		t.Errorf("without CNI: app namespace labels %v", app.Labels)
	}
	if cp := find(objs, "c0", "Namespace", "istio-system")[0].Body.(*namespace); cp.Labels[podSecurityEnforce] != "" {
		t.Errorf("without CNI the control-plane namespace gets no level: %v", cp.Labels)
	}
	if s := js(t, find(objs, "c0", "IstioOperator", "m")[0].Body); strings.Contains(s, "cni") {
		t.Errorf("without CNI: %s", s)
	}

	in.Config.Spec.Istio.CNI = true
	in.Config.Spec.Security.PodSecurity = api.PodSecurityRestricted
	objs = generate(in)
	app = find(objs, "c0", "Namespace", "app")[0].Body.(*namespace)
	if app.Labels[podSecurityEnforce] != api.PodSecurityRestricted {
		t.Errorf("with CNI: app namespace labels %v", app.Labels)
	}
	if cp := find(objs, "c0", "Namespace", "istio-system")[0].Body.(*namespace); cp.Labels[podSecurityEnforce] != api.PodSecurityPrivileged {
		t.Errorf("the CNI agent's namespace must be privileged: %v", cp.Labels)
	}
	if s := js(t, find(objs, "c0", "IstioOperator", "m")[0].Body); !strings.Contains(s, `"components":{"cni":{"enabled":true,"namespace":"istio-system"}}`) {
		t.Errorf("with CNI: %s", s)
	}
}
