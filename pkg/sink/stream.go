package sink

import (
	"bytes"
	"io"
	"path"

	"github.com/meshgen/meshgen/pkg/gen"
)

// Stream writes one YAML stream to W at Commit: each object as a document behind "---" (but
// the first) and a "# Source:" comment naming its path in a tree, as helm template does; each
// file as a document of comments only (see the package doc). The stream is ready for
// kubectl apply -f -.
type Stream struct {
	W   io.Writer
	enc encoder
	// Kept per folder: one buffer that doubled its way to the whole stream would need half as
	// much again while it copies.
	chunks [][]byte
	buf    []byte
	n      int
}

func (s *Stream) Put(f *gen.Folder) error {
	s.buf = s.buf[:0]
	for _, o := range f.Objects {
		if !o.Applied() {
			continue
		}
		s.buf = s.head(s.buf, o.Path())
		var err error
		if s.buf, err = s.enc.object(s.buf, o); err != nil {
			return err
		}
	}
	for _, fl := range f.Files {
		s.buf = s.head(s.buf, path.Join(f.Name, fl.Name))
		b, err := s.enc.file(nil, f.Name, fl)
		if err != nil {
			return err
		}
		s.buf = appendComment(s.buf, b)
	}
	s.chunks = append(s.chunks, bytes.Clone(s.buf))
	return nil
}

func (s *Stream) head(dst []byte, p string) []byte {
	if s.n > 0 {
		dst = append(dst, "---\n"...)
	}
	s.n++
	dst = append(dst, "# Source: "...)
	dst = append(dst, p...)
	return append(dst, '\n')
}

// appendComment appends b with every line behind "# " ("#" for an empty line).
func appendComment(dst, b []byte) []byte {
	for len(b) > 0 {
		line, rest, _ := bytes.Cut(b, []byte("\n"))
		if len(line) == 0 {
			dst = append(dst, "#\n"...)
		} else {
			dst = append(dst, "# "...)
			dst = append(dst, line...)
			dst = append(dst, '\n')
		}
		b = rest
	}
	return dst
}

func (s *Stream) Commit() error {
	for _, c := range s.chunks {
		if _, err := s.W.Write(c); err != nil {
			return err
		}
	}
	s.chunks = nil
	return nil
}

func (s *Stream) Abort() { s.chunks = nil }
