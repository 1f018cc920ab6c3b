// Package yamlenc writes JSON documents as the YAML that sigs.k8s.io/yaml writes for them:
// keys sorted, yaml.v2's quoting and indentation. Those are the bytes users' trees and diffs
// already hold. Going there through yaml.v2's parser and emitter cost more than everything
// else meshgen did, and paid yaml.v2's start-up in every process, so the common case is
// written directly and only what the direct writer does not cover takes that path.
package yamlenc

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"sigs.k8s.io/yaml"
)

// Append appends the YAML of the JSON object j to dst. The same JSON always gives the same
// bytes: those of slow, which the tests compare with.
func Append(dst, j []byte) ([]byte, error) {
	w := writers.Get().(*writer)
	defer writers.Put(w)
	if out, ok := w.appendYAML(dst, j); ok {
		return out, nil
	}
	b, err := slow(j)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

var writers = sync.Pool{New: func() any { return new(writer) }}

// slow is the reference: the JSON decoded into maps, numbers kept as written, and handed to
// sigs.k8s.io/yaml.
func slow(j []byte) ([]byte, error) {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(j))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	return yaml.Marshal(m)
}

// The writer below produces, for one JSON object, the bytes slow produces. It covers what
// generated manifests hold: printable ASCII strings on one line, integers, true,
// false, null, objects and arrays. Anything else (non-ASCII or control characters, line
// breaks, floats, nested arrays, keys of more than 128 bytes, strings that yaml.v2 would fold
// at 80 columns, duplicate keys) makes it give up, and the document takes the slow path. The
// rules it follows are yaml.v2's as sigs.k8s.io/yaml drives it: sort keys with yaml.v2's
// order, choose plain, single- or double-quoted style as yaml.v2's emitter does, indent
// mappings by two and sequences not at all.

type kind uint8

const (
	kString  kind = iota
	kNumber       // as JSON wrote it
	kLiteral      // true, false or null, written as is
	kObject
	kArray
)

// node is one JSON value. Children of an object or array are w.nodes[first:first+n], so a
// whole document lives in one slice that the pool reuses.
type node struct {
	key   []byte // member name, inside an object
	val   []byte // scalar text, a string already unescaped
	kind  kind
	first int32
	n     int32
}

type writer struct {
	j     []byte
	pos   int
	nodes []node
	stack []node
	out   []byte
	// line is where the current output line starts, for the column yaml.v2 folds at.
	line int
	fail bool
}

// appendYAML appends the YAML of the JSON object j to dst; false means it is outside what the
// writer covers, and dst is unchanged.
func (w *writer) appendYAML(dst, j []byte) ([]byte, bool) {
	w.j, w.pos, w.fail = j, 0, false
	w.nodes, w.stack = w.nodes[:0], w.stack[:0]
	w.skipSpace()
	root := w.value()
	if w.fail || root.kind != kObject {
		return dst, false
	}
	w.out, w.line = dst, len(dst)
	if root.n == 0 {
		w.out = append(w.out, "{}\n"...)
	} else {
		w.mapping(&root, 0, false)
	}
	out := w.out
	w.out, w.j = nil, nil
	if w.fail {
		return dst, false
	}
	return out, true
}

func (w *writer) kids(n *node) []node { return w.nodes[n.first : n.first+n.n] }

func (w *writer) skipSpace() {
	for w.pos < len(w.j) {
		switch w.j[w.pos] {
		case ' ', '\t', '\n', '\r':
			w.pos++
		default:
			return
		}
	}
}

// value parses one JSON value. The input comes from encoding/json, so it is valid; any
// surprise still only sets fail.
func (w *writer) value() node {
	if w.pos >= len(w.j) {
		w.fail = true
		return node{}
	}
	switch c := w.j[w.pos]; {
	case c == '{':
		return w.container(kObject, '}')
	case c == '[':
		return w.container(kArray, ']')
	case c == '"':
		return node{kind: kString, val: w.str()}
	case c == 't' || c == 'f' || c == 'n':
		start := w.pos
		for w.pos < len(w.j) && w.j[w.pos] >= 'a' && w.j[w.pos] <= 'z' {
			w.pos++
		}
		return node{kind: kLiteral, val: w.j[start:w.pos]}
	case c == '-' || c >= '0' && c <= '9':
		start := w.pos
		for w.pos < len(w.j) && bytes.IndexByte([]byte("+-.0123456789eE"), w.j[w.pos]) >= 0 {
			w.pos++
		}
		return node{kind: kNumber, val: w.j[start:w.pos]}
	}
	w.fail = true
	return node{}
}

