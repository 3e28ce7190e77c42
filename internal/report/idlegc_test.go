package report

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leakbench/leakbench/internal/results"
)

// TestIdleGCMarkers: each memory-reducer collection of a run becomes a
// marker at its end (seconds since the child started) and its RSS, and the plots
// of such a run draw, title and legend them.
func TestIdleGCMarkers(t *testing.T) {
	r := fakeStages()[3]
	r.Summary.IdleGC = "v8"
	t0 := r.Summary.Started
	for i, at := range []float64{9, 9.5, 10} {
		r.Events = append(r.Events, results.Event{Kind: results.EventIdleGC, GC: i + 1,
			Time: t0.Add(time.Duration(at * float64(time.Second))).UnixNano(), Seconds: 0.25, RSS: uint64(40-10*i) * results.MiB})
	}
	r.Events = append(r.Events, results.Event{Kind: results.EventRound, Time: t0.UnixNano(), RSS: results.MiB})
	ms := idleGCMarkers(r, true)
	if len(ms) != 3 {
		t.Fatalf("%d markers, want 3", len(ms))
	}
	if ms[1].x != 9.75 || ms[1].y != 30 || ms[0].label == "" || ms[1].label != "" {
		t.Errorf("markers %+v", ms)
	}
	if !strings.HasSuffix(r.Title(), " · idle GC: v8") || !strings.HasSuffix(gridTitle(r, nil), " · idle GC: v8") {
		t.Errorf("titles %q, %q", r.Title(), gridTitle(r, nil))
	}
	var legend []string
	for _, e := range runLegend(r) {
		legend = append(legend, e.name)
	}
	if !strings.Contains(strings.Join(legend, "|"), "idle GC (by the target") {
		t.Errorf("legend %q", legend)
	}
	if err := PlotRun(r, filepath.Join(t.TempDir(), "rss")); err != nil {
		t.Fatal(err)
	}
	old := fakeStages()[3]
	if len(idleGCMarkers(old, true)) != 0 || strings.Contains(old.Title(), "idle GC") {
		t.Errorf("a run without the model: %q", old.Title())
	}
}
