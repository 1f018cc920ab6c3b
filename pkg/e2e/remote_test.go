package e2e

// Primary-remote in the installers' own rendering: a remote's istiod release installs no
// istiod but the Service istiod with the primary's east-west address behind it and the
// injection webhook with the remote's cluster and network.

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// remoteOf is the primary a cluster folder's control-plane namespace names, "" for a primary.
func remoteOf(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(objectFile(dir, "namespace_istio-system.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`topology.istio.io/controlPlaneClusters: (\S+)`).FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return ""
}

// exposesIstiod tells whether a cluster folder holds the expose-istiod Gateway.
func exposesIstiod(dir string) bool {
	_, err := os.Stat(objectFile(dir, "istio-system_gateway_istiod-gateway.yaml"))
	return err == nil
}

// checkHelmRemote checks a remote's rendered istiod release: no istiod Deployment, the
// primary's east-west address as istiod's endpoint, the webhook's path with the remote's
// cluster and network.
func checkHelmRemote(t *testing.T, where, istiod, cluster, network, address string) {
	t.Helper()
	if istiodDeployment(istiod) {
		t.Errorf("%s: a remote's istiod release installs a Deployment", where)
	}
	for what, re := range map[string]string{
		"the primary's address " + address: `(?m)^\s*- "?` + regexp.QuoteMeta(address) + `"?$|externalName: "?` + regexp.QuoteMeta(address),
		"the injection path":               `path: "?/inject/cluster/` + regexp.QuoteMeta(cluster) + `/net/` + regexp.QuoteMeta(network) + `"?\n`,
	} {
		if !regexp.MustCompile(re).MatchString(istiod) {
			t.Errorf("%s: the rendered remote istiod release lacks %s", where, what)
		}
	}
}

// TestIstioctlRemote renders the primary-remote example with the IstioOperator installers
// (istioctl at the example's release, operator at 1.22) and has the real istioctl generate
// each installation: the remote's has no istiod, its istiod Service's endpoint is the
// primary's east-west address and its webhook the remote's injection path; the primary's
// istiod runs with EXTERNAL_ISTIOD.
func TestIstioctlRemote(t *testing.T) {
	istioctl := tool(t, "istioctl")
	src, err := os.ReadFile(filepath.Join(repo, "examples", "primary-remote", "mesh.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	creds := filepath.Join(repo, "examples", "primary-remote", "credentials.yaml")
	cfg := exampleConfig(t, "primary-remote")
	for _, form := range []struct{ installer, version, glob string }{
		{"istioctl", cfg.Spec.Istio.Version, "istioctl/branch.yaml"},
		{"operator", "1.22.3", "istio-system_istiooperator_branch.yaml"},
	} {
		t.Run(form.installer, func(t *testing.T) {
			dir := t.TempDir()
			mesh := regexp.MustCompile(`(?m)^    version: \S+$`).ReplaceAllString(string(src),
				"    version: "+form.version+"\n    installer: "+form.installer)
			in := filepath.Join(dir, "mesh.yaml")
			if err := os.WriteFile(in, []byte(mesh), 0o600); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out")
			if _, stderr, code := run(t, dir, nil, meshgen(t), "render", "-o", out, in, creds); code != 0 {
				t.Fatalf("meshgen render: exit %d\n%s", code, stderr)
			}
			for _, cl := range cfg.Spec.Clusters {
				f := filepath.Join(out, cl.Name, form.glob) // a file for istioctl, or an object in its phase
				if !strings.Contains(form.glob, "/") {
					f = objectFile(filepath.Join(out, cl.Name), form.glob)
				}
				stdout, stderr, code := run(t, out, nil, istioctl, "manifest", "generate", "-f", f)
				if code != 0 {
					t.Fatalf("%s: istioctl manifest generate: exit %d\n%s", cl.Name, code, stderr)
				}
				deployment := istiodDeployment(stdout)
				external := regexp.MustCompile(`- name: EXTERNAL_ISTIOD\s+value: "?true"?`).MatchString(stdout)
				switch {
				case cl.Remote():
					checkHelmRemote(t, cl.Name, stdout, cl.Name, cl.Network, cfg.Spec.Cluster(cl.Primary).EastWestAddress)
				case len(cfg.Spec.Remotes(&cl)) > 0:
					if !deployment || !external {
						t.Errorf("%s: a primary with remotes: istiod Deployment %v, EXTERNAL_ISTIOD %v", cl.Name, deployment, external)
					}
				default:
					if !deployment || external {
						t.Errorf("%s: a primary without remotes: istiod Deployment %v, EXTERNAL_ISTIOD %v", cl.Name, deployment, external)
					}
				}
			}
		})
	}
}

// istiodDeployment tells whether a rendered installation has a Deployment of istiod.
func istiodDeployment(manifests string) bool {
	for _, d := range strings.Split(manifests, "\n---") {
		if regexp.MustCompile(`(?m)^kind: Deployment$`).MatchString(d) && regexp.MustCompile(`(?m)^  name: istiod(-\S+)?$`).MatchString(d) {
			return true
		}
	}
	return false
}