func (w *writer) container(k kind, end byte) node {
	w.pos++
	mark := len(w.stack)
	w.skipSpace()
	if w.pos < len(w.j) && w.j[w.pos] == end {
		w.pos++
		return node{kind: k, first: int32(len(w.nodes))}
	}
	for !w.fail {
		var key []byte
		if k == kObject {
			w.skipSpace()
			if w.pos >= len(w.j) || w.j[w.pos] != '"' {
				w.fail = true
				break
			}
			key = w.str()
			w.skipSpace()
			if w.pos >= len(w.j) || w.j[w.pos] != ':' {
				w.fail = true
				break
			}
			w.pos++
		}
		w.skipSpace()
		v := w.value()
		v.key = key
		w.stack = append(w.stack, v)
		w.skipSpace()
		if w.pos >= len(w.j) {
			w.fail = true
			break
		}
		c := w.j[w.pos]
		w.pos++
		if c == end {
			break
		}
		if c != ',' {
			w.fail = true
		}
	}
	n := node{kind: k, first: int32(len(w.nodes)), n: int32(len(w.stack) - mark)}
	w.nodes = append(w.nodes, w.stack[mark:]...)
	w.stack = w.stack[:mark]
	if k == kObject && !w.fail {
		w.fail = !sortKeys(w.kids(&n))
	}
	return n
}

// str parses a JSON string. Strings without escapes, nearly all of them, stay slices of the
// input.
func (w *writer) str() []byte {
	start := w.pos
	w.pos++
	escaped := false
	for w.pos < len(w.j) {
		switch w.j[w.pos] {
		case '\\':
			escaped = true
			w.pos += 2
			continue
		case '"':
			w.pos++
			if !escaped {
				return w.j[start+1 : w.pos-1]
			}
			var s string
			if err := json.Unmarshal(w.j[start:w.pos], &s); err != nil {
				w.fail = true
			}
			return []byte(s)
		}
		w.pos++
	}
	w.fail = true
	return nil
}

func (w *writer) newline() {
	w.out = append(w.out, '\n')
	w.line = len(w.out)
}

func (w *writer) indent(n int) {
	for ; n > 0; n-- {
		w.out = append(w.out, ' ')
	}
}

// mapping writes a block mapping with its keys at column indent. inItem means the first key
// goes on the line a sequence's "- " started.
func (w *writer) mapping(m *node, indent int, inItem bool) {
	first := true
	for i := range w.kids(m) {
		c := &w.nodes[int(m.first)+i]
		if !first || !inItem {
			w.indent(indent)
		}
		first = false
		w.key(c.key)
		w.out = append(w.out, ':')
		switch {
		case c.kind == kObject && c.n == 0:
			w.out = append(w.out, " {}"...)
			w.newline()
		case c.kind == kObject:
			w.newline()
			w.mapping(c, indent+2, false)
		case c.kind == kArray && c.n == 0:
			w.out = append(w.out, " []"...)
			w.newline()
		case c.kind == kArray:
			// yaml.v2 does not indent a sequence that is a mapping's value.
			w.newline()
			w.sequence(c, indent)
		default:
			w.out = append(w.out, ' ')
			w.scalar(c)
			w.newline()
		}
		if w.fail {
			return
		}
	}
}

func (w *writer) sequence(s *node, indent int) {
	for i := range w.kids(s) {
		c := &w.nodes[int(s.first)+i]
		w.indent(indent)
		w.out = append(w.out, "- "...)
		switch {
		case c.kind == kObject && c.n == 0:
			w.out = append(w.out, "{}"...)
			w.newline()
		case c.kind == kObject:
			w.mapping(c, indent+2, true)
		case c.kind == kArray && c.n == 0:
			w.out = append(w.out, "[]"...)
			w.newline()
		case c.kind == kArray:
			w.fail = true
		default:
			w.scalar(c)
			w.newline()
		}
		if w.fail {
			return
		}
	}
}

