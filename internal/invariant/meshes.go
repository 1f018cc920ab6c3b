package invariant

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/synth"
)

// Case is a mesh the rules are checked on.
type Case struct {
	Name string
	Mesh synth.Mesh
}

// Cases are every example under root/examples, synthetic meshes of a few shapes, and each of
// them as an edge variant (Edge) and a bare one (Bare).
func Cases(root string) ([]Case, error) {
	cs, err := Examples(root)
	if err != nil {
		return nil, err
	}
	for _, o := range []synth.Options{{Clusters: 1}, {Clusters: 2, Services: 3}, {Clusters: 3, Services: 7}, {Clusters: 3, Services: 6, RemoteSecretsNone: true}} {
		m, err := synth.Generate(o)
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("synth-%dx%d", o.Clusters, o.Services)
		if o.RemoteSecretsNone {
			name += "-nosecrets"
		}
		cs = append(cs, Case{name, m})
	}
	for _, c := range slices.Clone(cs) {
		for _, v := range []func(Case) (Case, error){Edge, Bare} {
			e, err := v(c)
			if err != nil {
				return nil, err
			}
			cs = append(cs, e)
		}
	}
	return cs, nil
}

// Examples returns each folder of root/examples that holds a MeshConfig, with the
// credentials Secrets found in its files.
func Examples(root string) ([]Case, error) {
	// Every example folder, its MeshConfig anywhere below it (examples/kustomize keeps it in
	// mesh/), but a step folder of an example of several renders is a case of its own.
	dirs, err := filepath.Glob(filepath.Join(root, "examples", "*"))
	if err != nil {
		return nil, err
	}
	steps, err := filepath.Glob(filepath.Join(root, "examples", "*", "step*"))
	if err != nil {
		return nil, err
	}
	var cs []Case
	for _, d := range append(dirs, steps...) {
		var c Case
		c.Name, _ = filepath.Rel(filepath.Join(root, "examples"), d)
		c.Name = filepath.ToSlash(c.Name)
		err := filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err == nil && e.IsDir() && p != d && strings.HasPrefix(e.Name(), "step") {
				return fs.SkipDir // a step of its own
			}
			if err != nil || e.IsDir() || !strings.HasSuffix(p, ".yaml") {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			docs, err := api.ParseDocs(p, b)
			if err != nil {
				return err
			}
			switch {
			case len(docs) == 1 && func() bool { _, k := api.KindOf(docs[0].Node); return k == api.Kind }():
				if c.Mesh.Config != nil {
					return fmt.Errorf("%s: a second MeshConfig in %s", p, d)
				}
				c.Mesh.Config = b
			case len(docs) > 0 && !slices.ContainsFunc(docs, func(d api.Doc) bool { return !api.IsCredentials(d.Node) }):
				c.Mesh.Credentials = append(c.Mesh.Credentials, "\n---\n"...)
				c.Mesh.Credentials = append(c.Mesh.Credentials, b...)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if c.Mesh.Config != nil {
			cs = append(cs, c)
		}
	}
	if len(cs) < 2 {
		return nil, fmt.Errorf("want the examples, found %d meshes under %s", len(cs), root)
	}
	return cs, nil
}

// Edge is c with the inputs that take the generator's rarer paths: a revision, ingress hosts
// over 64 bytes, apiServer URLs without a port and with an unusual one, and a version of weight
// zero on every service. It is still a valid mesh.
func Edge(c Case) (Case, error) {
	in, err := c.Mesh.Input()
	if err != nil {
		return Case{}, fmt.Errorf("%s: %v", c.Name, err)
	}
	s := &in.Config.Spec
	// ambient refuses revisions (api.validateAmbient); a mesh with one keeps its own.
	if !s.Ambient() && s.Istio.Revision == "" {
		s.Istio.Revision = "canary"
	}
	for i := range s.Clusters {
		cl := &s.Clusters[i]
		if cl.APIServer == "" {
			continue
		}
		u, err := url.Parse(cl.APIServer)
		if err != nil {
			return Case{}, err
		}
		if i%2 == 0 {
			u.Host = u.Hostname()
		} else {
			u.Host = u.Hostname() + ":7443"
		}
		cl.APIServer = u.String()
	}
	label := strings.Repeat("x", 60)
	for i := range s.Services {
		svc := &s.Services[i]
		if !slices.ContainsFunc(svc.Versions, func(v api.Version) bool { return v.Name == "dark" }) {
			svc.Versions = append(svc.Versions, api.Version{Name: "dark", Weight: 0, Clusters: []string{s.Clusters[0].Name}})
		}
		if svc.Ingress == nil {
			continue
		}
		for j, h := range svc.Ingress.Hosts {
			if rest, ok := strings.CutPrefix(h, "*."); ok {
				svc.Ingress.Hosts[j] = "*." + label + "." + rest
			} else {
				svc.Ingress.Hosts[j] = label + "." + h
			}
		}
	}
	return variant(c, "-edge", in.Config)
}

// Bare is c without issuers (its TLS ingresses served over plain HTTP) and with apiServer
// URLs without a port: nothing else then opens 443, the port those URLs mean.
func Bare(c Case) (Case, error) {
	in, err := c.Mesh.Input()
	if err != nil {
		return Case{}, fmt.Errorf("%s: %v", c.Name, err)
	}
	s := &in.Config.Spec
	s.Issuers = nil
	for i := range s.Services {
		if in := s.Services[i].Ingress; in != nil {
			in.TLS = nil
		}
	}
	for i := range s.Clusters {
		if s.Clusters[i].APIServer == "" {
			continue
		}
		u, err := url.Parse(s.Clusters[i].APIServer)
		if err != nil {
			return Case{}, err
		}
		u.Host = u.Hostname()
		s.Clusters[i].APIServer = u.String()
	}
	return variant(c, "-bare", in.Config)
}

// variant is a case of a changed MeshConfig, checked to be still valid.
func variant(c Case, suffix string, cfg *api.MeshConfig) (Case, error) {
	b, err := yaml.Marshal(cfg)
	if err != nil {
		return Case{}, err
	}
	e := Case{c.Name + suffix, synth.Mesh{Config: b, Credentials: c.Mesh.Credentials}}
	if _, err := e.Mesh.Input(); err != nil {
		return Case{}, fmt.Errorf("%s: %v\n%s", e.Name, err, b)
	}
	return e, nil
}

// Files writes the case's MeshConfig and credentials into dir and returns their paths, for a
// command line.
func (c Case) Files(dir string) ([]string, error) {
	fs := []string{filepath.Join(dir, "mesh.yaml")}
	if err := os.WriteFile(fs[0], c.Mesh.Config, 0o644); err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(c.Mesh.Credentials)) > 0 {
		fs = append(fs, filepath.Join(dir, "credentials.yaml"))
		if err := os.WriteFile(fs[1], c.Mesh.Credentials, 0o644); err != nil {
			return nil, err
		}
	}
	return fs, nil
}

// ReadTree reads a rendered tree from disk, by slash path.
func ReadTree(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	return files, err
}
