package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgen/meshgen/pkg/api"
)

// seedResourceList is the seed's ResourceList as kpt sends it on the first render.
func seedResourceList(t *testing.T) []byte {
	t.Helper()
	return detResourceList(t, string(detReadExample(t, "mesh.yaml")), string(detReadExample(t, "credentials.yaml")))
}

// A ResourceList has its own limit, far above a FILE's: kpt sends the whole package back,
// meshgen's earlier output included. Up to api.MaxResourceListBytes it is read; one byte more
// is refused unread.
func TestResourceListLimit(t *testing.T) {
	if api.MaxResourceListBytes < 2*65227086 {
		t.Errorf("MaxResourceListBytes is %d: the ResourceList of a 100 × 100 fleet's second kpt render (65,227,086 bytes) must fit twice", api.MaxResourceListBytes)
	}
	rl := seedResourceList(t)
	// The padding comes back out; only the input limit is under test here.
	defer func(m int) { maxOutput = m }(maxOutput)
	maxOutput = 2 * api.MaxResourceListBytes
	pad := func(n int) []byte {
		return append([]byte("# "+strings.Repeat("x", n-len(rl)-3)+"\n"), rl...)
	}
	at := pad(api.MaxResourceListBytes)
	if len(at) != api.MaxResourceListBytes {
		t.Fatalf("built %d bytes, want %d", len(at), api.MaxResourceListBytes)
	}
	var stdout, stderr bytes.Buffer
	if code := Main(nil, bytes.NewReader(at), &stdout, &stderr); code != OK {
		t.Errorf("a ResourceList of exactly MaxResourceListBytes: exit status %d, want %d; stderr:\n%.2000s", code, OK, stderr.String())
	}
	at = nil
	stdout.Reset()
	badCheckKRM(t, pad(api.MaxResourceListBytes+1), []string{fmt.Sprintf("ResourceList larger than %d bytes; refused", api.MaxResourceListBytes)})
}

// What the KRM mode writes must come back in on the next render, kpt's annotations added: a
// ResourceList over api.MaxResourceListOutputBytes is refused, with nothing written, so that
// kpt leaves the package as it was.
func TestResourceListOutputLimit(t *testing.T) {
	if 2*api.MaxResourceListOutputBytes > api.MaxResourceListBytes {
		t.Errorf("MaxResourceListOutputBytes is more than half of MaxResourceListBytes: kpt's annotations add 1.57 times what meshgen writes")
	}
	if api.MaxResourceListOutputBytes < 41585890*3/2 {
		t.Errorf("MaxResourceListOutputBytes is %d: a 100 × 100 fleet's ResourceList (41,585,890 bytes) must fit with room", api.MaxResourceListOutputBytes)
	}
	rl := seedResourceList(t)
	var want, stderr bytes.Buffer
	if code := Main(nil, bytes.NewReader(rl), &want, &stderr); code != OK {
		t.Fatalf("exit status %d; stderr:\n%s", code, stderr.String())
	}
	defer func(m int) { maxOutput = m }(maxOutput)
	maxOutput = want.Len()
	var got bytes.Buffer
	if code := Main(nil, bytes.NewReader(rl), &got, &stderr); code != OK || !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("output of exactly the limit: exit status %d, same output %v; stderr:\n%s", code, bytes.Equal(got.Bytes(), want.Bytes()), stderr.String())
	}
	maxOutput = want.Len() - 1
	badCheckKRM(t, rl, []string{fmt.Sprintf("the ResourceList to write is %d bytes, more than %d", want.Len(), want.Len()-1), "refused", "meshgen render -o"})
}

// The larger limit lets no YAML bomb in: the decoder's node budget, not the byte limit, stops
// alias expansion in the MeshConfig, also in a ResourceList larger than any FILE may be.
func TestResourceListBombOverFileLimit(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(badCorpus, "krm-alias-bomb-schema", "rl.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rl := append([]byte("# "+strings.Repeat("x", 2*api.MaxFileBytes)+"\n"), b...)
	badCheckKRM(t, rl, badReadWant(t, filepath.Join(badCorpus, "krm-alias-bomb-schema")))
}
