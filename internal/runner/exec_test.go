package runner

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/scenario"
)

// execScenario is an exec scenario on the tiny workload running argv.
func execScenario(argv ...string) scenario.Scenario {
	return scenario.Scenario{
		Name:     "exec-test",
		Workload: "tiny",
		Exec:     argv,
		Rounds:   2,
		InFlight: 2,
		Workers:  3,
		Idle:     time.Second,
		Interval: 20 * time.Millisecond,
	}
}

// runExec runs sc into a fresh directory within timeout and fails the
// test if Run takes much longer than that: the parent must never hang.
func runExec(t *testing.T, sc scenario.Scenario, timeout time.Duration) (results.Run, error) {
	t.Helper()
	return runExecOpts(t, sc, Options{Timeout: timeout})
}

// runExecOpts is runExec with options (OutDir is set here).
func runExecOpts(t *testing.T, sc scenario.Scenario, opts Options) (results.Run, error) {
	t.Helper()
	start := time.Now()
	timeout := opts.Timeout
	opts.OutDir = filepath.Join(t.TempDir(), "run")
	run, err := Run(context.Background(), sc, opts)
	if d := time.Since(start); d > timeout+10*time.Second {
		t.Errorf("Run took %v with a %v limit", d, timeout)
	}
	return run, err
}

