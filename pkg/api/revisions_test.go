package api

import "testing"

// canaryConfig is the base mesh in step one of a canary upgrade: 1.22.3 (revision old) and
// 1.23.1 (revision new), the default tag on old, the tag next on new.
func canaryConfig(t *testing.T) (*MeshConfig, Credentials) {
	t.Helper()
	c, cs := baseConfig(t)
	ist := &c.Spec.Istio
	ist.Version, ist.Revision, ist.Installer = "1.22.3", "old", InstallerHelm
	ist.Canary = &Canary{Version: "1.23.1", Revision: "new"}
	ist.Tags = map[string]string{DefaultTag: "old", "next": "new"}
	return c, cs
}

func TestValidateRevisions(t *testing.T) {
	// Negative controls: each step of an upgrade, and the one-revision form with tags, pass.
	for name, mutate := range map[string]func(*MeshConfig){
		"step 1": func(*MeshConfig) {},
		"step 2": func(c *MeshConfig) { c.Spec.Istio.Tags[DefaultTag] = "new" },
		"step 3": func(c *MeshConfig) {
			ist := &c.Spec.Istio
			ist.Version, ist.Revision, ist.Canary, ist.Tags = "1.23.1", "new", nil, map[string]string{DefaultTag: "new"}
		},
		"a namespace on a named tag": func(c *MeshConfig) { c.Spec.Namespaces[0].Tag = "next" },
		"two minors ahead":           func(c *MeshConfig) { c.Spec.Istio.Canary.Version = "1.24.0" },
		"operator below 1.24":        func(c *MeshConfig) { c.Spec.Istio.Installer, c.Spec.Istio.Canary.Version = InstallerOperator, "1.23.1" },
		"tags without a default, every namespace naming one": func(c *MeshConfig) {
			c.Spec.Istio.Tags = map[string]string{"stable": "old", "next": "new"}
			c.Spec.Namespaces[0].Tag = "stable"
		},
	} {
		c, cs := canaryConfig(t)
		mutate(c)
		if es := Validate(c, cs); es != nil {
			t.Errorf("%s: %v", name, es)
		}
	}

	tests := []rejection{
		{"tag at an unknown revision", func(c *MeshConfig) { c.Spec.Istio.Tags["next"] = "newer" }, "spec.istio.tags.next", `unknown revision "newer"; the mesh has old, new`},
		{"tag at the removed revision", func(c *MeshConfig) { c.Spec.Istio.Canary = nil }, "spec.istio.tags.next", `unknown revision "new"; the mesh has old`},
		{"tag named like a revision", func(c *MeshConfig) { c.Spec.Istio.Tags["new"] = "new" }, "spec.istio.tags.new", "is a revision"},
		{"tag not a DNS label", func(c *MeshConfig) { c.Spec.Istio.Tags["Next"] = "new" }, "spec.istio.tags.Next", "DNS label"},
		{"two revisions with one name", func(c *MeshConfig) { c.Spec.Istio.Canary.Revision = "old" }, "spec.istio.canary.revision", "cannot share a revision"},
		{"canary revision missing", func(c *MeshConfig) { c.Spec.Istio.Canary.Revision = "" }, "spec.istio.canary.revision", "required"},
		{"canary without a revision of the mesh", func(c *MeshConfig) { c.Spec.Istio.Revision = "" }, "spec.istio.revision", "required with spec.istio.canary"},
		{"tags without a revision", func(c *MeshConfig) {
			c.Spec.Istio.Revision, c.Spec.Istio.Canary = "", nil
		}, "spec.istio.tags", "need spec.istio.revision"},
		{"canary without tags", func(c *MeshConfig) { c.Spec.Istio.Tags = nil }, "spec.istio.tags", "required with spec.istio.canary"},
		{"canary version missing", func(c *MeshConfig) { c.Spec.Istio.Canary.Version = "" }, "spec.istio.canary.version", "required"},
		{"canary version not semver", func(c *MeshConfig) { c.Spec.Istio.Canary.Version = "1.23" }, "spec.istio.canary.version", "release like"},
		{"canary older", func(c *MeshConfig) { c.Spec.Istio.Canary.Version = "1.21.0" }, "spec.istio.canary.version", "older than spec.istio.version"},
		{"canary three minors ahead", func(c *MeshConfig) { c.Spec.Istio.Canary.Version = "1.25.0" }, "spec.istio.canary.version", "more than 2 minor releases ahead"},
		{"operator canary on 1.24", func(c *MeshConfig) {
			c.Spec.Istio.Installer, c.Spec.Istio.Canary.Version = InstallerOperator, "1.24.0"
		}, "spec.istio.canary.version", "cannot be installed by spec.istio.installer operator"},
		{"namespace tag unknown", func(c *MeshConfig) { c.Spec.Namespaces[0].Tag = "stable" }, "spec.namespaces[0].tag", `unknown tag "stable"; spec.istio.tags has default, next`},
		{"namespace tag without tags", func(c *MeshConfig) {
			c.Spec.Istio.Canary, c.Spec.Istio.Tags = nil, nil
			c.Spec.Namespaces[0].Tag = "stable"
		}, "spec.namespaces[0].tag", "needs spec.istio.tags"},
		{"ambient", func(c *MeshConfig) { c.Spec.Dataplane = DataplaneAmbient }, "spec.istio", "not supported with spec.dataplane ambient"},
		{"no default tag to fall back on", func(c *MeshConfig) {
			c.Spec.Istio.Tags = map[string]string{"stable": "old", "next": "new"}
		}, "spec.namespaces[0].tag", `no "default" tag`},
	}
	wantRejections(t, canaryConfig, tests)
}

func TestInjection(t *testing.T) {
	c, _ := canaryConfig(t)
	s := &c.Spec
	for _, tc := range []struct {
		ns         Namespace
		tags       map[string]string
		revision   string
		key, value string
	}{
		{Namespace{Name: "a"}, s.Istio.Tags, "old", RevisionLabel, DefaultTag},
		{Namespace{Name: "a", Tag: "next"}, s.Istio.Tags, "old", RevisionLabel, "next"},
		{Namespace{Name: "a"}, nil, "old", RevisionLabel, "old"},
		{Namespace{Name: "a"}, nil, "", InjectionLabel, "enabled"},
	} {
		s.Istio.Tags, s.Istio.Revision = tc.tags, tc.revision
		if k, v := s.Injection(&tc.ns); k != tc.key || v != tc.value {
			t.Errorf("%+v with tags %v, revision %q: %s=%s, want %s=%s", tc.ns, tc.tags, tc.revision, k, v, tc.key, tc.value)
		}
	}
}

func TestGateways(t *testing.T) {
	c, _ := canaryConfig(t)
	ist := &c.Spec.Istio
	if g := ist.Gateways(); g.Revision != "old" || g.Version != "1.22.3" {
		t.Errorf("step 1: gateways on %+v, want old", g)
	}
	ist.Tags[DefaultTag] = "new"
	if g := ist.Gateways(); g.Revision != "new" || g.Version != "1.23.1" {
		t.Errorf("step 2: gateways on %+v, want new", g)
	}
	delete(ist.Tags, DefaultTag)
	if g := ist.Gateways(); g.Revision != "old" {
		t.Errorf("no default tag: gateways on %+v, want spec.istio's", g)
	}
}
