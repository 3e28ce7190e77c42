package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/runner"
)

// TestProgressPrinter_Workload: the preparation of a workload is one
// key=value line when it begins and one when it is ready (or failed),
// none per image, off a terminal.
func TestProgressPrinter_Workload(t *testing.T) {
	var b bytes.Buffer
	p := newProgressPrinter(&b)
	for _, wp := range []runner.WorkloadProgress{
		{Workload: "quick"},
		{Workload: "quick", Done: 1, Total: 6, Elapsed: time.Second},
		{Workload: "quick", Done: 6, Total: 6, Elapsed: 2 * time.Second},
		{Workload: "quick", Done: 6, Total: 6, Generated: 6, Elapsed: 2500 * time.Millisecond, Finished: true},
		{Workload: "default", Images: "/my pics"},
		{Workload: "default", Images: "/my pics", Finished: true, Err: errors.New("no images")},
	} {
		p.workload(wp)
	}
	want := strings.Join([]string{
		"workload=quick phase=preparing elapsed_s=0.0",
		"workload=quick phase=ready images=6/6 generated=6 elapsed_s=2.5",
		`workload=default phase=preparing elapsed_s=0.0 images_dir="/my pics"`,
		`workload=default phase=failed elapsed_s=0.0 images_dir="/my pics" error="no images"`,
	}, "\n") + "\n"
	if b.String() != want {
		t.Errorf("progress:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestPrintSummary_NoHeap: a run whose target reports no Go heap (an exec
// program) shows "n/a" for it, not 0.0 MiB; a Go child's heap is shown.
func TestPrintSummary_NoHeap(t *testing.T) {
	var b bytes.Buffer
	printSummary(&b, results.Summary{Scenario: "svc", Exec: []string{"node", "x.js"}, Outcome: results.OutcomeCompleted})
	if !strings.Contains(b.String(), "heap live after settle n/a,") {
		t.Errorf("no heap:\n%s", b.String())
	}
	b.Reset()
	printSummary(&b, results.Summary{Scenario: "go", Outcome: results.OutcomeCompleted, HeapLiveAfterSettle: 3 << 20})
	if !strings.Contains(b.String(), "heap live after settle 3.0 MiB,") {
		t.Errorf("a heap of 3 MiB:\n%s", b.String())
	}
}
