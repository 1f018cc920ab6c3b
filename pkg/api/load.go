package api

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// CredentialsAnnotation marks a local-config Secret as the reader credentials of one cluster.
const CredentialsAnnotation = "meshgen.dev/credentials-for"

// LocalConfigAnnotation set to "true" keeps an object out of kustomize's and kpt's output. A
// credentials Secret must carry it, or these tools would copy its token into their output.
const LocalConfigAnnotation = "config.kubernetes.io/local-config"

// Credential is what the other clusters need to read one cluster's API server.
type Credential struct {
	Cluster string
	Source  string // where it came from, for messages
	File    string
	Line    int // of the annotation naming the cluster
	Token   string
	CA      []byte
}

// Credentials are keyed by cluster name.
type Credentials map[string]Credential

func (c Credentials) sorted() []Credential {
	s := make([]Credential, 0, len(c))
	for _, v := range c {
		s = append(s, v)
	}
	sort.Slice(s, func(i, j int) bool { return s[i].Cluster < s[j].Cluster })
	return s
}

// Doc is one YAML document and the file it came from.
type Doc struct {
	File string
	Node *yaml.Node
}

// Input is a checked MeshConfig with its defaults filled and the credentials given with it.
type Input struct {
	Config *MeshConfig
	Creds  Credentials
	File   string
	// Warnings are located like errors but do not stop generation.
	Warnings Errors
}

// Load decodes, defaults and validates one MeshConfig and its credential Secrets. Errors carry
// file, line and field path.
func Load(cfg Doc, creds []Doc) (*Input, Errors) {
	c, lines, es := Decode(cfg.Node)
	es.Locate(cfg.File, lines)
	cs, ces := ReadCredentials(creds)
	es = append(es, ces...)
	if c == nil {
		es.Sort()
		return nil, es
	}
	Default(c)
	ves := Validate(c, cs)
	ves.Locate(cfg.File, lines)
	es = append(es, ves...)
	if len(es) > 0 {
		es.Sort()
		return nil, es
	}
	ws := Warnings(c)
	ws.Locate(cfg.File, lines)
	return &Input{Config: c, Creds: cs, File: cfg.File, Warnings: ws}, nil
}

// Sort sorts input documents into MeshConfigs, credentials Secrets and the rest, in their
// order. It is the one place that tells them apart, for the CLI's files and the KRM items.
func Sort(docs []Doc) (cfgs, creds, rest []Doc) {
	for _, d := range docs {
		switch _, k := KindOf(d.Node); {
		case k == Kind:
			cfgs = append(cfgs, d)
		case IsCredentials(d.Node):
			creds = append(creds, d)
		default:
			rest = append(rest, d)
		}
	}
	return cfgs, creds, rest
}

// IsCredentials tells whether a document is a credentials Secret. It looks at the annotation
// alone, so that a Secret broken elsewhere is reported as a broken Secret, not as a stranger.
//
// A Secret whose annotation is a misspelling of CredentialsAnnotation counts too, so that
// ReadCredentials names the misspelling instead of the Secret being taken for a stranger (in
// KRM mode, passed through with its token).
func IsCredentials(n *yaml.Node) bool {
	return lookup(n, "metadata", "annotations", CredentialsAnnotation) != nil || misspelt(n) != ""
}

// misspelt returns an annotation key of n that is close to CredentialsAnnotation but not it.
func misspelt(n *yaml.Node) string {
	a := lookup(n, "metadata", "annotations")
	if a == nil || a.Kind != yaml.MappingNode {
		return ""
	}
	keys := make([]string, 0, len(a.Content)/2)
	for i := 0; i+1 < len(a.Content); i += 2 {
		keys = append(keys, a.Content[i].Value)
	}
	return MisspeltCredentials(keys)
}

// MisspeltCredentials returns the first of an object's annotation keys that is a misspelling
// of CredentialsAnnotation (case, punctuation, up to three letters, or another domain), or ""
// when there is none or the right one is among them.
func MisspeltCredentials(keys []string) string {
	if slices.Contains(keys, CredentialsAnnotation) {
		return ""
	}
	want := squash(CredentialsAnnotation)
	for _, k := range keys {
		sq := squash(k)
		if editDistance(sq, want) <= 3 || (strings.Contains(sq, "meshgen") && strings.Contains(sq, "credential")) {
			return k
		}
	}
	return ""
}

// squash keeps the lower-case letters and digits of s: case and punctuation slips vanish.
func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// editDistance is the Levenshtein distance of two short ASCII strings, at most 64 bytes each
// (longer pairs count as far apart).
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// header is the part of any object that tells what it is.
type header struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name        string            `yaml:"name"`
		Annotations map[string]string `yaml:"annotations"`
	} `yaml:"metadata"`
}

// KindOf returns apiVersion and kind of a document, empty where it has none. It reads just
// these two fields: decoding the whole header fails on a duplicate key or a wrong type
// anywhere in it, and a MeshConfig with such a mistake must still be recognised as one, so
// that its own checks name the field.
func KindOf(n *yaml.Node) (apiVersion, kind string) {
	return scalar(lookup(n, "apiVersion")), scalar(lookup(n, "kind"))
}

// lookup returns the node at a path of mapping keys (the first, where a key repeats), or nil.
func lookup(n *yaml.Node, keys ...string) *yaml.Node {
	n = deref(n)
	for _, k := range keys {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Kind == yaml.ScalarNode && n.Content[i].Value == k {
				next = n.Content[i+1]
				break
			}
		}
		n = deref(next)
	}
	return n
}

