package e2e

// The live mesh test (issue 13): per cluster of a mesh a real kube-apiserver on loopback and
// a real istiod (pilot-discovery of the pinned Istio) reading meshgen's output, and the
// checks of live_checks_test.go asked of each istiod the way a sidecar or gateway asks. It
// proves the control plane's view; there is no data plane (no Envoy, no packets).

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshgen/meshgen/pkg/api"
	k8syaml "sigs.k8s.io/yaml"
)

// liveSkip skips on the explicit opt-outs, loudly.
func liveSkip(t *testing.T) {
	t.Helper()
	for _, v := range []string{"MESHGEN_SKIP_LIVE", "MESHGEN_SKIP_E2E"} {
		if os.Getenv(v) == "1" {
			t.Skipf("%s=1: skipping the live mesh test (kube-apiserver, etcd and istiod per cluster)", v)
		}
	}
}

// TestLiveMesh runs the live checks and the negative controls for every example mesh.
func TestLiveMesh(t *testing.T) {
	liveSkip(t)
	for _, ex := range exampleMeshes(t) {
		t.Run(ex, func(t *testing.T) {
			m := startMesh(t, filepath.Join(repo, "examples", ex, "mesh.yaml"))
			rs := m.holds(t, os.Stdout)
			if t.Failed() {
				return
			}
			m.controls(t, rs)
		})
	}
}

// TestLiveMeshFile is `make live MESH=path/to/mesh.yaml`: the checks on any MeshConfig, one
// line each and a summary, also written to $MESHGEN_LIVE_REPORT.
func TestLiveMeshFile(t *testing.T) {
	mesh := os.Getenv("MESHGEN_LIVE_MESH")
	if mesh == "" {
		t.Skip("MESHGEN_LIVE_MESH is not set: make live MESH=path/to/mesh.yaml runs this")
	}
	liveSkip(t)
	out := os.Stdout
	if p := os.Getenv("MESHGEN_LIVE_REPORT"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		out = f
	}
	start := time.Now()
	m := startMesh(t, mesh)
	m.holds(t, out)
	t.Logf("live mesh %s: %v", mesh, time.Since(start).Round(time.Second))
}

// holds polls until every check holds (or the deadline), prints one line per check and the
// summary, and fails the test for each check that does not hold.
func (m *liveMesh) holds(t *testing.T, w *os.File) []result {
	t.Helper()
	rs, _ := m.poll(settleTimeout, allHold)
	n := 0
	for _, r := range rs {
		fmt.Fprintln(w, r)
		if r.ok {
			n++
		} else {
			t.Error(r)
		}
	}
	if note := m.localityNote(); note != "" {
		fmt.Fprintln(w, note)
	}
	fmt.Fprintf(w, "live mesh: %d/%d checks hold\n", n, len(rs))
	if !allHold(rs) {
		for _, c := range m.clusters {
			t.Logf("istiod %s log tail:\n%s", c.name, logTail(m.istiod[c.name].log, 30))
		}
	}
	return rs
}

// control is a negative control: a change to one cluster that must make the check it
// targets fail there, and the change undone.
type control struct {
	name    string
	check   int
	cluster string // where the check must fail
	in      string // and for what: a part of the check's description
	apply   func(t *testing.T)
	undo    func(t *testing.T)
}

// controls runs each negative control: the targeted check must fail in the targeted
// cluster, and after the undo every check holds again.
func (m *liveMesh) controls(t *testing.T, _ []result) {
	for _, c := range m.negativeControls(t) {
		t.Run("control/"+c.name, func(t *testing.T) {
			c.apply(t)
			rs, failed := m.poll(settleTimeout, func(rs []result) bool {
				for _, r := range rs {
					if r.check == c.check && r.cluster == c.cluster && strings.Contains(r.what, c.in) && !r.ok {
						return true
					}
				}
				return false
			})
			if !failed {
				t.Errorf("check %d still holds in %s after %s", c.check, c.cluster, c.name)
			}
			for _, r := range rs {
				if r.check == c.check && r.cluster == c.cluster && strings.Contains(r.what, c.in) && !r.ok {
					fmt.Printf("control %q fails as it must: %s\n", c.name, r)
				}
			}
			c.undo(t)
			if rs, ok := m.poll(settleTimeout, allHold); !ok {
				for _, r := range rs {
					if !r.ok {
						t.Errorf("after undoing %s: %s", c.name, r)
					}
				}
			}
		})
	}
}

