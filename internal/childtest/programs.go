package childtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Programs are the Go programs one test binary builds to run them as a
// user would (bench, an example program, a target's own bench): each
// program once, shared by every test that asks for it, in one temporary
// folder that the test binary's TestMain removes after the tests. Its
// methods are safe for concurrent use (parallel tests, a goroutine that
// builds ahead).
type Programs struct {
	prefix string // the temporary folder's name starts with it

	mu     sync.Mutex
	dir    string            // the temporary folder, made on the first build
	builds map[string]*build // by program name
}

// build is one program: the go build arguments it was asked with, and its
// binary or why go build failed.
type build struct {
	once sync.Once
	args []string
	bin  string
	err  error
}

// NewPrograms returns the programs of a test binary, built into a temporary folder
// whose name starts with prefix ("leakbench-cli-test-").
func NewPrograms(prefix string) *Programs {
	return &Programs{prefix: prefix, builds: map[string]*build{}}
}

// Build returns the path of the program called name, `go build flags -o
// <folder>/name pkg` (pkg "." for the test's own package), building it on
// the first call for name; every later call shares that binary, which must
// not be modified. A name is one build: asking for it again with another
// pkg or other flags is an error.
func (p *Programs) Build(name, pkg string, flags ...string) (string, error) {
	p.mu.Lock()
	if p.dir == "" {
		dir, err := os.MkdirTemp("", p.prefix)
		if err != nil {
			p.mu.Unlock()
			return "", fmt.Errorf("childtest: %w", err)
		}
		p.dir = dir
	}
	bin := filepath.Join(p.dir, name)
	args := append(append([]string{"build"}, flags...), "-o", bin, pkg)
	b, ok := p.builds[name]
	if !ok {
		b = &build{args: args}
		p.builds[name] = b
	}
	p.mu.Unlock()

	if !slices.Equal(b.args, args) {
		return "", fmt.Errorf("childtest: program %s asked for as go %s, built as go %s", name, strings.Join(args, " "), strings.Join(b.args, " "))
	}
	b.once.Do(func() {
		if out, err := exec.Command("go", b.args...).CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go %s: %w\n%s", strings.Join(b.args, " "), err, out)
			return
		}
		b.bin = bin
	})
	return b.bin, b.err
}

// Built is Build for a test: it fails t if the program does not build.
func (p *Programs) Built(t testing.TB, name, pkg string, flags ...string) string {
	t.Helper()
	bin, err := p.Build(name, pkg, flags...)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// Remove removes the folder of the builds; the test binary's TestMain
// calls it after the tests.
func (p *Programs) Remove() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dir != "" {
		os.RemoveAll(p.dir)
	}
}
