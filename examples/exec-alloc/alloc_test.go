//go:build unix

package main

import (
	"context"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/runner"
	"github.com/leakbench/leakbench/internal/scenario"
)

// TestExecAlloc_FiguresMatchItsOwn builds this program, runs it as an
// exec target through the runner on the tiny workload, and holds the
// summary's growth and retained memory (RSS of the process, and PSS of
// its tree) to what the program reports holding, within 10%.
func TestExecAlloc_FiguresMatchItsOwn(t *testing.T) {
	t.Parallel()
	bin := built(t).alloc
	sc, err := scenario.Parse("exec-alloc.yaml", []byte(`
exec: [`+bin+`, -chunk, 8MiB]
workload: tiny
rounds: 2
idle: 500ms
interval: 20ms
`))
	if err != nil {
		t.Fatal(err)
	}
	run, err := runner.Run(context.Background(), sc, runner.Options{OutDir: filepath.Join(t.TempDir(), "run"), Timeout: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	s := run.Summary
	if s.Outcome != results.OutcomeCompleted || s.Requests != 12 || s.Slope.Rounds != 2 {
		t.Fatalf("outcome %s (%s), %d requests, %d rounds; warnings %q", s.Outcome, s.Error, s.Requests, s.Slope.Rounds, s.Warnings)
	}
	// What the program said it held at the landmarks: the snapshot merged
	// into the last sample of each phase.
	held := map[results.Phase]uint64{}
	for _, x := range run.Samples {
		held[x.Phase] = x.LinearMemory
	}
	// 12 requests of 8 MiB, every third freed at once: 8 chunks at the
	// end of the load, 4 after the idle step frees every other one.
	const chunk = 8 << 20
	if held[results.PhaseStartup] != 0 || held[results.PhaseLoad] != 8*chunk || held[results.PhaseIdle] != 4*chunk || held[results.PhaseSettle] != 4*chunk {
		t.Fatalf("the program reported holding %v; want 0, 64, 32, 32 MiB", held)
	}
	within := func(name string, got int64, want uint64) {
		t.Helper()
		dev := math.Abs(float64(got)-float64(want)) / float64(want)
		t.Logf("%s: %.1f MiB measured, %.1f MiB reported (%.1f%% off)", name, float64(got)/results.MiB, float64(want)/results.MiB, dev*100)
		if dev > 0.10 {
			t.Errorf("%s %.1f MiB is more than 10%% from the program's %.1f MiB", name, float64(got)/results.MiB, float64(want)/results.MiB)
		}
	}
	within("growth (RSS)", s.Growth, held[results.PhaseLoad])
	within("retained (RSS)", s.Retained, held[results.PhaseIdle])
	within("settled (RSS)", s.Settled, held[results.PhaseSettle])
	if s.PSS == nil {
		t.Fatal("no PSS figures")
	}
	within("growth (PSS)", s.PSS.Growth, held[results.PhaseLoad])
	within("retained (PSS)", s.PSS.Retained, held[results.PhaseIdle])
}