// negativeControls picks, from the MeshConfig, a cluster A and a peer B whose versions A
// reaches through B's east-west gateway, and a service with two weighted versions.
func (m *liveMesh) negativeControls(t *testing.T) []control {
	t.Helper()
	a := m.clusters[0]
	var b *liveCluster
	for _, c := range m.clusters[1:] {
		for _, s := range m.cfg.Spec.Services {
			for _, v := range s.Versions {
				if b == nil && contains(v.Clusters, c.name) {
					b = c
				}
			}
		}
	}
	b = m.controlPeer(a, b)
	var cs []control
	if b != nil && m.remoteSecrets() {
		// From the API server: meshgen, the played user or the played external-secrets made it.
		secret := m.clusterRemoteSecret(t, a, b.name)
		reapply := func(t *testing.T) { a.mustKubectl(t, nil, "apply", "--server-side=false", "-f", secret.file) }
		cs = append(cs, control{
			name: "remote secret for " + b.name + " removed in " + a.name, check: checkEndpoints, cluster: a.name, in: "a sidecar",
			apply: func(t *testing.T) {
				a.mustKubectl(t, nil, "delete", "secret", secret.obj.name(), "-n", secret.obj.str("metadata", "namespace"))
			},
			undo: reapply,
		}, control{
			name: "ca.crt replaced in " + a.name + "'s remote secret for " + b.name, check: checkSync, cluster: a.name,
			apply: func(t *testing.T) {
				a.mustKubectl(t, replaceCA(t, secret.obj, otherCA(t)), "apply", "--server-side=false", "-f", "-")
			},
			undo: reapply,
		})
	} else {
		fmt.Println("controls: remote secret removed, ca.crt replaced: not applicable (no peer runs a version, or remoteSecrets.mode none)")
	}
	if b != nil && m.remoteSecrets() && !m.cfg.Spec.MultiNetwork() {
		// istiod filters endpoints by network only when the mesh has network gateways: on
		// one network a pod's network label changes nothing it sends.
		fmt.Println("control: network label of the peer's pods changed: not applicable (one network, no east-west gateway: istiod ignores the label)")
	}
	if b != nil && m.remoteSecrets() && m.cfg.Spec.MultiNetwork() {
		// The injector labels every pod with the installation's network; istiod places an
		// endpoint by that label before the namespace's. Relabelling the peer's pods is what
		// a peer installed with the wrong network looks like: on another network, the first
		// cluster's (its versions show at their pod IPs instead of its gateway); on the same
		// network, one of their own that no gateway reaches (its versions vanish).
		wrong := m.network(a.name)
		if wrong == m.network(b.name) {
			wrong += "-elsewhere"
		}
		relabel := func(t *testing.T, network func(ns string) string) {
			for _, ns := range m.clientNamespaces() {
				b.mustKubectl(t, nil, "label", "pods", "--all", "-n", ns, "--overwrite", "topology.istio.io/network="+network(ns))
			}
		}
		cs = append(cs, control{
			name: "network label of " + b.name + "'s pods changed to " + wrong, check: checkEndpoints, cluster: a.name, in: "a sidecar",
			apply: func(t *testing.T) { relabel(t, func(string) string { return wrong }) },
			undo:  func(t *testing.T) { relabel(t, func(ns string) string { return m.client[b.name+"/"+ns].network }) },
		})
	}
	trusted := m.clusters[len(m.clusters)-1]
	if b != nil {
		trusted = m.configCluster(b) // a cluster with an istiod
	}
	if mount, ok := m.inst[trusted.name].secretMounts["cacerts"]; ok {
		cs = append(cs, control{
			name: "cacerts of " + trusted.name + " under another root", check: checkTrust, cluster: trusted.name,
			apply: func(t *testing.T) {
				m.restartIstiod(t, trusted, func(dir string) { foreignCACerts(t, filepath.Join(dir, mount)) })
			},
			undo: func(t *testing.T) {
				m.restartIstiod(t, trusted, func(dir string) { m.playKubelet(t, trusted, dir) })
			},
		})
	} else {
		fmt.Println("control: cacerts under another root: not applicable (istiod mounts no Secret cacerts)")
	}
	if b != nil && m.cfg.Spec.MultiNetwork() {
		// The Gateway that b's east-west gateway gets: its own, or its primary's for a remote.
		gc := m.configCluster(b)
		gw := m.outputFile(t, gc.name, func(o object) bool {
			return o.kind() == "Gateway" && strings.Contains(fmt.Sprint(o.get("spec", "servers")), "AUTO_PASSTHROUGH")
		})
		cs = append(cs, control{
			name: "cross-network Gateway removed in " + gc.name, check: checkEndpoints, cluster: b.name, in: "east-west",
			apply: func(t *testing.T) {
				gc.mustKubectl(t, nil, "delete", "-f", gw.file)
			},
			undo: func(t *testing.T) { gc.mustKubectl(t, nil, "apply", "--server-side=false", "-f", gw.file) },
		})
	}
	// A weight changed in one cluster: in the mesh's VirtualService (what sidecars get) and
	// in the ingress one (what the ingress gateway gets), for the first service where a
	// changed weight shows (two weighted versions). The check must fail for that service's
	// host, not for another service of the same name.
	for _, w := range []struct {
		what string
		in   func(api.Service) string
		is   func(api.Service, object) bool
	}{
		{"",
			func(s api.Service) string {
				return "a sidecar in " + s.Namespace + " routes " + m.routeHost(a.name, s) + " "
			},
			func(s api.Service, o object) bool {
				return o.name() == s.Name && o.str("metadata", "namespace") == s.Namespace
			}},
		{"'s ingress",
			func(s api.Service) string { return "the ingress gateway routes " + s.Ingress.Hosts[0] + " " },
			func(s api.Service, o object) bool {
				return o.get("spec", "gateways") != nil && strings.Contains(fmt.Sprint(o.get("spec", "hosts")), s.Ingress.Hosts[0])
			}},
	} {
		for _, s := range m.cfg.Spec.Services {
			if len(wantWeights(s)) < 2 || (w.what != "" && s.Ingress == nil) {
				continue
			}
			vs := m.outputFile(t, a.name, func(o object) bool { return o.kind() == "VirtualService" && w.is(s, o) })
			cs = append(cs, control{
				name: "a weight of " + host(s) + w.what + " changed in " + a.name, check: checkRoutes, cluster: a.name, in: w.in(s),
				apply: func(t *testing.T) {
					a.mustKubectl(t, shiftWeight(t, vs.obj), "apply", "--server-side=false", "-f", "-")
				},
				undo: func(t *testing.T) { a.mustKubectl(t, nil, "apply", "--server-side=false", "-f", vs.file) },
			})
			break
		}
	}
	for _, s := range m.cfg.Spec.Services {
		if s.Failover == nil {
			continue
		}
		dr := m.outputFile(t, a.name, func(o object) bool {
			return o.kind() == "DestinationRule" && o.name() == s.Name && o.str("metadata", "namespace") == s.Namespace
		})
		cs = append(cs, control{
			name: "outlier detection of " + host(s) + " removed in " + a.name, check: checkFailover, cluster: a.name, in: host(s),
			apply: func(t *testing.T) {
				a.mustKubectl(t, dropOutlier(t, dr.obj), "apply", "--server-side=false", "-f", "-")
			},
			undo: func(t *testing.T) { a.mustKubectl(t, nil, "apply", "--server-side=false", "-f", dr.file) },
		})
		break
	}
	cs = append(cs, m.priorityControl(t, a)...)
	cs = append(cs, m.remoteControls(t)...)
	cs = append(cs, m.revisionControl(t)...)
	if len(cs) < 10 {
		fmt.Printf("controls: %d of 10 apply to this mesh\n", len(cs))
	}
	return cs
}

