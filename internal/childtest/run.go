package childtest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"testing"
)

// Run runs the program bin with args, its environment this process's with
// env added ("NAME=value"), and returns its exit status and its output,
// stdout and stderr interleaved as a terminal would show them. It fails t
// when bin cannot run at all.
func Run(t testing.TB, env []string, bin string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), out.String()
	}
	if err != nil {
		t.Fatalf("%s %v: %v", bin, args, err)
	}
	return 0, out.String()
}
