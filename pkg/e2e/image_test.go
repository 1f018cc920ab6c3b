package e2e

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// TestImageBinary holds the Dockerfile to what the image needs, short of a container engine
// (there is none here): its build line, run as written, must give a static binary (the
// distroless/static base has no libc), the COPY and ENTRYPOINT must name that binary, and the
// binary must work as the image runs it: user 65532 (distroless nonroot), no environment, /
// as working directory, a ResourceList on stdin; its output must be the usual build's.
func TestImageBinary(t *testing.T) {
	df, err := os.ReadFile(filepath.Join(repo, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	build := regexp.MustCompile(`(?m)^RUN CGO_ENABLED=0 go build (.*) -o /meshgen \./fn$`).FindSubmatch(df)
	if build == nil {
		t.Fatal(`Dockerfile: no line "RUN CGO_ENABLED=0 go build ... -o /meshgen ./fn"`)
	}
	for _, want := range []string{"COPY --from=build /meshgen /usr/local/bin/meshgen\n", `ENTRYPOINT ["/usr/local/bin/meshgen"]`} {
		if !bytes.Contains(df, []byte(want)) {
			t.Errorf("Dockerfile: no %s", want)
		}
	}
	dir := t.TempDir()
	// The image's user must reach the binary: t.TempDir and its parent are private.
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "meshgen")
	args := append([]string{"build"}, shellWords(string(build[1]))...)
	cmd := exec.Command("go", append(args, "-o", bin, "./fn")...)
	cmd.Dir, cmd.Env = repo, append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd.Args, err, out)
	}

	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the image binary is dynamically linked (PT_INTERP); distroless/static has no loader")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the image binary needs %v", libs)
	}

	in, _ := kptInput(t, filepath.Join(repo, "examples", "kpt"), "meshconfig.yaml")
	img := exec.Command(bin)
	img.Dir, img.Env, img.Stdin = "/", []string{}, bytes.NewReader(in)
	if os.Getuid() == 0 {
		img.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65532, Gid: 65532}}
	} else {
		t.Log("not root: running as the current user instead of 65532")
	}
	var got, stderr bytes.Buffer
	img.Stdout, img.Stderr = &got, &stderr
	if err := img.Run(); err != nil {
		t.Fatalf("as the image runs it: %v\n%s", err, stderr.String())
	}
	want, errOut, code := run(t, repo, in, meshgen(t))
	if code != 0 {
		t.Fatalf("usual build: exit %d\n%s", code, errOut)
	}
	if got.String() != want {
		t.Errorf("the image binary's output differs from the usual build's (%d vs %d bytes)", got.Len(), len(want))
	}
	if !strings.Contains(want, "kind: IstioOperator") {
		t.Errorf("no IstioOperator in the output: the input was not the example package")
	}
}

// shellWords splits the flags of a Dockerfile RUN line: words, with "..." grouping.
func shellWords(s string) []string {
	var words []string
	for _, m := range regexp.MustCompile(`"([^"]*)"|(\S+)`).FindAllStringSubmatch(s, -1) {
		if m[2] != "" {
			words = append(words, m[2])
		} else {
			words = append(words, m[1])
		}
	}
	return words
}
