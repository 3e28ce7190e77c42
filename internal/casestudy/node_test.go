package casestudy

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/casestudy/published"
	"github.com/leakbench/leakbench/internal/casestudy/reproduction"
	"github.com/leakbench/leakbench/internal/cli"
	"github.com/leakbench/leakbench/internal/report"
)

// TestRealOptimizer_Tiny runs the tiny twins of the real optimizer's
// scenarios (next@10.1.0 and next@10.1.3 through examples/nextjs/driver.js,
// installed by their setup on first use) and checks that they measure,
// that the reproduction gives them rows with ratios and that the grid
// draws them. It needs node and npm and skips, saying so, without them.
func TestRealOptimizer_Tiny(t *testing.T) {
	if testing.Short() {
		t.Skip("runs node and may install next with npm")
	}
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not on PATH: the real optimizer's scenarios need node 18 or later and npm", tool)
		}
	}
	out := filepath.Join(t.TempDir(), "out")
	t.Chdir(filepath.Join("..", "..")) // the scenarios' paths are relative to the repository root
	code, stdout, stderr := bench(t, "run", "--out", out, "nextjs-before-tiny", "nextjs-fixed-tiny")
	t.Logf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
	if code != cli.StatusOK {
		if strings.Contains(stdout, "setup examples/nextjs/install.sh") {
			if ping, err := exec.Command("npm", "ping").CombinedOutput(); err != nil {
				t.Skipf("npm cannot reach its registry to install next (npm ping: %v: %s)", err, ping)
			}
		}
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{
		"nextjs-before-tiny · exec node --expose-gc --no-experimental-fetch driver.js 10.1.0: completed",
		"nextjs-fixed-tiny · exec node",
		"pss of the process tree (1 processes at most)",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
	if !strings.Contains(stderr, "scenario=nextjs-before-tiny running setup: examples/nextjs/install.sh 10.1.0") ||
		!strings.Contains(stderr, "scenario=nextjs-fixed-tiny setup done in ") {
		t.Errorf("stderr lacks the setup progress lines")
	}
	var runs []report.Run
	for _, name := range []string{"nextjs-before-tiny", "nextjs-fixed-tiny"} {
		r, err := report.Load(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		s := r.Summary
		if s.Requests != 6 || s.Errors != 0 || s.Growth <= 0 || s.PSS == nil || s.PSS.Growth <= 0 || s.Baseline == 0 || s.AfterSettle == 0 {
			t.Errorf("%s: %d requests, %d errors, growth %d, PSS %+v", name, s.Requests, s.Errors, s.Growth, s.PSS)
		}
		runs = append(runs, r)
	}
	rep := reproduction.Reproduce(published.Stages(), runs)
	if len(rep.Real) != 2 || !rep.Real[0].Found || !rep.Real[1].HasRatios {
		t.Errorf("reproduction's real rows: %+v", rep.Real)
	}
	if err := reproduction.PlotGrid(published.Stages(), runs, "the real optimizer, tiny", filepath.Join(out, "grid")); err != nil {
		t.Error(err)
	}
}

// TestReproduce_WithNodeNeedsNode: --with-node without node is a usage
// error saying so, before anything runs.
func TestReproduce_WithNodeNeedsNode(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	code, _, stderr := bench(t, "reproduce", "--quick", "--with-node", "--out", t.TempDir())
	if code != cli.StatusError || !strings.Contains(stderr, "--with-node: node not found on PATH: the real optimizer needs node 18 or later and npm") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
