package e2e

// The live mesh: meshgen's output for any MeshConfig applied to a fleet of loopback API
// servers, one real istiod per cluster, and the parts real controllers and users play
// (pods, EndpointSlices, load-balancer addresses) played by the test. See live_test.go.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/meshgen/meshgen/pkg/api"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

const (
	istiodReadyTimeout = 90 * time.Second
	// How long istiod may take to show a change; a bound for polling, not an expectation.
	settleTimeout = 90 * time.Second
)

// liveMesh is one MeshConfig running on the fleet.
type liveMesh struct {
	cfg      *api.MeshConfig // as rendered, defaults filled
	out      string          // meshgen's tree
	clusters []*liveCluster
	byName   map[string]*liveCluster
	inst     map[string]*installation
	istiod   map[string]*istiodProcess
	podIP    map[string]string    // podKey -> a version's pod IP; cluster/gateway, cluster/client/namespace -> those pods'
	client   map[string]proxyMeta // cluster/namespace -> the client pod's sidecar
	vip      map[string]string    // cluster/namespace/service -> the Service's cluster IP there
	lbAddr   map[string]string    // cluster/gateway -> its load-balancer address
	xds      string               // the xdsdump binary
	root     []byte               // the mesh's root certificate, from meshgen certs
	pilot    string               // the pilot-discovery binary
	// revs: cluster/revision -> the istiods beside the cluster's own, a canary's
	// (live_revisions_test.go).
	revs map[string]*istiodProcess
	// gwRev: cluster/gateway -> the revision that injected the gateway's pod.
	gwRev map[string]string
	// userSecrets: with remoteSecrets.mode none the test made the remote secrets as the user
	// does, with istioctl create-remote-secret.
	userSecrets bool
	// owner is the test that started the mesh: processes started later (a control's restart
	// of istiod) must live as long as the mesh, not end with the control's subtest.
	owner *testing.T
}

