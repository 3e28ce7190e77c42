package runner

import (
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/childtest"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/scenario"
)

// stuckTarget is a test target, registered in the test child (TestMain):
// a "decode" of every request, which never returns for a source whose name
// begins with "stuck", as a wasm call that can't be interrupted.
const stuckTarget = "stuck-test"

type stuck struct{ rec target.Recorder }

func newStuck(_ context.Context, cfg target.Config, _ struct{}) (target.Target, error) {
	return stuck{cfg.Recorder}, nil
}

func (s stuck) Do(ctx context.Context, req target.Request) error {
	op := target.Op{Name: "decode", Request: req.ID, Worker: 1, BytesIn: int(req.Size)}
	target.StartOp(s.rec, op)
	start := time.Now()
	if strings.HasPrefix(filepath.Base(req.Source), "stuck") {
		select {} // the parent kills the child at its time limit
	}
	if _, err := req.Data(); err != nil {
		return err
	}
	time.Sleep(5 * time.Millisecond)
	op.Duration = time.Since(start)
	s.rec.Op(op)
	return nil
}

// TestRun_TimeoutKeepsCompletedRequests kills a real child at its time
// limit while one request is stuck, and checks that the summary still has
// every request that completed before it, their latencies, and names the
// stuck one: its id, its file and the operation in progress.
func TestRun_TimeoutKeepsCompletedRequests(t *testing.T) {
	childtest.RunsChildren(t, "runs a child process")
	dir := t.TempDir()
	for _, name := range []string{"a.png", "b.png", "c.png", "stuck.png"} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	sc := scenario.Scenario{
		Name: "stuck", Target: stuckTarget, Workload: "tiny", Images: dir,
		Workers: 1, Rounds: 1, InFlight: 1, Interval: 20 * time.Millisecond,
	}
	opts := testOptions(t)
	opts.Timeout = 3 * time.Second
	r, err := Run(t.Context(), sc, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	s := r.Summary
	if s.Outcome != results.OutcomeTimeout {
		log, _ := os.ReadFile(filepath.Join(opts.OutDir, ChildLog))
		t.Fatalf("outcome %s (%s), want timeout; child log:\n%s", s.Outcome, s.Error, log)
	}
	// In flight 1: the requests before the first of stuck.png completed.
	stuckID := 0
	for _, ev := range r.Events {
		if ev.Kind == results.EventRequestStart && filepath.Base(ev.Source) == "stuck.png" {
			stuckID = ev.Request
			break
		}
	}
	if stuckID < 2 {
		t.Fatalf("stuck.png's first request is %d; the test wants good requests before it", stuckID)
	}
	if done := stuckID - 1; s.Requests != done || s.Errors != 0 || s.Total <= done || s.Latency["decode"].Count != done {
		t.Errorf("requests %d/%d (errors %d), %d decode latencies; want %d done of more, no errors, a latency each",
			s.Requests, s.Total, s.Errors, s.Latency["decode"].Count, done)
	}
	if len(s.Unfinished) != 1 {
		t.Fatalf("unfinished = %+v, want the stuck request", s.Unfinished)
	}
	u := s.Unfinished[0]
	if u.Request != stuckID || u.Source != filepath.Join(dir, "stuck.png") || u.Op != "decode" || u.Seconds < 0.5 {
		t.Errorf("unfinished = %+v, want request %d of %s stuck in decode for most of the 3s", u, stuckID, filepath.Join(dir, "stuck.png"))
	}
	if want := "; still running: request " + strconv.Itoa(stuckID) + " (" + u.Source + ") in decode for "; !strings.Contains(s.Error, want) {
		t.Errorf("error %q does not name the stuck request (%q)", s.Error, want)
	}
	disk := readSummary(t, opts.OutDir)
	if disk.Requests != s.Requests || len(disk.Unfinished) != 1 || disk.Unfinished[0].Op != "decode" {
		t.Errorf("summary.json: requests %d, unfinished %+v", disk.Requests, disk.Unfinished)
	}
}
