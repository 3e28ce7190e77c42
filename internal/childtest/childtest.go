// Package childtest serves the tests that run programs as child processes
// (bench and its children, an example program, node): it marks such a test
// (RunsChildren), builds the Go programs it runs, once per test binary
// (Programs), and runs one for its exit status and output (Run).
package childtest

import "testing"

// RunsChildren marks a test that runs child processes (or waits on them):
// skipped with -short, saying why, and run in parallel with the others
// otherwise.
func RunsChildren(t *testing.T, why string) {
	t.Helper()
	if testing.Short() {
		t.Skip(why)
	}
	t.Parallel()
}