// key writes a mapping key. yaml.v2 writes keys longer than 128 bytes as "? key", and never
// folds a key.
func (w *writer) key(k []byte) {
	if len(k) > 128 || string(k) == "<<" {
		w.fail = true
		return
	}
	w.str2yaml(k, false)
}

func (w *writer) scalar(n *node) {
	switch n.kind {
	case kLiteral:
		w.out = append(w.out, n.val...)
	case kNumber:
		if !isInteger(n.val) {
			w.fail = true
			return
		}
		w.out = append(w.out, n.val...)
	default:
		w.str2yaml(n.val, true)
	}
}

// isInteger tells whether JSON number text reads back from YAML as the same integer, which
// yaml.v2 then writes in the same digits.
func isInteger(b []byte) bool {
	digits := b
	if len(b) > 0 && b[0] == '-' {
		digits = b[1:]
	}
	if len(digits) == 0 || len(digits) > 18 || digits[0] == '0' && len(b) > 1 {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// bestWidth is the column past which yaml.v2 folds plain and quoted scalars at a space.
const bestWidth = 80

// str2yaml writes a string as yaml.v2 would: plain when it reads back as the same string and
// no indicator forbids it, else single-quoted; double-quoted when plain would read back as
// another type. folds tells whether yaml.v2 could fold it here (values, not keys).
func (w *writer) str2yaml(s []byte, folds bool) {
	lastSpace := -1
	for i, c := range s {
		if c < 0x20 || c > 0x7e {
			w.fail = true
			return
		}
		if c == ' ' {
			lastSpace = i
		}
	}
	// The +1 is a quote; a string that could reach past the fold column goes the slow way.
	if folds && lastSpace >= 0 && len(w.out)-w.line+1+lastSpace > bestWidth {
		w.fail = true
		return
	}
	switch {
	case !readsAsString(s):
		w.out = append(w.out, '"')
		for _, c := range s {
			if c == '"' || c == '\\' {
				w.out = append(w.out, '\\')
			}
			w.out = append(w.out, c)
		}
		w.out = append(w.out, '"')
	case plainAllowed(s):
		w.out = append(w.out, s...)
	default:
		w.out = append(w.out, '\'')
		for _, c := range s {
			if c == '\'' {
				w.out = append(w.out, '\'')
			}
			w.out = append(w.out, c)
		}
		w.out = append(w.out, '\'')
	}
}

// plainAllowed is yaml.v2's emitter test for a plain scalar in block context, for one line
// of printable ASCII: no leading or trailing space, no indicator that would change its
// meaning.
func plainAllowed(s []byte) bool {
	n := len(s)
	if n == 0 || s[0] == ' ' || s[n-1] == ' ' {
		return false
	}
	if n >= 3 && (string(s[:3]) == "---" || string(s[:3]) == "...") {
		return false
	}
	spaceAfter := func(i int) bool { return i+1 >= n || s[i+1] == ' ' }
	switch s[0] {
	case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	case '?', ':', '-':
		if spaceAfter(0) {
			return false
		}
	}
	for i := 1; i < n; i++ {
		switch s[i] {
		case ':':
			if spaceAfter(i) {
				return false
			}
		case '#':
			if s[i-1] == ' ' {
				return false
			}
		}
	}
	return true
}

// readsAsString tells whether yaml.v2 would read the plain scalar s back as a string, rather
// than as a bool, null, number or timestamp, or refuse to write it plain (base-60 floats).
func readsAsString(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	switch c := s[0]; {
	case c == '.':
		switch string(s) {
		case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF":
			return false
		}
		_, err := strconv.ParseFloat(string(s), 64)
		return err != nil
	case bytes.IndexByte([]byte("yYnNtTfFoO~"), c) >= 0:
		switch string(s) {
		case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
			"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
			"~", "null", "Null", "NULL":
			return false
		}
		return true
	case c == '+' || c == '-' || c >= '0' && c <= '9':
		return !numberLike(string(s))
	}
	return true
}

// numberLike is yaml.v2's resolution of a plain scalar that starts with a sign or a digit.
func numberLike(s string) bool {
	switch s {
	case "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
		return true
	}
	if isTimestamp(s) || isBase60(s) {
		return true
	}
	plain := strings.ReplaceAll(s, "_", "")
	if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return true
	}
	if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return true
	}
	if isYAMLFloat(plain) {
		if _, err := strconv.ParseFloat(plain, 64); err == nil {
			return true
		}
	}
	if rest, ok := strings.CutPrefix(plain, "0b"); ok {
		if _, err := strconv.ParseInt(rest, 2, 64); err == nil {
			return true
		}
		if _, err := strconv.ParseUint(rest, 2, 64); err == nil {
			return true
		}
	} else if rest, ok := strings.CutPrefix(plain, "-0b"); ok {
		if _, err := strconv.ParseInt("-"+rest, 2, 64); err == nil {
			return true
		}
	}
	return false
}