// startMesh renders meshFile for a fresh fleet and brings every cluster up.
func startMesh(t *testing.T, meshFile string) *liveMesh {
	t.Helper()
	tool(t, "istioctl") // the installer forms run it: a missing one fails here, before any start
	pilot := tool(t, "pilot-discovery")
	tools := requireKubeTools(t)
	xds := xdsdump(t)

	b, err := os.ReadFile(meshFile)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := api.ParseDocs(meshFile, b)
	if err != nil {
		t.Fatalf("%s: %v", meshFile, err)
	}
	var doc *api.Doc
	for i := range docs {
		if v, k := api.KindOf(docs[i].Node); v == api.APIVersion && k == api.Kind {
			doc = &docs[i]
		}
	}
	if doc == nil {
		t.Fatalf("%s: no MeshConfig", meshFile)
	}
	cfg, _, es := api.Decode(doc.Node)
	if len(es) > 0 || cfg == nil {
		t.Fatalf("%s: %v", meshFile, es)
	}
	skipAmbientLive(t, meshFile, cfg)
	var names []string
	for _, c := range cfg.Spec.Clusters {
		names = append(names, c.Name)
	}
	m := &liveMesh{byName: map[string]*liveCluster{}, inst: map[string]*installation{},
		istiod: map[string]*istiodProcess{}, revs: map[string]*istiodProcess{}, gwRev: map[string]string{}, podIP: map[string]string{}, client: map[string]proxyMeta{}, vip: map[string]string{}, lbAddr: map[string]string{}, xds: xds}
	m.pilot, m.owner = pilot, t
	m.clusters = startFleet(t, tools, names)
	for _, c := range m.clusters {
		m.byName[c.name] = c
	}

	// The input: the MeshConfig with each cluster's apiServer replaced by its loopback API
	// server, and credentials Secrets with that server's token and CA.
	dir := t.TempDir()
	// Where the MeshConfig gives a cluster's CA itself (apiServerCA), the loopback server's
	// CA goes there; otherwise into the credentials' ca.crt, as meshgen allows one or the other.
	caInMesh := map[string]bool{}
	for _, c := range cfg.Spec.Clusters {
		caInMesh[c.Name] = c.APIServerCA != ""
	}
	setAPIServers(t, doc.Node, m.clusters, caInMesh)
	mb, err := yaml.Marshal(doc.Node)
	if err != nil {
		t.Fatal(err)
	}
	input := filepath.Join(dir, "mesh.yaml")
	var creds bytes.Buffer
	// With externalSecret the clusters mint their own tokens: a credentials Secret in the
	// input is an error there.
	for _, c := range m.clusters {
		if cfg.Spec.RemoteSecrets.Mode == api.RemoteSecretsExternalSecret {
			break
		}
		fmt.Fprintf(&creds, `---
apiVersion: v1
kind: Secret
metadata:
  name: %s-live-reader
  annotations:
    config.kubernetes.io/local-config: "true"
    meshgen.dev/credentials-for: %s
data:
  token: %s
`, c.name, c.name, base64.StdEncoding.EncodeToString([]byte(c.token)))
		if !caInMesh[c.name] {
			fmt.Fprintf(&creds, "  ca.crt: %s\n", base64.StdEncoding.EncodeToString(c.caPEM))
		}
	}
	credFile := filepath.Join(dir, "credentials.yaml")
	for f, b := range map[string][]byte{input: mb, credFile: creds.Bytes()} {
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// The expectations come from the same input, through meshgen's own loader.
	in := loadInput(t, input, credFile)
	m.cfg = in
	m.out = filepath.Join(dir, "out")
	if _, stderr, code := run(t, dir, nil, meshgen(t), "render", input, credFile, "-o", m.out); code != 0 {
		t.Fatalf("meshgen render: exit %d\n%s", code, stderr)
	}

	for _, c := range m.clusters {
		c.installCRDs(t)
		if m.cfg.Spec.Trust.Mode == "certManager" {
			// cert-manager installed: its cluster resource namespace, where the issuers' keys live.
			c.mustKubectl(t, nil, "create", "namespace", "cert-manager")
		}
		m.playNode(t, c)
		m.applyOutput(t, c)
	}
	m.playRemoteSecrets(t, dir)
	m.root = m.playUser(t, dir, input, credFile)
	var wg sync.WaitGroup
	others := make([]map[string]*istiodProcess, len(m.clusters))
	for i, c := range m.clusters {
		m.inst[c.name] = install(t, filepath.Join(m.out, c.name))
		m.playCertManager(t, c)
		m.playKubelet(t, c, filepath.Join(c.dir, "istiod"))
		// The installation's ConfigMaps, as the installer creates them: istiod reads the
		// injector's template and values from the API server.
		var cms []string
		for _, cm := range m.inst[c.name].configMaps {
			b, _ := json.Marshal(cm)
			cms = append(cms, string(b))
		}
		c.mustKubectl(t, []byte(strings.Join(cms, "\n---\n")), "apply", "--server-side=true", "--field-manager=installer", "-f", "-")
		if m.inst[c.name].remote {
			continue // its primary's istiod serves it: servePrimaries
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.istiod[c.name] = startIstiod(t, pilot, c, m.inst[c.name], filepath.Join(c.dir, "istiod"))
			others[i] = m.startOthers(t, c)
		}()
	}
	wg.Wait()
	for _, o := range others {
		maps.Copy(m.revs, o)
	}
	m.servePrimaries()
	for _, c := range m.clusters {
		if m.istiod[c.name] == nil {
			t.FailNow()
		}
	}
	// Pods come after istiod, as on a real cluster: the API server sends each through
	// istiod's injection webhook.
	for i, c := range m.clusters {
		m.configureInjector(t, c)
		m.playControllers(t, i, c)
	}
	return m
}

// loadInput reads the rendered input as meshgen does, defaults included.
func loadInput(t *testing.T, mesh, creds string) *api.MeshConfig {
	t.Helper()
	var all []api.Doc
	for _, f := range []string{mesh, creds} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := api.ParseDocs(f, b)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ds...)
	}
	var cfg api.Doc
	var cs []api.Doc
	for _, d := range all {
		if api.IsCredentials(d.Node) {
			cs = append(cs, d)
		} else if v, k := api.KindOf(d.Node); v == api.APIVersion && k == api.Kind {
			cfg = d
		}
	}
	in, es := api.Load(cfg, cs)
	if len(es) > 0 {
		t.Fatalf("the live input is invalid: %v", es)
	}
	return in.Config
}