type outputObject struct {
	file string
	obj  object
}

// outputFile finds the one object of meshgen's output for a cluster that matches.
func (m *liveMesh) outputFile(t *testing.T, cluster string, match func(object) bool) outputObject {
	t.Helper()
	files := inPhases(filepath.Join(m.out, cluster), "*.yaml")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range decodeObjects(t, f, b) {
			if match(o) {
				return outputObject{f, o}
			}
		}
	}
	t.Fatalf("no such object in meshgen's output for %s", cluster)
	return outputObject{}
}

// replaceCA returns the remote secret with every kubeconfig's CA replaced by ca.
func replaceCA(t *testing.T, secret object, ca []byte) []byte {
	t.Helper()
	data, _ := secret.get("data").(map[string]any)
	out := map[string]any{}
	for k, v := range data {
		raw, err := base64.StdEncoding.DecodeString(v.(string))
		if err != nil {
			t.Fatal(err)
		}
		var kc map[string]any
		if err := k8syaml.Unmarshal(raw, &kc); err != nil {
			t.Fatal(err)
		}
		for _, c := range kc["clusters"].([]any) {
			c.(map[string]any)["cluster"].(map[string]any)["certificate-authority-data"] = base64.StdEncoding.EncodeToString(ca)
		}
		nb, _ := k8syaml.Marshal(kc)
		out[k] = base64.StdEncoding.EncodeToString(nb)
	}
	cp := object{}
	for k, v := range secret {
		cp[k] = v
	}
	cp["data"] = out
	b, _ := k8syaml.Marshal(cp)
	return b
}

// edited returns an output object as YAML after edit changed a deep copy of it.
func edited(o object, edit func(cp object)) []byte {
	b, _ := k8syaml.Marshal(o)
	var cp object
	_ = k8syaml.Unmarshal(b, &cp)
	edit(cp)
	out, _ := k8syaml.Marshal(cp)
	return out
}

// dropOutlier returns the DestinationRule without its outlier detection.
func dropOutlier(t *testing.T, dr object) []byte {
	t.Helper()
	return edited(dr, func(cp object) {
		if tp, ok := cp.get("spec", "trafficPolicy").(map[string]any); ok {
			delete(tp, "outlierDetection")
		}
	})
}

// shiftWeight moves one point of weight from the first weighted destination of the first
// route to the second.
func shiftWeight(t *testing.T, vs object) []byte {
	t.Helper()
	return edited(vs, func(cp object) { shift(cp) })
}

func shift(cp object) {
	routes := cp.get("spec", "http").([]any)[0].(map[string]any)["route"].([]any)
	w0, w1 := routes[0].(map[string]any), routes[1].(map[string]any)
	a, _ := w0["weight"].(float64)
	if a == 0 {
		w0, w1 = w1, w0
		a, _ = w0["weight"].(float64)
	}
	c, _ := w1["weight"].(float64)
	w0["weight"], w1["weight"] = a-1, c+1
}