// isYAMLFloat matches [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
func isYAMLFloat(s string) bool {
	i := 0
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	} else {
		if digits() == 0 {
			return false
		}
		if i < len(s) && s[i] == '.' {
			i++
			digits()
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// timestampLayouts are the timestamp forms yaml.v2 recognises in plain scalars.
var timestampLayouts = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

func isTimestamp(s string) bool {
	if len(s) < 5 || s[4] != '-' {
		return false
	}
	for i := 0; i < 4; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	for _, l := range timestampLayouts {
		if _, err := time.Parse(l, s); err == nil {
			return true
		}
	}
	return false
}

// isBase60 matches [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?, YAML 1.1's sexagesimal
// numbers, which yaml.v2 quotes although it no longer reads them.
func isBase60(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if i >= len(s) || s[i] < '0' || s[i] > '9' {
		return false
	}
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '_') {
		i++
	}
	groups := 0
	for i < len(s) && s[i] == ':' {
		i++
		switch {
		case i+1 < len(s) && s[i] >= '0' && s[i] <= '5' && s[i+1] >= '0' && s[i+1] <= '9':
			i += 2
		case i < len(s) && s[i] >= '0' && s[i] <= '9':
			i++
		default:
			return false
		}
		groups++
	}
	if groups == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '_') {
			i++
		}
	}
	return i == len(s)
}

// sortKeys orders object members as yaml.v2 orders map keys, and reports whether that order
// is the only one. yaml.v2's order is not transitive for every set of keys ("v1alpha1" <
// "v2" < "v10" < "v1alpha1"); for such a set its output depends on the map's random
// iteration order, and no writer can match it byte for byte. Equal keys, which JSON decoding
// resolves by keeping the last, are left to the slow path too.
func sortKeys(kids []node) bool {
	// Objects are small; insertion sort beats sort.Slice's overhead and needs no closure.
	for i := 1; i < len(kids); i++ {
		for j := i; j > 0 && keyLess(kids[j].key, kids[j-1].key); j-- {
			kids[j], kids[j-1] = kids[j-1], kids[j]
		}
	}
	// The order is unique exactly when every earlier key is less than every later one.
	for i := range kids {
		for j := i + 1; j < len(kids); j++ {
			if !keyLess(kids[i].key, kids[j].key) {
				return false
			}
		}
	}
	return true
}

// keyLess is yaml.v2's key order for ASCII strings: at the first difference a letter sorts
// after anything else, two letters by code, and runs of digits by their numeric value, so
// "port9" comes before "port10". Non-ASCII keys never get here: str2yaml refuses them when
// the key is written.
func keyLess(a, b []byte) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] == b[i] {
			continue
		}
		al, bl := isLetter(a[i]), isLetter(b[i])
		if al && bl {
			return a[i] < b[i]
		}
		if al || bl {
			return bl
		}
		var an, bn int64
		if a[i] == '0' || b[i] == '0' {
			// A zero inside a number (the "0" of "10") counts as a digit of it.
			for j := i - 1; j >= 0 && isDigit(a[j]); j-- {
				if a[j] != '0' {
					an, bn = 1, 1
					break
				}
			}
		}
		ai, bi := i, i
		for ; ai < len(a) && isDigit(a[ai]); ai++ {
			an = an*10 + int64(a[ai]-'0')
		}
		for ; bi < len(b) && isDigit(b[bi]); bi++ {
			bn = bn*10 + int64(b[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return a[i] < b[i]
	}
	return len(a) < len(b)
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
