package e2e

// Where meshgen's output is installer input, the live test turns it into what the installer
// creates, with the installer's own code, offline, and takes istiod's settings and the
// gateways from that. One small function per installer form: installerForms.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// object is one Kubernetes object, decoded loosely.
type object map[string]any

func (o object) str(path ...string) string {
	v, _ := o.get(path...).(string)
	return v
}

func (o object) get(path ...string) any {
	var v any = map[string]any(o)
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func (o object) kind() string { return o.str("kind") }
func (o object) name() string { return o.str("metadata", "name") }

func (o object) labels(path ...string) map[string]string {
	m, _ := o.get(append(path, "labels")...).(map[string]any)
	out := map[string]string{}
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// decodeObjects splits a YAML stream into objects.
func decodeObjects(t *testing.T, what string, b []byte) []object {
	t.Helper()
	var out []object
	for _, doc := range docSeparator.Split(string(b), -1) {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var o object
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if o != nil {
			out = append(out, o)
		}
	}
	return out
}

// installerForm recognises one form of installer input in a cluster's output and renders it
// into the objects the installer would create: an object (is, render), or inputs that are not
// objects, found in the folder (inputs).
type installerForm struct {
	name   string
	is     func(o object) bool
	render func(t *testing.T, file string) []byte
	// inputs returns each input of the folder by name and what the installer makes of it.
	inputs func(t *testing.T, dir string) (names []string, rendered [][]byte)
}

// installerForms are the forms meshgen writes: IstioOperators (applied with the operator
// installer, files under istioctl/ with the istioctl installer), Helm releases (the README's
// helm commands, rendered with `helm template` of $MESHGEN_ISTIO_SRC/manifests/charts), and
// Sail Istios (the istiod chart with the Istio's values) and IstioRevisionTags (the tag's
// webhook, which injects the namespaces labelled with the tag), both in sail_test.go.
var installerForms = []installerForm{
	{
		name: "Helm",
		inputs: func(t *testing.T, dir string) (names []string, rendered [][]byte) {
			for _, r := range helmReleases(t, dir) {
				names = append(names, r.namespace+"/"+r.name)
				rendered = append(rendered, helmTemplate(t, dir, r))
			}
			return names, rendered
		},
	},
	{
		name: "IstioOperator",
		is:   func(o object) bool { return o.kind() == "IstioOperator" },
		render: func(t *testing.T, file string) []byte {
			stdout, stderr, code := run(t, filepath.Dir(file), nil, tool(t, "istioctl"), "manifest", "generate", "-f", file)
			if code != 0 {
				t.Fatalf("istioctl manifest generate -f %s: exit %d\n%s", file, code, stderr)
			}
			return []byte(stdout)
		},
	},
	{name: "Sail Istio", is: isSailIstio, render: sailTemplate},
	{name: "Sail IstioRevisionTag", is: isSailRevisionTag, render: sailTagTemplate},
}

// installation is what the live test takes from the installer's objects.
type installation struct {
	namespace          string   // istiod's
	mesh, meshNetworks string   // ConfigMap istio: istiod's --meshConfig and --networksConfig
	args               []string // istiod's container args, addresses dropped
	env                []string // istiod's env: literal values and the downward API's pod fields
	// istiod's Secret volumes: Secret name -> mount path (cacerts -> /etc/cacerts).
	secretMounts map[string]string
	// What the injector gives every sidecar (ISTIO_META_CLUSTER_ID, ISTIO_META_NETWORK).
	proxyCluster, proxyNetwork string
	gateways                   []gateway
	webhooks                   []object // MutatingWebhookConfigurations: the injector
	configMaps                 []object // istiod reads some from the API server (the injector's)
	forms                      []string // installer inputs found, "IstioOperator istio-system/x"
	// remote: the installation runs no istiod; its primary's serves it (live_remote_test.go).
	remote bool
	// revision is this istiod's (its REVISION env, "" for none); others are the other istiods
	// of the installation, a canary's, each with its own settings (live_revisions_test.go).
	revision string
	others   []*installation
	// istiodService is the installation's Service of istiod, which a primary exposes to its
	// remotes (live_remote_test.go).
	istiodService object
}

// gateway is a LoadBalancer Service of the installation and the pod its Deployment runs.
type gateway struct {
	name, namespace string
	service         object
	podLabels       map[string]string
	podEnv          map[string]string
}

// install renders every installer input in a cluster folder and extracts the installation.
func install(t *testing.T, dir string) *installation {
	t.Helper()
	files := inPhases(dir, "*.yaml")
	istioctl, _ := filepath.Glob(filepath.Join(dir, "istioctl", "*.yaml"))
	files = append(files, istioctl...)
	var objs []object
	in := &installation{}
	for _, form := range installerForms {
		if form.inputs == nil {
			continue
		}
		names, rendered := form.inputs(t, dir)
		for i, n := range names {
			in.forms = append(in.forms, form.name+" "+n)
			objs = append(objs, decodeObjects(t, n, rendered[i])...)
		}
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range decodeObjects(t, f, b) {
			for _, form := range installerForms {
				if form.is != nil && form.is(o) {
					in.forms = append(in.forms, form.name+" "+o.str("metadata", "namespace")+"/"+o.name())
					objs = append(objs, decodeObjects(t, f, form.render(t, f))...)
				}
			}
		}
	}
	if len(in.forms) == 0 {
		t.Fatalf("%s: no installer input (IstioOperator, Helm release) in meshgen's output", dir)
	}
	deployments, configMaps := map[string]object{}, map[string]object{}
	var istiods []object
	for _, o := range objs {
		key := o.str("metadata", "namespace") + "/" + o.name()
		switch o.kind() {
		case "ConfigMap":
			configMaps[key] = o
			in.configMaps = append(in.configMaps, o)
		case "MutatingWebhookConfiguration":
			in.webhooks = append(in.webhooks, o)
		case "Deployment":
			deployments[key] = o
			// istiod is the Deployment that runs pilot-discovery's discovery command.
			if args, _ := firstContainer(o)["args"].([]any); len(args) > 0 && args[0] == "discovery" {
				istiods = append(istiods, o)
			}
		}
	}
	if len(istiods) == 0 && in.asRemote() {
		in.gateways = installedGateways(objs, deployments)
		return in
	}
	if len(istiods) == 0 {
		t.Fatalf("%s: the installation has no istiod Deployment (installer inputs: %v)", dir, in.forms)
	}
	// The last istiod is the cluster's (checks 1 and 5, the controls); a canary's others
	// run beside it and inject the namespaces of their revision.
	for _, o := range istiods[:len(istiods)-1] {
		other := &installation{forms: in.forms}
		other.istiod(t, dir, o, configMaps)
		in.others = append(in.others, other)
	}
	in.istiod(t, dir, istiods[len(istiods)-1], configMaps)
	in.gateways = installedGateways(objs, deployments)
	in.istiodService = istiodServiceOf(objs, in.namespace)
	return in
}

// istiod takes one istiod Deployment's settings: its args and env, Secret volumes, and the
// mesh config and injector values of the ConfigMaps of its revision.
func (in *installation) istiod(t *testing.T, dir string, istiod object, configMaps map[string]object) {
	t.Helper()
	in.namespace = istiod.str("metadata", "namespace")
	c := firstContainer(istiod)
	for _, a := range c["args"].([]any) {
		in.args = append(in.args, a.(string))
	}
	in.args = dropAddressFlags(in.args)
	in.env = containerEnv(c, in.namespace, "istiod-live")
	// istiod's Secret volumes, which the kubelet mounts (cacerts).
	in.secretMounts = map[string]string{}
	vols, _ := istiod.get("spec", "template", "spec", "volumes").([]any)
	mounts, _ := c["volumeMounts"].([]any)
	for _, v := range vols {
		vo := object(v.(map[string]any))
		for _, mt := range mounts {
			mo := object(mt.(map[string]any))
			if s := vo.str("secret", "secretName"); s != "" && mo.str("name") == vo.str("name") {
				in.secretMounts[s] = mo.str("mountPath")
			}
		}
	}
	// istiod reads its mesh config and the injector's settings from ConfigMaps named after
	// its revision, as istiod itself names them.
	suffix := ""
	for _, kv := range in.env {
		if rev, ok := strings.CutPrefix(kv, "REVISION="); ok && rev != "" && rev != "default" {
			suffix, in.revision = "-"+rev, rev
		}
	}
	mesh, inject := configMaps[in.namespace+"/istio"+suffix], configMaps[in.namespace+"/istio-sidecar-injector"+suffix]
	if mesh == nil || inject == nil {
		t.Fatalf("%s: the installation has no ConfigMap istio%s or istio-sidecar-injector%s (installer inputs: %v)", dir, suffix, suffix, in.forms)
	}
	in.mesh, in.meshNetworks = mesh.str("data", "mesh"), mesh.str("data", "meshNetworks")
	var v struct {
		Global struct {
			Network      string `json:"network"`
			MultiCluster struct {
				ClusterName string `json:"clusterName"`
			} `json:"multiCluster"`
		} `json:"global"`
	}
	if err := json.Unmarshal([]byte(inject.str("data", "values")), &v); err != nil {
		t.Fatalf("%s: the injector's values: %v", dir, err)
	}
	// The injection template's own default for an unset cluster name.
	in.proxyCluster, in.proxyNetwork = v.Global.MultiCluster.ClusterName, v.Global.Network
	if in.proxyCluster == "" {
		in.proxyCluster = "Kubernetes"
	}
}

// installedGateways are the installation's LoadBalancer Services with the pods of their
// Deployments, by name.
func installedGateways(objs []object, deployments map[string]object) []gateway {
	var gws []gateway
	for _, o := range objs {
		if o.kind() != "Service" || o.str("spec", "type") != "LoadBalancer" {
			continue
		}
		g := gateway{name: o.name(), namespace: o.str("metadata", "namespace"), service: o}
		sel := map[string]string{}
		for k, v := range o.labels("spec", "selector") {
			sel[k] = v
		}
		if m, ok := o.get("spec", "selector").(map[string]any); ok {
			for k, v := range m {
				sel[k], _ = v.(string)
			}
		}
		for _, d := range deployments {
			pl := d.labels("spec", "template", "metadata")
			if d.str("metadata", "namespace") == g.namespace && len(sel) > 0 && selects(sel, pl) {
				g.podLabels = pl
				g.podEnv = map[string]string{}
				for _, kv := range containerEnv(firstContainer(d), g.namespace, g.name) {
					k, v, _ := strings.Cut(kv, "=")
					g.podEnv[k] = v
				}
			}
		}
		gws = append(gws, g)
	}
	sort.Slice(gws, func(i, j int) bool { return gws[i].name < gws[j].name })
	return gws
}

func firstContainer(d object) map[string]any {
	cs, _ := d.get("spec", "template", "spec", "containers").([]any)
	if len(cs) == 0 {
		return map[string]any{}
	}
	c, _ := cs[0].(map[string]any)
	return c
}

// containerEnv is a container's env as the kubelet would set it, for the values that do not
// depend on a node: literal values, and the pod's namespace and name from the downward API.
func containerEnv(c map[string]any, namespace, pod string) []string {
	es, _ := c["env"].([]any)
	var env []string
	for _, e := range es {
		m := object(e.(map[string]any))
		n := m.str("name")
		if v, ok := m["value"].(string); ok {
			env = append(env, n+"="+v)
			continue
		}
		switch m.str("valueFrom", "fieldRef", "fieldPath") {
		case "metadata.namespace":
			env = append(env, n+"="+namespace)
		case "metadata.name":
			env = append(env, n+"="+pod)
		}
	}
	return env
}

func selects(sel, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// dropAddressFlags removes the listen addresses from istiod's args: the live test gives each
// istiod its own loopback ports.
func dropAddressFlags(args []string) []string {
	addr := map[string]bool{"--httpAddr": true, "--grpcAddr": true, "--secureGRPCAddr": true,
		"--monitoringAddr": true, "--httpsAddr": true, "--kubeconfig": true, "--meshConfig": true, "--networksConfig": true}
	var out []string
	for i := 0; i < len(args); i++ {
		name, _, hasValue := strings.Cut(args[i], "=")
		if addr[name] {
			if !hasValue {
				i++
			}
			continue
		}
		out = append(out, args[i])
	}
	return out
}
