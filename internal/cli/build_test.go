package cli

import (
	"testing"

	"github.com/leakbench/leakbench/internal/childtest"
)

// regressListenersTag builds the deliberately broken bench of
// child_regress.go, whose children leak the listeners.
const regressListenersTag = "leakbench_regress_listeners"

// benchBuilds are the bench binaries the tests run, built at most once per
// test binary and per build tag (go build of cmd/bench, as a user builds
// it), in a folder TestMain removes when the tests end.
var benchBuilds = childtest.NewPrograms("leakbench-cli-test-")

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
	const pkg = "github.com/leakbench/leakbench/cmd/bench"
	if tag == "" {
		return benchBuilds.Build("bench", pkg)
	}
	return benchBuilds.Build("bench-"+tag, pkg, "-tags", tag)
}
