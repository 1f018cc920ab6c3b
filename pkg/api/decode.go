package api

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// maxNodes bounds the work of following YAML aliases, so that an alias bomb fails fast.
const maxNodes = 100000

// Decode turns one YAML node into a MeshConfig. Unlike a plain unmarshal, it reports every
// unknown field, wrong type and duplicate key with its field path, and it records the line of
// each path so later checks can point at the input.
func Decode(n *yaml.Node) (*MeshConfig, map[string]int, Errors) {
	d := &decoder{lines: map[string]int{}}
	cfg := &MeshConfig{}
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	d.value(n, reflect.ValueOf(cfg).Elem(), "")
	if len(d.errs) > 0 {
		return nil, d.lines, d.errs
	}
	return cfg, d.lines, nil
}

type decoder struct {
	errs  Errors
	lines map[string]int
	seen  int  // nodes visited, aliases and merges followed included
	over  bool // seen passed maxNodes; reported once
}

// spend counts k more nodes against maxNodes. Past it, it reports the error once and returns
// false, and the caller stops.
func (d *decoder) spend(n *yaml.Node, path string, k int) bool {
	d.seen += k
	if d.seen <= maxNodes {
		return true
	}
	if !d.over {
		d.over = true
		d.fail(n, path, "input too complex: more than %d YAML nodes (alias expansion?)", maxNodes)
	}
	return false
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, FieldError{Line: n.Line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) value(n *yaml.Node, v reflect.Value, path string) {
	if !d.spend(n, path, 1) {
		return
	}
	if n.Kind == yaml.AliasNode {
		d.value(n.Alias, v, path)
		return
	}
	if path != "" {
		d.lines[path] = n.Line
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.value(n, v.Elem(), path)
	case reflect.Struct:
		d.object(n, v, path)
	case reflect.Map:
		if v.Type() == freeMap {
			if m, ok := d.free(n, path).(map[string]any); ok {
				v.Set(reflect.ValueOf(m))
			} else {
				d.fail(n, path, "expected a mapping, got %s", describe(n))
			}
			return
		}
		d.stringMap(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.fail(n, path, "expected a list, got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.value(c, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.fail(n, path, "expected a string, got %s", describe(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Int:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			d.fail(n, path, "expected an integer, got %s", describe(n))
			return
		}
		i, err := strconv.ParseInt(n.Value, 0, 32)
		if err != nil {
			d.fail(n, path, "expected an integer, got %q", n.Value)
			return
		}
		v.SetInt(i)
	case reflect.Bool:
		// An explicit !!bool tag can carry any text; only true and false are booleans.
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || err != nil {
			d.fail(n, path, "expected true or false, got %s", describe(n))
			return
		}
		v.SetBool(b)
	default:
		d.fail(n, path, "unsupported field type %s", v.Type())
	}
}

func (d *decoder) object(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping, got %s", describe(n))
		return
	}
	fields := fieldsOf(v.Type())
	seen := map[string]bool{}
	for _, e := range d.entries(n, path) {
		k, val := e.key, e.value
		p := join(path, k.Value)
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, "expected a field name, got %s", describe(k))
			continue
		}
		if seen[k.Value] {
			if !e.merged {
				d.fail(k, p, "duplicate field")
			}
			continue
		}
		seen[k.Value] = true
		idx, ok := fields[k.Value]
		if !ok {
			d.fail(k, p, "unknown field (known: %s)", strings.Join(fieldNames(v.Type()), ", "))
			continue
		}
		d.value(val, v.Field(idx), p)
	}
}

func (d *decoder) stringMap(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping of strings, got %s", describe(n))
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	for _, e := range d.entries(n, path) {
		k, val := e.key, e.value
		p := join(path, k.Value)
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, "expected a key, got %s", describe(k))
			continue
		}
		if m.MapIndex(reflect.ValueOf(k.Value)).IsValid() {
			if !e.merged {
				d.fail(k, p, "duplicate key")
			}
			continue
		}
		if val.Kind == yaml.AliasNode {
			val = val.Alias
		}
		if val.Kind != yaml.ScalarNode {
			d.fail(val, p, "expected a string, got %s", describe(val))
			continue
		}
		m.SetMapIndex(reflect.ValueOf(k.Value), reflect.ValueOf(val.Value))
	}
	v.Set(m)
}

// freeMap is the type of a free-form field, such as a webhook solver's config.
var freeMap = reflect.TypeFor[map[string]any]()

// free decodes a free-form value into what encoding/json writes back: maps with string keys,
// lists, strings, booleans, int64 and finite float64. Every node counts against maxNodes, so an
// alias bomb inside it fails like anywhere else.
func (d *decoder) free(n *yaml.Node, path string) any {
	if !d.spend(n, path, 1) {
		return nil
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil
		}
		return d.free(n.Alias, path)
	case yaml.MappingNode:
		m := map[string]any{}
		for _, e := range d.entries(n, path) {
			if e.key.Kind != yaml.ScalarNode {
				d.fail(e.key, path, "expected a key, got %s", describe(e.key))
				continue
			}
			p := join(path, e.key.Value)
			if _, dup := m[e.key.Value]; dup {
				if !e.merged {
					d.fail(e.key, p, "duplicate key")
				}
				continue
			}
			m[e.key.Value] = d.free(e.value, p)
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, c := range n.Content {
			l[i] = d.free(c, fmt.Sprintf("%s[%d]", path, i))
		}
		return l
	}
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		if b, err := strconv.ParseBool(strings.ToLower(n.Value)); err == nil {
			return b
		}
	case "!!int":
		if i, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
			return i
		}
		d.fail(n, path, "expected a 64-bit integer, got %q", n.Value)
		return nil
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f
		}
		d.fail(n, path, "expected a finite number, got %q", n.Value)
		return nil
	}
	return n.Value
}

type entry struct {
	key, value *yaml.Node
	merged     bool // from a merge key: yields to the mapping's own keys and earlier merges
}

// entries returns a mapping's pairs with YAML merge keys resolved ("<<: *defaults", or a list
// of aliases): its own pairs first, then the merged ones, so that its own keys win and, among
// several merged mappings, the first does, as the merge key's definition says.
func (d *decoder) entries(n *yaml.Node, path string) []entry {
	var own, merged []entry
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!merge" {
			own = append(own, entry{key: k, value: val})
			continue
		}
		val = resolveAlias(val)
		sources := []*yaml.Node{val}
		if val.Kind == yaml.SequenceNode {
			sources = val.Content
		}
		for _, src := range sources {
			src = resolveAlias(src)
			if !d.spend(src, path, len(src.Content)) {
				return own
			}
			if src.Kind != yaml.MappingNode {
				d.fail(src, join(path, "<<"), "a merge takes a mapping or a list of mappings, got %s", describe(src))
				continue
			}
			for _, e := range d.entries(src, path) {
				e.merged = true
				merged = append(merged, e)
			}
		}
	}
	return append(own, merged...)
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	switch n.Tag {
	case "!!str":
		return fmt.Sprintf("string %q", n.Value)
	case "!!float":
		return "number " + n.Value
	case "!!null":
		return "null"
	}
	return n.Value
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// fieldsOf maps JSON field names to struct field indexes; the json tags are the schema.
func fieldsOf(t reflect.Type) map[string]int {
	m := make(map[string]int, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		m[jsonName(t.Field(i))] = i
	}
	return m
}

func fieldNames(t reflect.Type) []string {
	s := make([]string, t.NumField())
	for i := range s {
		s[i] = jsonName(t.Field(i))
	}
	return s
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}