// setAPIServers sets spec.clusters[i].apiServer in the MeshConfig's own node, so that
// everything else (anchors, merge keys, comments) stays as written.
func setAPIServers(t *testing.T, doc *yaml.Node, fleet []*liveCluster, caInMesh map[string]bool) {
	t.Helper()
	root := doc
	if root.Kind == yaml.DocumentNode {
		root = root.Content[0]
	}
	spec := mapValue(root, "spec")
	list := mapValue(spec, "clusters")
	if list == nil || list.Kind != yaml.SequenceNode || len(list.Content) != len(fleet) {
		t.Fatalf("spec.clusters: want a list of %d entries", len(fleet))
	}
	for i, e := range list.Content {
		setKey(e, "apiServer", fleet[i].server, 0)
		if caInMesh[fleet[i].name] {
			// The entry's own key wins over one a merge key brings in.
			setKey(e, "apiServerCA", string(fleet[i].caPEM), yaml.LiteralStyle)
		}
	}
}

func setKey(m *yaml.Node, key, value string, style yaml.Style) {
	if v := mapValue(m, key); v != nil {
		v.Value, v.Tag, v.Style = value, "!!str", style
		return
	}
	m.Content = append(m.Content,
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key},
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value, Style: style})
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// applyOutput applies a cluster's folder file by file in the order of its kustomizations,
// phase folders in order, the rollout order meshgen declares.
func (m *liveMesh) applyOutput(t *testing.T, c *liveCluster) {
	t.Helper()
	args := []string{"apply", "--server-side=false"}
	for _, f := range kustomized(t, filepath.Join(m.out, c.name)) {
		args = append(args, "-f", f)
	}
	c.mustKubectl(t, nil, args...)
}

// kustomized lists the files a folder's kustomization applies, in its order, with the
// resources that are folders (a cluster's phases) expanded in place.
func kustomized(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, r := range kustomizationResources(t, dir) {
		p := filepath.Join(dir, r)
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			out = append(out, kustomized(t, p)...)
			continue
		}
		out = append(out, p)
	}
	return out
}

// playControllers does what a real cluster's controllers would: the gateways' Services
// from the installation with a load-balancer address in their status (the cloud
// controller), their pods (Deployment controller), per service version running here a pod
// with the version's labels and an IP (scheduler, kubelet) and the EndpointSlice the
// endpoints controller would write, and per service namespace a client pod, the sidecar the
// checks ask as. The API server sends every pod through istiod's injection webhook, so the
// labels and proxy settings the injector adds are the installation's own.
func (m *liveMesh) playControllers(t *testing.T, ci int, c *liveCluster) {
	t.Helper()
	var docs, slices []string
	type status struct{ kind, ns, name, patch string }
	var statuses []status
	for gi, g := range m.inst[c.name].gateways {
		svc, err := json.Marshal(g.service)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(svc))
		addr := fmt.Sprintf("203.0.%d.%d", 113+gi%2, ci+1)
		if strings.Contains(g.name, "ingress") {
			for _, cl := range m.cfg.Spec.Clusters {
				if cl.Name == c.name && cl.IngressAddress != "" {
					addr = cl.IngressAddress
				}
			}
		}
		addr = m.eastWestAddress(c.name, g, addr)
		m.lbAddr[c.name+"/"+g.name] = addr
		statuses = append(statuses, status{"service", g.namespace, g.name,
			fmt.Sprintf(`{"status":{"loadBalancer":{"ingress":[{"ip":%q}]}}}`, addr)})
		if g.podLabels != nil {
			ip := fmt.Sprintf("10.%d.1.%d", 100+ci, 10+gi)
			docs = append(docs, podDoc(g.name+"-live", g.namespace, c.name, g.podLabels))
			statuses = append(statuses, status{"pod", g.namespace, g.name + "-live", podStatus(ip)})
			m.podIP[c.name+"/"+g.name] = ip
		}
	}
	docs = append(docs, m.exposedIstiod(c)...)
	for _, p := range m.placePods(ci, c.name) {
		docs = append(docs, podDoc(p.name, p.s.Namespace, c.name, map[string]string{"app": p.s.Name, "version": p.v.Name}))
		statuses = append(statuses, status{"pod", p.s.Namespace, p.name, podStatus(p.ip)})
		slices = append(slices, m.endpointSlice(t, c, p.s, p.v, p.name, p.ip))
	}
	for _, s := range m.cfg.Spec.Services {
		res := c.mustKubectl(t, nil, "get", "service", s.Name, "-n", s.Namespace, "-o", "jsonpath={.spec.clusterIP}")
		m.vip[c.name+"/"+s.Namespace+"/"+s.Name] = strings.TrimSpace(res.stdout)
	}
	var clientNS []string
	for _, s := range m.cfg.Spec.Services {
		if contains(clientNS, s.Namespace) {
			continue
		}
		ip := fmt.Sprintf("10.%d.2.%d", 100+ci, 10+len(clientNS))
		clientNS = append(clientNS, s.Namespace)
		m.podIP[c.name+"/client/"+s.Namespace] = ip
		docs = append(docs, podDoc("live-client", s.Namespace, c.name, map[string]string{"app": "live-client"}))
		statuses = append(statuses, status{"pod", s.Namespace, "live-client", podStatus(ip)})
	}
	c.mustKubectl(t, []byte(strings.Join(docs, "\n---\n")), "apply", "--server-side=false", "-f", "-")
	for _, s := range statuses {
		c.mustKubectl(t, nil, "patch", s.kind, s.name, "-n", s.ns, "--subresource=status", "--type=merge", "-p", s.patch)
	}
	if len(slices) > 0 {
		c.mustKubectl(t, []byte(strings.Join(slices, "\n---\n")), "apply", "--server-side=false", "-f", "-")
	}
	for _, ns := range clientNS {
		m.client[c.name+"/"+ns] = injectedProxy(t, c, ns, "live-client")
	}
	for _, g := range m.inst[c.name].gateways {
		if g.podLabels != nil {
			m.gwRev[c.name+"/"+g.name] = injectedProxy(t, c, g.namespace, g.name+"-live").revision
		}
	}
}

