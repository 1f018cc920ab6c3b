package out

import (
	"bytes"
	"testing"

	"github.com/meshgen/meshgen/pkg/gen"
	"github.com/meshgen/meshgen/pkg/synth"
)

func TestAppendEncodeAndStream(t *testing.T) {
	m, err := synth.Read("../../examples/mcsps-test")
	if err != nil {
		t.Fatal(err)
	}
	in, err := m.Input()
	if err != nil {
		t.Fatal(err)
	}
	objs, err := gen.Render(in, "")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := EncodeAll(objs)
	if err != nil {
		t.Fatal(err)
	}
	var all, want []byte
	for i, o := range objs {
		if all, err = AppendEncode(all, o); err != nil {
			t.Fatal(err)
		}
		want = append(want, docs[i].Data...)
	}
	if !bytes.Equal(all, want) {
		t.Fatal("AppendEncode of all objects differs from EncodeAll's documents one after another")
	}
	var stream []byte
	for i, o := range objs {
		if stream, err = AppendStream(stream, o, i == 0); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(stream, Stream(docs)) {
		t.Fatal("AppendStream of all objects differs from Stream")
	}
}
