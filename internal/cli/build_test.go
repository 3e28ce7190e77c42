package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// regressListenersTag builds the deliberately broken bench of
// child_regress.go, whose children leak the listeners.
const regressListenersTag = "leakbench_regress_listeners"

// benchBuilds are the bench binaries the tests run, built at most once per
// test binary and per build tag (go build of cmd/bench, as a user builds
// it), in a folder TestMain removes when the tests end.
var benchBuilds = struct {
	mu   sync.Mutex
	dir  string
	once map[string]*benchBuild
}{once: map[string]*benchBuild{}}

// benchBuild is one build of bench: its binary, or why it failed.
type benchBuild struct {
	once sync.Once
	bin  string
	err  error
}

// builtBench returns the path of bench built with the given build tag (""
// for the default build), building it on the first call; the binary is
// shared by every test that asks, and must not be modified. Safe for
// parallel tests.
func builtBench(t *testing.T, tag string) string {
	t.Helper()
	bin, err := buildBench(tag)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// buildBench is builtBench for any goroutine: it returns the build's
// error instead of failing a test.
func buildBench(tag string) (string, error) {
	benchBuilds.mu.Lock()
	if benchBuilds.dir == "" {
		dir, err := os.MkdirTemp("", "leakbench-cli-test-")
		if err != nil {
			benchBuilds.mu.Unlock()
			return "", err
		}
		benchBuilds.dir = dir
	}
	b, ok := benchBuilds.once[tag]
	if !ok {
		b = &benchBuild{}
		benchBuilds.once[tag] = b
	}
	dir := benchBuilds.dir
	benchBuilds.mu.Unlock()

	b.once.Do(func() {
		name := "bench"
		args := []string{"build"}
		if tag != "" {
			name += "-" + tag
			args = append(args, "-tags", tag)
		}
		b.bin = filepath.Join(dir, name)
		args = append(args, "-o", b.bin, "github.com/leakbench/leakbench/cmd/bench")
		if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
		}
	})
	return b.bin, b.err
}

// removeBenchBuilds removes the folder of the builds; TestMain calls it
// after the tests.
func removeBenchBuilds() {
	benchBuilds.mu.Lock()
	defer benchBuilds.mu.Unlock()
	if benchBuilds.dir != "" {
		os.RemoveAll(benchBuilds.dir)
	}
}
