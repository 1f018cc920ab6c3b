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
	var want2 []byte
	for i, d := range docs {
		if i > 0 {
			want2 = append(want2, "---\n"...)
		}
		want2 = append(want2, "# Source: "+d.Path+"\n"...)
		want2 = append(want2, d.Data...)
	}
	if !bytes.Equal(stream, want2) {
		t.Fatal("AppendStream of all objects is not the documents, each behind ---, # Source: and its path")
	}
}