// proxyMeta is what the injector gave a pod's sidecar: the cluster ID and network it tells
// istiod. injected is false when the pod got no sidecar.
type proxyMeta struct {
	injected         bool
	cluster, network string
	revision         string // the injecting istiod's, from the pod's istio.io/rev annotation
}

func injectedProxy(t *testing.T, c *liveCluster, ns, pod string) proxyMeta {
	t.Helper()
	res := c.mustKubectl(t, nil, "get", "pod", pod, "-n", ns, "-o", "json")
	var p struct {
		Metadata struct {
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
		Spec struct {
			Containers []struct {
				Name string `json:"name"`
				Env  []struct {
					Name  string `json:"name"`
					Value string `json:"value"`
				} `json:"env"`
			} `json:"containers"`
			InitContainers []struct {
				Name string `json:"name"`
				Env  []struct {
					Name  string `json:"name"`
					Value string `json:"value"`
				} `json:"env"`
			} `json:"initContainers"`
		} `json:"spec"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &p); err != nil {
		t.Fatal(err)
	}
	pm := proxyMeta{revision: p.Metadata.Annotations["istio.io/rev"]}
	// The sidecar is a container named istio-proxy, or a native sidecar (init container).
	cs := p.Spec.Containers
	for _, ic := range p.Spec.InitContainers {
		cs = append(cs, ic)
	}
	for _, ct := range cs {
		if ct.Name != "istio-proxy" {
			continue
		}
		pm.injected = true
		for _, e := range ct.Env {
			switch e.Name {
			case "ISTIO_META_CLUSTER_ID":
				pm.cluster = e.Value
			case "ISTIO_META_NETWORK":
				pm.network = e.Value
			}
		}
	}
	return pm
}

// configureInjector registers istiod's injection webhook with the API server as the
// installation does, with each webhook's service reference replaced by istiod's loopback
// port under the name localhost (ISTIOD_CUSTOM_HOST puts it in istiod's certificate) and
// the mesh's root as the CA bundle. A webhook goes to the istiod of the revision whose
// Service it names (a canary runs two).
func (m *liveMesh) configureInjector(t *testing.T, c *liveCluster) {
	t.Helper()
	m.routeInjector(t, c, func(service string) *istiodProcess { return m.webhookIstiod(c.name, service) })
}

// routeInjector registers the installation's injection webhooks with each sent to the
// istiod that to picks for the Service it names.
func (m *liveMesh) routeInjector(t *testing.T, c *liveCluster, to func(service string) *istiodProcess) {
	t.Helper()
	for _, w := range m.inst[c.name].webhooks {
		b, _ := json.Marshal(w)
		var cp object
		_ = json.Unmarshal(b, &cp)
		hooks, _ := cp["webhooks"].([]any)
		for _, h := range hooks {
			cc := h.(map[string]any)["clientConfig"].(map[string]any)
			path, service := object(cc).str("service", "path"), object(cc).str("service", "name")
			delete(cc, "service")
			cc["url"] = "https://localhost:" + to(service).httpsPort() + path
			cc["caBundle"] = base64.StdEncoding.EncodeToString(m.root)
		}
		out, _ := json.Marshal(cp)
		c.mustKubectl(t, out, "apply", "--server-side=false", "-f", "-")
	}
}

// podStatus is what the kubelet reports of a running pod with the IP.
func podStatus(ip string) string {
	return fmt.Sprintf(`{"status":{"phase":"Running","podIP":%q,"podIPs":[{"ip":%q}],"conditions":[{"type":"Ready","status":"True"}]}}`, ip, ip)
}

// podDoc is a pod as the scheduler leaves it: bound to the cluster's node (playNode), from
// whose labels istiod takes the pod's locality.
func podDoc(name, ns, cluster string, labels map[string]string) string {
	b, _ := json.Marshal(map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": name, "namespace": ns, "labels": labels},
		// What the ServiceAccount admission plugin (off here: nothing mints tokens) would set.
		"spec": map[string]any{"serviceAccountName": "default", "nodeName": liveNode(cluster),
			"containers": []any{map[string]any{"name": "app", "image": "live.invalid/app"}}},
	})
	return string(b)
}

// endpointSlice is what the endpoints controller writes for the version's pod, with the
// port names and target ports of meshgen's Service as the API server holds it.
func (m *liveMesh) endpointSlice(t *testing.T, c *liveCluster, s api.Service, v api.Version, pod, ip string) string {
	t.Helper()
	res := c.mustKubectl(t, nil, "get", "service", s.Name, "-n", s.Namespace, "-o", "json")
	var svc struct {
		Spec struct {
			Ports []struct {
				Name       string `json:"name"`
				Port       int    `json:"port"`
				TargetPort any    `json:"targetPort"`
			} `json:"ports"`
		} `json:"spec"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &svc); err != nil {
		t.Fatal(err)
	}
	var ports []any
	for _, p := range svc.Spec.Ports {
		port := p.Port
		if f, ok := p.TargetPort.(float64); ok {
			port = int(f)
		}
		ports = append(ports, map[string]any{"name": p.Name, "port": port, "protocol": "TCP"})
	}
	b, _ := json.Marshal(map[string]any{
		"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
		"metadata": map[string]any{"name": s.Name + "-" + v.Name, "namespace": s.Namespace,
			"labels": map[string]string{"kubernetes.io/service-name": s.Name, "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"}},
		"addressType": "IPv4",
		"endpoints": []any{map[string]any{"addresses": []string{ip}, "conditions": map[string]bool{"ready": true},
			"targetRef": map[string]string{"kind": "Pod", "name": pod, "namespace": s.Namespace}}},
		"ports": ports,
	})
	return string(b)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// istiodProcess is one running pilot-discovery.
type istiodProcess struct {
	http, grpc string // loopback host:port of the debug HTTP and plain-text xDS servers
	secureGRPC string // and of the TLS xDS server, which serves istiod's own certificate
	https      string // and of the webhook server (injection)
	log        string
	proc       *serverProcess
}

// startIstiod runs pilot-discovery against the cluster with the installation's settings:
// its mesh config and mesh networks as files, its args and env (CLUSTER_ID and the rest),
// and loopback ports instead of the pod's.
func startIstiod(t *testing.T, bin string, c *liveCluster, in *installation, dir string) *istiodProcess {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Error(err)
		return nil
	}
	meshFile, netFile := filepath.Join(dir, "mesh.yaml"), filepath.Join(dir, "meshNetworks.yaml")
	for f, s := range map[string]string{meshFile: in.mesh, netFile: in.meshNetworks} {
		if err := os.WriteFile(f, []byte(s), 0o600); err != nil {
			t.Error(err)
			return nil
		}
	}
	var lastErr error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		ports, err := freePorts(5)
		if err != nil {
			t.Error(err)
			return nil
		}
		addr := func(i int) string { return "127.0.0.1:" + strconv.Itoa(ports[i]) }
		args := append(append([]string{}, in.args...),
			"--kubeconfig", c.kubeconfig, "--meshConfig", meshFile, "--networksConfig", netFile,
			"--httpAddr", addr(0), "--grpcAddr", addr(1), "--secureGRPCAddr", addr(2),
			"--monitoringAddr", addr(3), "--httpsAddr", addr(4))
		var env []string
		for _, kv := range in.env {
			if !strings.HasPrefix(kv, "KUBECONFIG=") {
				env = append(env, kv)
			}
		}
		env = append(append(serverEnv(), env...), "KUBECONFIG="+c.kubeconfig, "ISTIOD_CUSTOM_HOST="+customHost(in.env))
		p := &istiodProcess{http: addr(0), grpc: addr(1), secureGRPC: addr(2), https: addr(4), log: filepath.Join(dir, "istiod.log")}
		p.proc, err = startProcessIn(t, "istiod "+c.name, p.log, dir, env, bin, args...)
		if err != nil {
			t.Error(err)
			return nil
		}
		if err = waitHTTP(p.proc, p.log, "http://"+p.http+"/ready", "", istiodReadyTimeout); err == nil {
			return p
		}
		p.proc.stop(t)
		lastErr = err
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	t.Errorf("istiod for %s: %v", c.name, lastErr)
	return nil
}

func (p *istiodProcess) httpsPort() string {
	_, port, _ := strings.Cut(p.https, ":")
	return port
}

// customHost adds localhost to the installation's ISTIOD_CUSTOM_HOST: the API server calls
// the injection webhook by that name, and istiod's certificate must carry it.
func customHost(env []string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "ISTIOD_CUSTOM_HOST="); ok && v != "" {
			return v + ",localhost"
		}
	}
	return "localhost"
}

