package yamlenc

import (
	"encoding/json"
	"strings"
	"testing"
)

// The tests in this file pin rules that mutation testing (make mutate) found no test held:
// each states the rule a user relies on, and fails for the mutants it was written after.

// TestAppendTruncatedJSON: no input makes Append panic; a document cut anywhere (a string,
// a literal, a number, a key, between members) is an error, as the reference says.
func TestAppendTruncatedJSON(t *testing.T) {
	const doc = `{"a":{"b":[true,null,-12,"s\"q",{}],"c":"x y"} ,"d":false ,"e":[] }`
	for i := 0; i < len(doc); i++ {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic: %v", doc[:i], r)
				}
			}()
			if _, err := Append(nil, []byte(doc[:i])); err == nil {
				t.Errorf("%s: no error", doc[:i])
			}
		}()
	}
	if !checkJSON(t, doc) {
		t.Errorf("%s: not covered", doc)
	}
}

// TestWriterMoreTypes: strings that yaml.v2 reads as timestamps or base-60 numbers (any year,
// fractions with any digit, a leading zero), and keys that differ in a number after a common
// digit, come out as the reference writes them.
func TestWriterMoreTypes(t *testing.T) {
	for _, s := range []string{"1999-12-31", "2000-01-09", "0:30", "9:30", "1:20.05", "1:20.9", "-001-1-2", "+001-1-2"} {
		checkJSON(t, `{"v":`+quote(s)+`}`)
	}
	for _, j := range []string{`{"16":1,"105":2}`, `{"105":1,"16":2}`, `{"x16":1,"x105":2}`, `{"x105":1,"x16":2}`} {
		if !checkJSON(t, j) {
			t.Errorf("%s: not covered", j)
		}
	}
}

// TestWriterCoversItsLimits: the direct writer's reach, each up to its edge: keys of 128
// bytes (the longest yaml.v2 writes as a simple key), strings without a space at any column
// (yaml.v2 folds only at a space), a string of spaces that ends exactly at the fold column,
// every printable ASCII character, and JSON indented as well as compact.
func TestWriterCoversItsLimits(t *testing.T) {
	deep := `{"` + strings.Repeat("k", 100) + `":`
	for _, j := range []string{
		`{` + quote(strings.Repeat("k", 128)) + `:1}`,
		deep + quote(strings.Repeat("x", 100)) + `}`,
		// "k: " is 3 columns, the quote 1: the last space, at byte 76, reaches column 80.
		`{"k":` + quote(strings.Repeat("a", 76)+" b") + `}`,
		`{"a":" x","b":"x ","c":"~x","d":"x~y"}`,
		`{"v":` + quote(printable()) + `}`,
	} {
		if !checkJSON(t, j) {
			t.Errorf("%.60s: not covered", j)
		}
	}
	var v any
	if err := json.Unmarshal([]byte(`{"a":{"b":[1,"x",{"c":true}],"d":{}},"e":[]}`), &v); err != nil {
		t.Fatal(err)
	}
	indented, _ := json.MarshalIndent(v, "", "\t")
	if !checkJSON(t, string(indented)+"\n") {
		t.Errorf("indented JSON not covered:\n%s", indented)
	}
	if checkJSON(t, `{`+quote(strings.Repeat("k", 129))+`:1}`) {
		t.Error("a key of 129 bytes covered: yaml.v2 writes it as a complex key")
	}
}

// printable is every printable ASCII character but those that decide a style alone at the
// start, after a letter.
func printable() string {
	var b strings.Builder
	b.WriteByte('x')
	for c := byte(0x20); c <= 0x7e; c++ {
		b.WriteByte(c)
	}
	return b.String()
}
