package e2e

// A canary runs two istiods per cluster, one per revision, each with its own settings and
// ports; each injection webhook goes to the istiod of the revision whose Service it names,
// and a namespace's pods must be injected by the revision its tag points at.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// startOthers starts the installation's other istiods (a canary's) beside the cluster's
// own, each in its own directory with istiod's Secret volumes mounted, and returns them by
// cluster/revision.
func (m *liveMesh) startOthers(t *testing.T, c *liveCluster) map[string]*istiodProcess {
	t.Helper()
	out := map[string]*istiodProcess{}
	for _, o := range m.inst[c.name].others {
		dir := filepath.Join(c.dir, "istiod-"+o.revision)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Error(err)
			return out
		}
		m.playKubelet(t, c, dir)
		if p := startIstiod(t, m.pilot, c, o, dir); p != nil {
			out[c.name+"/"+o.revision] = p
		}
	}
	return out
}

// istiodOf is the istiod of the revision that serves the cluster: one of a canary's
// others, else the cluster's own (a remote's: its primary's).
func (m *liveMesh) istiodOf(cluster, revision string) *istiodProcess {
	home := cluster
	if cl := m.cfg.Spec.Cluster(cluster); cl != nil && cl.Remote() {
		home = cl.Primary
	}
	if p := m.revs[home+"/"+revision]; p != nil {
		return p
	}
	return m.istiod[cluster]
}

// webhookIstiod is the istiod behind the Service a webhook names: istiod-<revision>.
func (m *liveMesh) webhookIstiod(cluster, service string) *istiodProcess {
	rev, ok := strings.CutPrefix(service, "istiod-")
	if !ok {
		rev = ""
	}
	return m.istiodOf(cluster, rev)
}

// wantRevision is the revision that must inject a namespace's pods, from the MeshConfig: its
// tag's (the default tag where it names none), else spec.istio.revision.
func wantRevision(spec *api.Spec, ns string) (rev, via string) {
	ist := spec.Istio
	if len(ist.Tags) == 0 {
		return ist.Revision, ""
	}
	tag := api.DefaultTag
	for _, n := range spec.Namespaces {
		if n.Name == ns && n.Tag != "" {
			tag = n.Tag
		}
	}
	return ist.Tags[tag], " (tag " + tag + ")"
}

// clientNamespaces are the namespaces with a client pod, in the MeshConfig's order.
func (m *liveMesh) clientNamespaces() []string {
	var nss []string
	for _, s := range m.cfg.Spec.Services {
		if !contains(nss, s.Namespace) {
			nss = append(nss, s.Namespace)
		}
	}
	return nss
}

// revisionResults, part of check 1 in a mesh with revisions: each namespace's client pod was
// injected by the revision the MeshConfig gives the namespace (the injector writes its own
// revision into the pod's istio.io/rev annotation).
func (m *liveMesh) revisionResults(cluster string) []result {
	if m.cfg.Spec.Istio.Revision == "" {
		return nil
	}
	var rs []result
	for _, ns := range m.clientNamespaces() {
		want, via := wantRevision(&m.cfg.Spec, ns)
		r := result{check: checkSync, cluster: cluster, what: fmt.Sprintf("a pod in %s is injected by revision %s%s", ns, want, via)}
		switch pm := m.client[cluster+"/"+ns]; {
		case !pm.injected:
			r.detail = "the pod has no sidecar"
		default:
			r.ok = pm.revision == want
			r.detail = "istio.io/rev " + pm.revision
		}
		rs = append(rs, r)
	}
	// Gateways are upgraded in place and follow the default tag: one per cluster, on the
	// revision it points at, else spec.istio's.
	want, via := wantRevision(&m.cfg.Spec, "")
	for _, g := range m.inst[cluster].gateways {
		if g.podLabels == nil {
			continue
		}
		got := m.gwRev[cluster+"/"+g.name]
		rs = append(rs, result{check: checkSync, cluster: cluster, what: fmt.Sprintf("the pod of %s is injected by revision %s%s", g.name, want, via),
			ok: got == want, detail: "istio.io/rev " + got})
	}
	return rs
}

// revisionControl sends every injection webhook of the first cluster to one revision's
// istiod, one that some namespace there must not get, and replays the client pods: the
// injection part of check 1 must fail. Without two istiods there it does not apply.
func (m *liveMesh) revisionControl(t *testing.T) []control {
	t.Helper()
	a := m.clusters[0]
	in := m.inst[a.name]
	revs := []string{in.revision}
	for _, o := range in.others {
		revs = append(revs, o.revision)
	}
	for _, r := range revs {
		for _, ns := range m.clientNamespaces() {
			if want, _ := wantRevision(&m.cfg.Spec, ns); len(revs) < 2 || want == r {
				continue
			}
			return []control{{
				name: "every injection webhook of " + a.name + " sent to revision " + r, check: checkSync, cluster: a.name,
				in: "a pod in " + ns + " is injected by",
				apply: func(t *testing.T) {
					m.routeInjector(t, a, func(string) *istiodProcess { return m.istiodOf(a.name, r) })
					m.replayClients(t, a)
				},
				undo: func(t *testing.T) {
					m.configureInjector(t, a)
					m.replayClients(t, a)
				},
			}}
		}
	}
	fmt.Println("control: injection webhooks sent to one revision: not applicable (one istiod in the first cluster, or every namespace on its revision)")
	return nil
}

// replayClients creates the cluster's client pods again, so that the injector as now
// registered injects them, and reads what it gave them.
func (m *liveMesh) replayClients(t *testing.T, c *liveCluster) {
	t.Helper()
	for _, ns := range m.clientNamespaces() {
		// No kubelet confirms a deletion: force it.
		c.mustKubectl(t, nil, "delete", "pod", "live-client", "-n", ns, "--grace-period=0", "--force")
		c.mustKubectl(t, []byte(podDoc("live-client", ns, c.name, map[string]string{"app": "live-client"})), "apply", "--server-side=false", "-f", "-")
		c.mustKubectl(t, nil, "patch", "pod", "live-client", "-n", ns, "--subresource=status", "--type=merge", "-p", podStatus(m.podIP[c.name+"/client/"+ns]))
		m.client[c.name+"/"+ns] = injectedProxy(t, c, ns, "live-client")
	}
}
