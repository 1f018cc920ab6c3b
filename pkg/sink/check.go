package sink

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/meshgen/meshgen/pkg/gen"
)

// Check compares Dir with the tree Tree would write there and leaves a unified diff in Diff at
// Commit, empty when Dir is up to date. It writes nothing. Secrets are compared but their
// values never printed: the diff names the keys whose values differ.
type Check struct {
	Dir, Mesh, Only string
	Diff            string

	enc    encoder
	buf    []byte
	want   map[string][]byte
	layout layout
}

func (c *Check) Put(f *gen.Folder) error {
	if c.want == nil {
		c.want = map[string][]byte{}
	}
	return eachFile(&c.enc, &c.buf, f, func(p string, data []byte, object bool) error {
		c.want[p] = bytes.Clone(data)
		if object {
			c.layout.add(p)
		}
		return nil
	})
}

func (c *Check) Abort() { c.want = nil }

func (c *Check) Commit() error {
	old, err := readManifest(c.Dir)
	if err != nil {
		return err
	}
	for _, dir := range c.layout.order {
		c.want[path.Join(dir, kustomization)] = kustomizationFile(c.Mesh, c.layout.folders[dir])
	}
	var listed []string
	for p := range c.want {
		listed = append(listed, p)
	}
	// Paths under the selected folder that meshgen wrote before are stale if not wanted now;
	// with Only, the others stay as they are, and in the manifest.
	paths := slices.Clone(listed)
	for p := range old {
		if !inside(p, c.Only) {
			listed = append(listed, p)
		} else if _, ok := c.want[p]; !ok {
			paths = append(paths, p)
		}
	}
	slices.Sort(listed)
	c.want[ManifestFile] = manifestFile(listed)
	paths = append(paths, ManifestFile)
	slices.Sort(paths)
	var b strings.Builder
	for _, p := range paths {
		have, err := os.ReadFile(filepath.Join(c.Dir, filepath.FromSlash(p)))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		want, ok := c.want[p]
		if bytes.Equal(have, want) && (ok || err != nil) {
			continue
		}
		b.WriteString(diff(p, have, want, err == nil, ok))
	}
	c.Diff = b.String()
	return nil
}

// diff is the unified diff of one file, with a Secret's values hidden.
func diff(p string, have, want []byte, haveOK, wantOK bool) string {
	hs, hk := secretValues(have)
	ws, wk := secretValues(want)
	if !hs && !ws {
		return unified(p, string(have), string(want), haveOK, wantOK)
	}
	var keys []string
	for k, v := range wk {
		if hv, ok := hk[k]; !ok || hv != v {
			keys = append(keys, k)
		}
	}
	for k := range hk {
		if _, ok := wk[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	d := unified(p, hide(have, hs), hide(want, ws), haveOK, wantOK)
	if len(keys) > 0 {
		d += fmt.Sprintf("# %s: Secret values not shown; these keys differ: %s\n", p, strings.Join(keys, ", "))
	}
	return d
}

// secretValues tells whether b is a Secret (or not YAML at all, which is treated as one:
// nothing unparsed is printed) and returns its data and stringData values by key.
func secretValues(b []byte) (bool, map[string]string) {
	if len(b) == 0 {
		return false, nil
	}
	n, err := yaml.Parse(string(b))
	if err != nil {
		return true, nil
	}
	if n.GetKind() != "Secret" {
		return false, nil
	}
	vals := map[string]string{}
	for _, field := range []string{"data", "stringData"} {
		m := n.Field(field)
		if m == nil || m.Value == nil {
			continue
		}
		_ = m.Value.VisitFields(func(f *yaml.MapNode) error {
			v, err := f.Value.String()
			vals[field+"."+f.Key.YNode().Value] = v
			return err
		})
	}
	return true, vals
}

// hide returns a Secret's text with every data and stringData value replaced.
func hide(b []byte, secret bool) string {
	if !secret || len(b) == 0 {
		return string(b)
	}
	n, err := yaml.Parse(string(b))
	if err != nil {
		return "# (not shown: not readable as YAML, and it may hold credentials)\n"
	}
	for _, field := range []string{"data", "stringData"} {
		m := n.Field(field)
		if m == nil || m.Value == nil {
			continue
		}
		_ = m.Value.VisitFields(func(f *yaml.MapNode) error {
			f.Value.YNode().SetString("(hidden)")
			f.Value.YNode().Style = 0
			return nil
		})
	}
	s, err := n.String()
	if err != nil {
		return "# (not shown)\n"
	}
	return s
}
