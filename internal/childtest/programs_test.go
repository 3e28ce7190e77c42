package childtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPrograms: each name is built once, with its own flags, into one
// folder; asking for a name with other flags fails naming both builds; a
// package that does not build fails with go build's output; Remove removes
// the folder.
func TestPrograms(t *testing.T) {
	RunsChildren(t, "runs go build")
	p := NewPrograms("childtest-test-")
	const pkg = "./testdata/hello"
	plain := p.Built(t, "hello", pkg)
	loud := p.Built(t, "hello-loud", pkg, "-tags", "loud")
	if filepath.Dir(plain) != filepath.Dir(loud) || filepath.Base(plain) != "hello" || filepath.Base(loud) != "hello-loud" {
		t.Errorf("binaries %s and %s: want hello and hello-loud in one folder", plain, loud)
	}
	for bin, want := range map[string]string{plain: "hello\n", loud: "HELLO\n"} {
		if out, err := exec.Command(bin).Output(); err != nil || string(out) != want {
			t.Errorf("%s: %q, %v; want %q", bin, out, err, want)
		}
	}

	before, err := os.Stat(plain)
	if err != nil {
		t.Fatal(err)
	}
	if again := p.Built(t, "hello", pkg); again != plain {
		t.Errorf("second build of hello at %s, want %s", again, plain)
	}
	if after, err := os.Stat(plain); err != nil || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("hello built again (%v): want it built once", err)
	}

	if _, err := p.Build("hello", pkg, "-tags", "loud"); err == nil || !strings.Contains(err.Error(), "-tags loud") || !strings.Contains(err.Error(), "built as go build -o") {
		t.Errorf("hello asked for with other flags: %v; want an error naming both builds", err)
	}
	if _, err := p.Build("missing", "./testdata/missing"); err == nil || !strings.Contains(err.Error(), "go build -o") || !strings.Contains(err.Error(), "testdata/missing") {
		t.Errorf("a package that does not exist: %v; want go build's error naming it", err)
	}

	p.Remove()
	if _, err := os.Stat(filepath.Dir(plain)); !os.IsNotExist(err) {
		t.Errorf("after Remove, the folder: %v; want it gone", err)
	}
}