// restartIstiod stops the cluster's istiod, lets mount change what its volumes hold, and
// starts it again.
func (m *liveMesh) restartIstiod(t *testing.T, c *liveCluster, mount func(dir string)) {
	t.Helper()
	m.istiod[c.name].proc.stop(t)
	mount(filepath.Join(c.dir, "istiod"))
	p := startIstiod(m.owner, m.pilot, c, m.inst[c.name], filepath.Join(c.dir, "istiod"))
	if p == nil {
		t.FailNow()
	}
	m.istiod[c.name] = p
	m.servePrimaries()
}

// startProcessIn starts a server in dir with env; its own process group keeps a terminal's
// Ctrl-C from racing our orderly shutdown, and Pdeathsig kills it if the test binary dies
// without running cleanups (timeout panic, SIGKILL).
func startProcessIn(t *testing.T, name, logPath, dir string, env []string, bin string, args ...string) (*serverProcess, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = dir, env
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &serverProcess{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	t.Cleanup(func() { p.stop(t) })
	return p, nil
}

var (
	xdsOnce sync.Once
	xdsPath string
	xdsErr  error
	xdsOut  []byte
)

// xdsdump builds the xDS client of .ci/xds once per test binary. It is its own module, so
// gRPC and the Envoy API stay out of meshgen's go.mod.
func xdsdump(t *testing.T) string {
	t.Helper()
	xdsOnce.Do(func() {
		dir, err := os.MkdirTemp("", "meshgen-xds-")
		if err != nil {
			xdsErr = err
			return
		}
		xdsPath = filepath.Join(dir, "xdsdump")
		cmd := exec.Command("go", "build", "-o", xdsPath, ".")
		cmd.Dir = filepath.Join(repo, ".ci", "xds")
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
		xdsOut, xdsErr = cmd.CombinedOutput()
	})
	if xdsErr != nil {
		t.Fatalf("building .ci/xds: %v\n%s", xdsErr, xdsOut)
	}
	return xdsPath
}

// xdsDump is what xdsdump prints.
type xdsDump struct {
	Endpoints map[string][]string `json:"endpoints"`
	Outlier   []string            `json:"outlier"`
	// Localities: per EDS cluster, each endpoint with its group's locality and priority.
	Localities map[string][]placedEndpoint `json:"localities"`
	Routes     []struct {
		Config   string            `json:"config"`
		Domains  []string          `json:"domains"`
		Match    string            `json:"match"`
		Redirect bool              `json:"redirect"`
		Weights  map[string]uint32 `json:"weights"`
	} `json:"routes"`
}

// proxy asks a cluster's istiod what one proxy gets.
func (m *liveMesh) proxy(cluster string, args ...string) (*xdsDump, error) {
	return m.proxyAt(m.istiod[cluster], cluster, args...)
}

// proxyAt asks istiod p what one proxy of the cluster gets: a sidecar asks its revision's.
func (m *liveMesh) proxyAt(p *istiodProcess, cluster string, args ...string) (*xdsDump, error) {
	args = append([]string{"-addr", p.grpc, "-timeout", "20s"}, args...)
	if l := m.proxyLocality(cluster); l != "" {
		args = append(args, "-locality", l)
	}
	cmd := exec.Command(m.xds, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("xdsdump %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(e.String()))
	}
	var d xdsDump
	if err := json.Unmarshal(o.Bytes(), &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// sidecar is what the client pod's sidecar in the namespace of this cluster gets, with
// the cluster ID and network the injector gave it, asked of the istiod that injected it.
func (m *liveMesh) sidecar(cluster, ns string) (*xdsDump, error) {
	pm := m.client[cluster+"/"+ns]
	if !pm.injected {
		return nil, fmt.Errorf("the injector gave the pod live-client in %s no sidecar: is the namespace labelled for injection?", ns)
	}
	return m.proxyAt(m.istiodOf(cluster, pm.revision), cluster, "-type", "sidecar", "-ip", m.podIP[cluster+"/client/"+ns],
		"-namespace", ns, "-name", "live-client", "-cluster", pm.cluster, "-network", pm.network,
		"-labels", "app=live-client")
}

// ingress is what the cluster's ingress gateway gets.
func (m *liveMesh) ingress(cluster string) (*xdsDump, error) {
	return m.gatewayProxy(cluster, "ingressgateway")
}

// eastWestProxy is what the cluster's east-west gateway gets.
func (m *liveMesh) eastWestProxy(cluster string) (*xdsDump, error) {
	return m.gatewayProxy(cluster, "eastwestgateway")
}

// gatewayProxy asks, of the istiod that injected it, as the pod of the installation's
// gateway labelled istio=<label>, with
// the metadata pilot-agent would send from its env (ISTIO_META_*); what the gateway
// injector adds (cluster ID, network) comes from the installation's injector values.
func (m *liveMesh) gatewayProxy(cluster, label string) (*xdsDump, error) {
	in := m.inst[cluster]
	for _, g := range in.gateways {
		if g.podLabels == nil || g.podLabels["istio"] != label {
			continue
		}
		var ls []string
		for k, v := range g.podLabels {
			ls = append(ls, k+"="+v)
		}
		sort.Strings(ls)
		clusterID, network := g.podEnv["ISTIO_META_CLUSTER_ID"], g.podEnv["ISTIO_META_NETWORK"]
		if clusterID == "" {
			clusterID = in.proxyCluster
		}
		if network == "" {
			network = in.proxyNetwork
		}
		args := []string{"-type", "router", "-ip", m.podIP[cluster+"/"+g.name], "-namespace", g.namespace,
			"-name", g.name + "-live", "-cluster", clusterID, "-network", network, "-labels", strings.Join(ls, ",")}
		var keys []string
		for k := range g.podEnv {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if n, ok := strings.CutPrefix(k, "ISTIO_META_"); ok && n != "CLUSTER_ID" && n != "NETWORK" {
				args = append(args, "-meta", n+"="+g.podEnv[k])
			}
		}
		return m.proxyAt(m.istiodOf(cluster, m.gwRev[cluster+"/"+g.name]), cluster, args...)
	}
	return nil, fmt.Errorf("the installation of %s has no gateway labelled istio=%s", cluster, label)
}

// clusterz is istiod's list of the clusters it reads, with their sync status.
func (m *liveMesh) clusterz(cluster string) (map[string]string, error) {
	resp, err := http.Get("http://" + m.istiod[cluster].http + "/debug/clusterz")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	var list []struct {
		ID         string `json:"id"`
		SyncStatus string `json:"syncStatus"`
	}
	if err := json.Unmarshal(b.Bytes(), &list); err != nil {
		return nil, fmt.Errorf("/debug/clusterz: %v: %s", err, b.String())
	}
	out := map[string]string{}
	for _, c := range list {
		out[c.ID] = c.SyncStatus
	}
	return out, nil
}