func hasWarning(s results.Summary, sub string) bool {
	for _, w := range s.Warnings {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}

// TestExec_CannotStart: a program that is not there or can't run is an
// error naming it and saying what to do; nothing is measured.
func TestExec_CannotStart(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.sh")
	if err := os.WriteFile(plain, []byte("#!/bin/sh\necho hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		argv []string
		want string
	}{
		{"not on PATH", []string{"leakbench-no-such-program", "-x"}, `exec: program "leakbench-no-such-program" not found on PATH`},
		{"no such file", []string{filepath.Join(dir, "missing", "prog")}, "exec: program " + filepath.Join(dir, "missing", "prog") + ": no such file"},
		{"not executable", []string{plain}, "exec: " + plain + " is not executable (mode -rw-r--r--): chmod +x it, or run it through its interpreter, e.g. [sh, " + plain + "]"},
		{"a directory", []string{dir}, "exec: " + dir + " is a directory, not a program"},
	} {
		t.Run(c.name, func(t *testing.T) {
			run, err := runExec(t, execScenario(c.argv...), time.Minute)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to contain %q", err, c.want)
			}
			t.Logf("message: %v", err)
			if run.Summary.Outcome != results.OutcomeCrashed || run.Summary.Error != err.Error() {
				t.Errorf("summary outcome %s, error %q; want crashed with the error", run.Summary.Outcome, run.Summary.Error)
			}
			if _, serr := os.Stat(filepath.Join(run.Dir, results.SummaryFile)); serr != nil {
				t.Errorf("no summary written: %v", serr)
			}
		})
	}
}

// TestExec_ExitsAtOnce: a program that fails at once is a crashed run
// whose error names it, its status and its last words.
func TestExec_ExitsAtOnce(t *testing.T) {
	run, err := runExec(t, execScenario("sh", "-c", "echo 'cannot open config' >&2; exit 3"), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	s := run.Summary
	want := "the program sh exited with status 3 after "
	if s.Outcome != results.OutcomeCrashed || s.ExitCode != 3 || !strings.Contains(s.Error, want) || !strings.Contains(s.Error, "cannot open config") {
		t.Errorf("outcome %s, exit %d, error %q; want crashed, 3, %q and the program's stderr", s.Outcome, s.ExitCode, s.Error, want)
	}
	t.Logf("message: %s", s.Error)
}

// TestExec_Silent: a program that reports nothing still gets a
// start-to-exit curve, PSS figures and a summary that says why.
func TestExec_Silent(t *testing.T) {
	// The shell's child grows a buffer for a while: there is something to
	// measure.
	run, err := runExec(t, execScenario("sh", "-c", "sleep 0.6"), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	s := run.Summary
	if s.Outcome != results.OutcomeCompleted {
		t.Fatalf("outcome %s (%s), want completed", s.Outcome, s.Error)
	}
	for _, w := range []string{"reported no events", "reported no phases: its first sample (at start"} {
		if !hasWarning(s, w) {
			t.Errorf("warnings %q lack %q", s.Warnings, w)
		}
	}
	if len(run.Samples) < 5 || run.Samples[0].Phase != results.PhaseStartup || run.Samples[len(run.Samples)-1].Phase != results.PhaseLoad {
		t.Fatalf("%d samples, phases %s .. %s; want many, startup then load", len(run.Samples), run.Samples[0].Phase, run.Samples[len(run.Samples)-1].Phase)
	}
	if s.Baseline != run.Samples[0].RSS || s.EndOfLoad != run.Samples[len(run.Samples)-1].RSS || s.PSS == nil || s.PSS.Peak == 0 || s.PSS.PeakProcesses < 2 {
		t.Errorf("baseline %d, end of load %d, PSS %+v; want the first and last samples' RSS and the tree's PSS (sh and sleep)", s.Baseline, s.EndOfLoad, s.PSS)
	}
	// The files were rewritten with the phases the summary used.
	back, err := results.Read(run.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Samples[len(back.Samples)-1].Phase; got != results.PhaseLoad || back.Samples[1].PSS == 0 {
		t.Errorf("samples.jsonl: last phase %s, PSS %d; want load and the PSS column", got, back.Samples[1].PSS)
	}
}

// TestExec_NeverExits: a program that reports nothing and never exits is
// killed at the time limit, with its tree.
func TestExec_NeverExits(t *testing.T) {
	t.Parallel()
	run, err := runExec(t, execScenario("sh", "-c", "sleep 60 & sleep 60"), 1500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	s := run.Summary
	if s.Outcome != results.OutcomeTimeout || !strings.Contains(s.Error, "exceeded its wall-clock limit of 1.5s") {
		t.Errorf("outcome %s, error %q; want a timeout", s.Outcome, s.Error)
	}
	if s.PSS == nil || s.PSS.PeakProcesses != 3 {
		t.Errorf("PSS %+v: want a tree of three (sh and two sleeps)", s.PSS)
	}
}

// TestExec_Floods: a program that writes events as fast as it can is
// read to the end, its events are capped and counted (a cap of 5000 here,
// so that a loaded machine reaches it too), and the parent still samples
// and stops it at the time limit.
func TestExec_Floods(t *testing.T) {
	t.Parallel()
	sc := execScenario("sh", "-c", `printf '{"kind":"phase","phase":"load"}\n' >&3; yes '{"kind":"op","codec":"decode","seconds":0.001}' >&3`)
	const limit = 5000
	run, err := runExecOpts(t, sc, Options{Timeout: 4 * time.Second, MaxEvents: limit})
	if err != nil {
		t.Fatal(err)
	}
	s := run.Summary
	if s.Outcome != results.OutcomeTimeout {
		t.Errorf("outcome %s, want timeout", s.Outcome)
	}
	if len(run.Events) != limit || !hasWarning(s, "the program sh sent more than 5000 events: ") {
		t.Errorf("%d events kept, warnings %q; want %d and the count of the dropped", len(run.Events), s.Warnings, limit)
	}
	if len(run.Samples) < 20 {
		t.Errorf("%d samples in 4 s at 20 ms: the flood starved the sampler", len(run.Samples))
	}
	t.Logf("%d events kept, %d samples, warnings %q", len(run.Events), len(run.Samples), s.Warnings)
}

// TestExec_BadLines: malformed and oversized lines are dropped, counted
// and the first few quoted; the good lines around them still count.
func TestExec_BadLines(t *testing.T) {
	script := `
printf 'not json at all\n{"kind":\n{"no":"kind"}\n' >&3
head -c 100000 /dev/zero | tr '\0' a >&3; echo >&3
printf '{"kind":"phase","phase":"load","total":1}\n{"kind":"request","request":1,"seconds":0.1}\n{"kind":"phase","phase":"done"}\n' >&3
`
	run, err := runExec(t, execScenario("sh", "-c", script), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	s := run.Summary
	for _, w := range []string{
		"3 lines of the event stream of the program sh were not JSON events and were dropped",
		"1 lines of the event stream of the program sh were longer than 64 KiB and were dropped",
		`dropped event line: "not json at all" (invalid character 'o' in literal null (expecting 'u'))`,
		`dropped event line: "{\"no\":\"kind\"}" (no kind)`,
	} {
		if !hasWarning(s, w) {
			t.Errorf("warnings lack %q:\n%s", w, strings.Join(s.Warnings, "\n"))
		}
	}
	quotes := 0
	for _, w := range s.Warnings {
		if strings.HasPrefix(w, "dropped event line: ") {
			quotes++
		}
	}
	if quotes != quotedBadLines {
		t.Errorf("%d lines quoted, want the first %d", quotes, quotedBadLines)
	}
	if s.Outcome != results.OutcomeCompleted || s.Requests != 1 || len(run.Events) != 3 {
		t.Errorf("outcome %s, %d requests, %d events; want completed, 1, 3 (the good lines)", s.Outcome, s.Requests, len(run.Events))
	}
	for _, ev := range run.Events {
		if ev.Time == 0 {
			t.Errorf("event %+v not stamped on arrival", ev)
		}
	}
}

// TestExec_PlanAndEnvironment: the program finds its plan and the
// protocol's variables, and the phases and rounds it reports place the
// summary's landmarks. The script waits for the parent's acknowledgement
// of each phase and round event on stdin (a lost one would hang it until
// the time limit), so the parent samples it at every landmark.
func TestExec_PlanAndEnvironment(t *testing.T) {
	script := `
cat "$LEAKBENCH_PLAN"
echo "fd=$LEAKBENCH_EVENTS_FD cache=$LEAKBENCH_CACHE" >&2
test "$LEAKBENCH_ACKS" = stdin || exit 9
ev() { printf '%s\n' "$1" >&$LEAKBENCH_EVENTS_FD; case $1 in *'"phase"'*|*'"round"'*) read ack;; esac; }
ev '{"kind":"phase","phase":"load","total":12}'
ev '{"kind":"round","round":1}'
ev '{"kind":"snapshot","snapshot":{"linear_memory":1048576,"requests":6}}'
ev '{"kind":"round","round":2}'
ev '{"kind":"phase","phase":"idle"}'
ev '{"kind":"phase","phase":"settle"}'
ev '{"kind":"phase","phase":"done"}'
`
	run, err := runExec(t, execScenario("sh", "-c", script), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	s := run.Summary
	if s.Outcome != results.OutcomeCompleted || len(s.Exec) != 3 || s.Exec[0] != "sh" {
		t.Fatalf("outcome %s (%s), exec %q", s.Outcome, s.Error, s.Exec)
	}
	log, err := os.ReadFile(filepath.Join(run.Dir, ChildLog))
	if err != nil {
		t.Fatal(err)
	}
	text, env, _ := strings.Cut(string(log), "fd=")
	var p Plan
	if err := json.Unmarshal([]byte(text), &p); err != nil {
		t.Fatalf("the program's copy of its plan: %v\n%s", err, log)
	}
	if p.Scenario != "exec-test" || p.Workload != "tiny" || p.Rounds != 2 || p.InFlight != 2 || p.Workers != 3 || p.IdleSeconds != 1 || len(p.Requests) != 12 {
		t.Errorf("plan %+v", p)
	}
	for i, r := range p.Requests {
		if r.ID != i+1 || r.Round != 1+i/6 || !filepath.IsAbs(r.Source) || r.Width <= 0 {
			t.Errorf("request %d: %+v", i, r)
		}
		if _, err := os.Stat(r.Source); err != nil {
			t.Errorf("request %d: %v", i, err)
		}
	}
	if !strings.HasPrefix(env, "3 cache=") || !strings.HasSuffix(strings.TrimSpace(env), "leakbench") {
		t.Errorf("environment: fd=%s", env)
	}
	if len(s.RoundRSS) != 2 || s.RoundRSS[0] == 0 || s.Baseline == 0 || s.AfterSettle == 0 || s.PSS == nil || s.PSS.AfterSettle == 0 {
		t.Errorf("round RSS %v, baseline %d, after settle %d, PSS %+v: want every landmark", s.RoundRSS, s.Baseline, s.AfterSettle, s.PSS)
	}
	if hasWarning(s, "reported no") {
		t.Errorf("warnings %q", s.Warnings)
	}
}

// TestExec_Setup: the setup command runs first; a failing one stops the
// run with its output.
func TestExec_Setup(t *testing.T) {
	dir := t.TempDir()
	sc := execScenario("sh", "-c", "test -f "+filepath.Join(dir, "installed"))
	sc.Setup = []string{"sh", "-c", "touch " + filepath.Join(dir, "installed")}
	var lines []string
	run, err := Run(context.Background(), sc, Options{OutDir: filepath.Join(t.TempDir(), "run"), Timeout: time.Minute,
		Progress: func(p Progress) {
			if p.Setup != "" {
				lines = append(lines, p.Setup)
			}
		}})
	if err != nil || run.Summary.Outcome != results.OutcomeCompleted {
		t.Fatalf("%v, %s (%s)", err, run.Summary.Outcome, run.Summary.Error)
	}
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "running setup: sh -c touch") || !strings.HasPrefix(lines[1], "setup done in ") {
		t.Errorf("progress lines %q", lines)
	}
	sc.Setup = []string{"sh", "-c", "echo 'npm ERR! network' >&2; exit 1"}
	_, err = runExec(t, sc, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "setup sh -c") || !strings.Contains(err.Error(), "exit status 1: npm ERR! network") {
		t.Errorf("failing setup: %v", err)
	}
}

// TestExec_LeavesChildren: a program that exits leaving children behind
// ends the run at once; the children, which hold the events pipe, are
// killed with its process group, and one that left the group only delays
// the end by the drain time.
func TestExec_LeavesChildren(t *testing.T) {
	t.Parallel()
	start := time.Now()
	run, err := runExec(t, execScenario("sh", "-c", "sleep 30 & exit 0"), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); run.Summary.Outcome != results.OutcomeCompleted || d > 3*time.Second {
		t.Errorf("outcome %s after %v; want completed at once", run.Summary.Outcome, d)
	}
	start = time.Now()
	run, err = runExec(t, execScenario("sh", "-c", "setsid sleep 30 & sleep 0.2; exit 0"), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > drainTimeout+3*time.Second || !hasWarning(run.Summary, "the event stream stayed open 5s after the program sh exited") {
		t.Errorf("after %v, warnings %q; want the end after the drain time, saying so", d, run.Summary.Warnings)
	}
}
