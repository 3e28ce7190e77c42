package runner

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/leakbench/leakbench/internal/results"
)

// TestRun_EmptyCacheGeneratesInTheParent runs two scenarios on the tiny
// workload with an empty cache directory (XDG_CACHE_HOME, which
// os.UserCacheDir and so the cache root of parent and child follow) and
// checks that the workload was generated and verified in the parent,
// once, before the first child started: every file of the workload's
// cache is older than each child's first event, the preparation finished
// before the first child's progress, and no child's startup phase saw a
// file of the cache appear.
func TestRun_EmptyCacheGeneratesInTheParent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)

	type note struct {
		at   time.Time
		prep *WorkloadProgress
		run  *Progress
	}
	var (
		mu    sync.Mutex
		notes []note
	)
	record := func(n note) {
		mu.Lock()
		defer mu.Unlock()
		n.at = time.Now()
		notes = append(notes, n)
	}
	ws := NewWorkloads(func(p WorkloadProgress) { record(note{prep: &p}) })
	var runs []results.Run
	for _, preset := range []string{"before", "fixed"} {
		opts := testOptions(t)
		opts.Workloads = ws
		opts.Progress = func(p Progress) { record(note{run: &p}) }
		r := mustRun(t, context.Background(), testScenario(t, preset, preset, 1), opts)
		if r.Summary.Outcome != results.OutcomeCompleted {
			t.Fatalf("%s: %s: %s", preset, r.Summary.Outcome, r.Summary.Error)
		}
		runs = append(runs, r)
	}

	// One preparation, finished (having generated all three images)
	// before the first child's first progress.
	var finished, firstRun = -1, -1
	for i, n := range notes {
		if n.prep != nil && n.prep.Finished {
			if finished >= 0 {
				t.Errorf("the workload was prepared twice (notes %d and %d)", finished, i)
			}
			finished = i
			if n.prep.Err != nil || n.prep.Generated != 3 || n.prep.Done != 3 || n.prep.Workload != "tiny" {
				t.Errorf("preparation: %+v, want tiny, 3 images done, 3 generated", *n.prep)
			}
		}
		if n.run != nil && firstRun < 0 {
			firstRun = i
		}
	}
	if finished < 0 || firstRun < 0 || finished > firstRun {
		t.Fatalf("preparation finished at note %d, first child progress at note %d: want the preparation first", finished, firstRun)
	}

	// The workload's cache is complete and every file in it is older
	// than each child's first event (its hello) and than its startup.
	dirs, err := filepath.Glob(filepath.Join(cache, "leakbench", "workloads", "tiny-*"))
	if err != nil || len(dirs) != 1 {
		t.Fatalf("workload cache dirs %v (%v), want one", dirs, err)
	}
	entries, err := os.ReadDir(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	var newest time.Time
	var pngs int
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Ext(e.Name()) == ".png" {
			pngs++
		}
		if info.ModTime().After(newest) {
			newest = info.ModTime()
		}
	}
	if pngs != 3 {
		t.Errorf("%d PNGs in %s, want 3 (entries %v)", pngs, dirs[0], entries)
	}
	for _, r := range runs {
		var hello, load time.Time
		for _, ev := range r.Events {
			switch {
			case ev.Kind == results.EventHello && hello.IsZero():
				hello = time.Unix(0, ev.Time)
			case ev.Kind == results.EventPhase && ev.Phase == results.PhaseLoad:
				load = time.Unix(0, ev.Time)
			}
		}
		if hello.IsZero() || load.IsZero() {
			t.Fatalf("%s: no hello or no load phase event", r.Summary.Scenario)
		}
		if !newest.Before(r.Summary.Started) || !newest.Before(hello) {
			t.Errorf("%s: the newest file of the workload cache (%s) is not older than the child's start (%s) and first event (%s): the child wrote to it",
				r.Summary.Scenario, newest.Format(time.StampMicro), r.Summary.Started.Local().Format(time.StampMicro), hello.Format(time.StampMicro))
		}
		t.Logf("%s: startup phase %.2fs (child started %.3fs after the workload's newest file)",
			r.Summary.Scenario, load.Sub(hello).Seconds(), r.Summary.Started.Sub(newest).Seconds())
	}
}