func deref(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// lineOf is the line of the node at a path, or else of the object, for messages.
func lineOf(n *yaml.Node, keys ...string) int {
	if v := lookup(n, keys...); v != nil {
		return v.Line
	}
	return deref(n).Line
}

type secret struct {
	header     `yaml:",inline"`
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
}

// ReadCredentials reads credential Secrets; a second Secret for the same cluster is an error,
// since which one wins would be a guess.
func ReadCredentials(docs []Doc) (Credentials, Errors) {
	cs := Credentials{}
	var es Errors
	for _, d := range docs {
		var s secret
		if err := d.Node.Decode(&s); err != nil {
			es = append(es, FieldError{File: d.File, Line: lineOf(d.Node), Msg: fmt.Sprintf("credentials Secret: %v", err)})
			continue
		}
		cluster := s.Metadata.Annotations[CredentialsAnnotation]
		// Each message points at the line of the field it names, not at the document.
		fail := func(at []string, format string, args ...any) {
			es = append(es, FieldError{File: d.File, Line: lineOf(d.Node, at...), Path: strings.Join(at, "."), Msg: fmt.Sprintf("credentials Secret %q: ", s.Metadata.Name) + fmt.Sprintf(format, args...)})
		}
		if k := misspelt(d.Node); k != "" {
			fail([]string{"metadata", "annotations", k}, "annotation %q is misspelt: meshgen reads %s", k, CredentialsAnnotation)
			continue
		}
		annotation := []string{"metadata", "annotations", CredentialsAnnotation}
		if s.APIVersion != "v1" || s.Kind != "Secret" {
			fail([]string{"kind"}, "the %s annotation belongs on a v1 Secret, got %s %s", CredentialsAnnotation, s.APIVersion, s.Kind)
			continue
		}
		if cluster == "" {
			fail(annotation, "must name a cluster")
			continue
		}
		// Refused, but still read, so that the cluster is not also reported as lacking
		// credentials. A missing annotation is reported at the one that names the cluster.
		localConfig := []string{"metadata", "annotations", LocalConfigAnnotation}
		if v, ok := s.Metadata.Annotations[LocalConfigAnnotation]; !ok {
			es = append(es, FieldError{File: d.File, Line: lineOf(d.Node, annotation...), Path: strings.Join(localConfig, "."),
				Msg: fmt.Sprintf("credentials Secret %q: missing annotation %s: \"true\"; without it kustomize and kpt copy the Secret, token included, into their output", s.Metadata.Name, LocalConfigAnnotation)})
		} else if v != "true" {
			fail(localConfig, "annotation %s must be \"true\", got %q; otherwise kustomize and kpt copy the Secret, token included, into their output", LocalConfigAnnotation, v)
		}
		if prev, dup := cs[cluster]; dup {
			fail(annotation, "second credentials for cluster %q (first in %s)", cluster, prev.Source)
			continue
		}
		token, err := value(s.Data, s.StringData, "token")
		if err != nil || token == "" {
			fail(keyPath(s.StringData, "token"), "a non-empty token is required (%v)", orMissing(err))
			continue
		}
		ca, err := value(s.Data, s.StringData, "ca.crt")
		if err != nil {
			fail(keyPath(s.StringData, "ca.crt"), "%v", err)
			continue
		}
		if ca != "" {
			if err := ParseCABundle([]byte(ca)); err != nil {
				fail(keyPath(s.StringData, "ca.crt"), "ca.crt must be a PEM bundle of certificates: %v", err)
				continue
			}
		}
		src := d.File
		if src == "" {
			src = "Secret " + s.Metadata.Name
		}
		cs[cluster] = Credential{Cluster: cluster, Source: src, File: d.File, Line: lineOf(d.Node, annotation...), Token: token, CA: []byte(ca)}
	}
	return cs, es
}

func orMissing(err error) any {
	if err == nil {
		return "missing"
	}
	return err
}

// keyPath is the path of a key as value reads it: in stringData if there, else in data.
func keyPath(stringData map[string]string, key string) []string {
	if _, ok := stringData[key]; ok {
		return []string{"stringData", key}
	}
	return []string{"data", key}
}

// value reads a key from stringData, or else from base64 data, as the API server would merge them.
func value(data, stringData map[string]string, key string) (string, error) {
	if v, ok := stringData[key]; ok {
		return v, nil
	}
	v, ok := data[key]
	if !ok {
		return "", nil
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return "", fmt.Errorf("data.%s is not base64: %v", key, err)
	}
	return string(b), nil
}

// ParseDocs splits YAML (or JSON) into documents, skipping empty ones.
func ParseDocs(file string, b []byte) ([]Doc, error) {
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("not UTF-8 text")
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var docs []Doc
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if len(n.Content) == 0 || (n.Content[0].Kind == yaml.ScalarNode && n.Content[0].Tag == "!!null") {
			continue
		}
		// A document's own line is that of its "---"; messages should point at the object.
		n.Line, n.Column = n.Content[0].Line, n.Content[0].Column
		if n.Content[0].Kind != yaml.MappingNode {
			return nil, fmt.Errorf("line %d: expected an object, got %s", n.Content[0].Line, describe(n.Content[0]))
		}
		docs = append(docs, Doc{File: file, Node: &n})
	}
}
