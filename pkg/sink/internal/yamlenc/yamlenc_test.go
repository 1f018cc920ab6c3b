package yamlenc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// tricky strings exercise every rule of the style choice: values yaml.v2 would read as
// another type, indicators, quotes, and what the writer leaves to the slow path.
var tricky = []string{
	"", "a", "plain", "true", "True", "TRUE", "false", "yes", "Yes", "no", "NO", "on", "Off", "y", "n", "Y", "N",
	"~", "null", "Null", "NULL", "nil", "0", "1", "-1", "+1", "007", "1.5", ".5", "5.", "-.5", "1e3", "1E-3", "-1e+3",
	"0x1F", "0o17", "0b101", "-0b101", "1_000", "1__0", "_1", "0.1.2", "1.12.0", "10.0.0.1", ".inf", ".Inf", "-.inf",
	"+.INF", ".nan", ".NaN", ".", "..", "...", "...x", "---", "---x", "--", "-", "- a", "-a", "a-", "1:20",
	"190:20:30.15", "1:60", "1:2:3", "+1:20", "-1:20", "1_0:20", "1:20.5_", "12:", ":12", "2001-12-14", "2001-1-2",
	"2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "2001-12-14T21:59:43Z", "2001-13-45", "20011-12-14",
	"*.local", "*", "&a", "!a", "|", ">", "'", "\"", "%", "@", "`", "#", "#a", "a#", "a #b", "a#b", ",", ",a", "a,b",
	"[", "[a]", "]", "{", "{}", "}", "?", "? a", "?a", "a?", ":", ": a", ":a", "a:", "a: b", "a:b", "a :b", "<<", "<",
	"=", "a=b", " lead", "trail ", " ", "  ", "a  b", "it's", "'quoted'", `say "hi"`, `back\slash`, `\`, `{"a":"b"}`,
	"a/b", "https://example.com:443/x?y=z#w", "c-f7r9g:istio", "role=ingress", "app.kubernetes.io/managed-by",
	"héllo", "tab\there", "line\nbreak", "trailing\n", "\x00", "\x7f", "\u2028", "\ufeff", "<script>&", "a\u00a0b",
	"mtr.external.otc.telekomcloud.com/istio", "Istio Manage Project",
	strings.Repeat("x", 200), strings.Repeat("word ", 30), strings.Repeat("a", 70) + " " + strings.Repeat("b", 20),
	strings.Repeat("k", 128), strings.Repeat("k", 129),
}

// keys exercise yaml.v2's key order: letters after other characters, numbers by value.
var keys = []string{
	"a", "b", "A", "Z", "_a", "-a", ".a", "a1", "a2", "a9", "a10", "a09", "a010", "a0", "a00", "a001", "a1b", "a10b",
	"port-9", "port-10", "x0y", "x00y", "b1c10", "b01c2", "1", "2", "10", "01", "9", "0", "", "aa", "ab", "a_b", "a-b",
	"a.b", "a/b", "apiVersion", "kind", "metadata", "spec", "data", "type", "1a", "10a", "z9", "z10", "z010", "z0010",
	"v1", "v1alpha1", "v1beta1", "v10", "v2", "k8s", "k9s", "k10s",
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// checkJSON compares the writer with the reference on one JSON document and reports whether
// the writer covered it.
func checkJSON(t *testing.T, j string) bool {
	t.Helper()
	want, err := slow([]byte(j))
	got, ok := new(writer).appendYAML([]byte("prefix"), []byte(j))
	if err != nil {
		// yaml.v2 refuses some characters (DEL, for one); Append must then fail as it did.
		if ok {
			t.Errorf("JSON %q: the reference fails (%v), the writer does not", j, err)
		}
		return false
	}
	if !bytes.HasPrefix(got, []byte("prefix")) {
		t.Fatalf("%s: the writer lost what was before it", j)
	}
	if ok && !bytes.Equal(got[len("prefix"):], want) {
		t.Errorf("JSON %s\n--- reference\n%s--- writer\n%s", j, want, got[len("prefix"):])
	}
	return ok
}

func TestWriterStrings(t *testing.T) {
	covered := 0
	for _, s := range tricky {
		for _, j := range []string{
			`{"v":` + quote(s) + `}`,
			`{"metadata":{"labels":{"k":` + quote(s) + `}}}`,
			`{"spec":{"list":[` + quote(s) + `,{"x":` + quote(s) + `,"y":[` + quote(s) + `]}]}}`,
			`{` + quote(s) + `:1}`,
			`{"a":{` + quote(s) + `:{"b":` + quote(s) + `}}}`,
			`{"deeply":{"nested":{"mapping":{"with":{"a":{"long":{"way":{"to":{"the":{"right":` + quote(s) + `}}}}}}}}}}`,
		} {
			if checkJSON(t, j) {
				covered++
			}
		}
	}
	// The writer exists to avoid the slow path; most of these must not take it.
	if covered < len(tricky)*6*3/4 {
		t.Errorf("the writer covered only %d of %d documents", covered, len(tricky)*6)
	}
}

// ordered are keys on which yaml.v2's order is transitive, as on real manifests' keys.
var ordered = []string{
	"", "-a", ".a", "_a", "0", "1", "2", "9", "10", "A", "Z", "a", "a-b", "a.b", "a/b", "a_b", "a1", "a2", "a9", "a10",
	"aa", "ab", "apiVersion", "b", "b1c10", "b01c2", "data", "k8s", "k9s", "k10s", "kind", "metadata", "port-9",
	"port-10", "spec", "type", "x00y", "x0y", "z9", "z10",
}

func object(keys []string) string {
	var b strings.Builder
	b.WriteString("{")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "%s:%d", quote(k), i)
	}
	b.WriteString("}")
	return b.String()
}

func TestWriterKeyOrder(t *testing.T) {
	if !checkJSON(t, object(ordered)) {
		t.Error("the writer did not cover keys in a transitive order")
	}
	// Here yaml.v2's order has cycles; its output then varies from run to run.
	if checkJSON(t, object(keys)) {
		t.Error("the writer covered keys whose order has cycles")
	}
	var b strings.Builder
	r := rand.New(rand.NewPCG(6, 6))
	for n := 0; n < 2000; n++ {
		b.Reset()
		b.WriteString("{")
		seen := map[string]bool{}
		for i := 0; i < 2+r.IntN(6); i++ {
			k := keys[r.IntN(len(keys))] + keys[r.IntN(len(keys))]
			if seen[k] {
				continue
			}
			seen[k] = true
			if len(seen) > 1 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "%s:%s", quote(k), quote(tricky[r.IntN(len(tricky))]))
		}
		b.WriteString("}")
		checkJSON(t, b.String())
	}
}

// TestWriterValues: each value either takes the writer, which must match the reference, or
// falls back (want set), and then Append must write exactly want: a fallback is compared with
// the bytes users' trees hold, not with the reference it calls.
func TestWriterValues(t *testing.T) {
	for _, tt := range []struct{ j, want string }{
		{`{}`, ""},
		{`{"a":null,"b":true,"c":false,"d":0,"e":-5,"f":123456789012,"g":[],"h":{}}`, ""},
		{`{"n":1.5}`, "\"n\": 1.5\n"},
		{`{"n":1e10}`, "\"n\": 1e+10\n"},
		{`{"n":-0}`, "\"n\": 0\n"},
		{`{"n":12345678901234567890}`, "\"n\": 12345678901234567890\n"},
		{`{"n":123456789012345678901234}`, "\"n\": 1.2345678901234569e+23\n"},
		{`{"n":999999999999999999}`, ""},
		{`{"n":-999999999999999999}`, ""},
		{`{"n":9223372036854775807}`, "\"n\": 9223372036854775807\n"},
		{`{"a":[[1,2],[]]}`, "a:\n- - 1\n  - 2\n- []\n"},
		{`{"a":[[]]}`, ""}, {`{"a":[{}]}`, ""}, {`{"a":[{"b":[]}]}`, ""}, {`{"a":[{"b":[{"c":{}}]}]}`, ""},
		{`{"a":[null,true,1,"x",{"k":"v","l":[1]}]}`, ""},
		{`{"a":1,"a":2}`, "a: 2\n"},
		{`{"a":"\u003c\u0026\u003e","b":"\"q\"","c":"\\"}`, ""},
		{`{"metadata":{"creationTimestamp":null,"name":"x"},"status":{},"spec":{}}`, ""},
		{`{"metadata":{"creationTimestamp":null}}`, ""},
		{`{"metadata":{"creationTimestamp":"2020-01-01T00:00:00Z"}}`, ""},
		{`{"metadata":"x","status":"y","spec":[]}`, ""},
		{`{"spec":{"a":1},"status":{"b":2}}`, ""},
		{`{"status":1}`, ""},
		{`{"data":{"token":"YWJj","kubeconfig":"` + strings.Repeat("QUJD", 500) + `"}}`, ""},
	} {
		covered := checkJSON(t, tt.j)
		if covered != (tt.want == "") {
			t.Errorf("%.60s: the writer covers it: %v, want %v", tt.j, covered, tt.want == "")
			continue
		}
		if tt.want == "" {
			continue
		}
		got, err := Append([]byte("prefix"), []byte(tt.j))
		if err != nil || string(got) != "prefix"+tt.want {
			t.Errorf("%s: Append wrote %q, %v; want %q", tt.j, got, err, "prefix"+tt.want)
		}
	}
}

// TestWriterFolding puts strings with spaces at every column around yaml.v2's fold width.
func TestWriterFolding(t *testing.T) {
	for depth := 0; depth < 12; depth++ {
		for n := 60; n < 100; n++ {
			s := strings.Repeat("a", n-10) + " bbbb cccc"
			j := `{"k":` + quote(s) + `}`
			for d := 0; d < depth; d++ {
				j = `{"n":[` + j + `]}`
			}
			checkJSON(t, j)
		}
	}
}

func TestKeyLessIsAnOrder(t *testing.T) {
	for _, a := range keys {
		if keyLess([]byte(a), []byte(a)) {
			t.Errorf("%q < %q", a, a)
		}
		for _, b := range keys {
			if a != b && keyLess([]byte(a), []byte(b)) == keyLess([]byte(b), []byte(a)) {
				t.Errorf("%q and %q are not ordered", a, b)
			}
		}
	}
}

// TestWriterRandomStrings tries short strings over the characters that decide a scalar's
// style and type, as values and as keys.
func TestWriterRandomStrings(t *testing.T) {
	const alphabet = "a0 19-+:#.'\"\\?,[]{}*&!|>%@`~_eExXbBoO/=<yYnNtT"
	r := rand.New(rand.NewPCG(1, 6))
	covered, n := 0, 20000
	for i := 0; i < n; i++ {
		b := make([]byte, r.IntN(7))
		for k := range b {
			b[k] = alphabet[r.IntN(len(alphabet))]
		}
		s := quote(string(b))
		if checkJSON(t, `{"k":`+s+`,`+s+`:[`+s+`]}`) {
			covered++
		}
	}
	if covered < n*9/10 {
		t.Errorf("the writer covered only %d of %d documents", covered, n)
	}
}
