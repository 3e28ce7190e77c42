package childtest

import (
	"os/exec"
	"testing"
)

// TestRun: the exit status, stdout and stderr in the order written, and
// the added environment reach the caller.
func TestRun(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on PATH")
	}
	code, out := Run(t, []string{"CHILDTEST_WORD=added"}, sh, "-c", `echo "out $CHILDTEST_WORD"; echo err >&2; echo again; exit 3`)
	if code != 3 || out != "out added\nerr\nagain\n" {
		t.Errorf("exit %d, output %q; want 3 and %q", code, out, "out added\nerr\nagain\n")
	}
	if code, out := Run(t, nil, sh, "-c", "echo ok"); code != 0 || out != "ok\n" {
		t.Errorf("exit %d, output %q; want 0 and %q", code, out, "ok\n")
	}
}
