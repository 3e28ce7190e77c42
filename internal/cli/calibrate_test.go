package cli

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/gate"
	"github.com/leakbench/leakbench/internal/metric"
)

// TestGate_CalibrateThenInject calibrates the fake gate (6 unchanged runs
// of the stable scenario, 3 of the control, 3 at each injected size),
// checks the baseline it writes and the tables it prints, then gates
// unchanged code (pass), a leak of the smallest size the calibration
// catches (regression, within the power) and one of half that size
// (reported below the power).
func TestGate_CalibrateThenInject(t *testing.T) {
	f, baseline, args := quickGate(t.TempDir())
	var stdout, stderr bytes.Buffer
	code := f.cmd(&stdout, &stderr).main(t.Context(), append(args, "--calibrate", "--calibrate-runs", "6", "--inject-runs", "3", "--inject-sizes", "1KiB,64KiB,512KiB"))
	if code != 0 {
		t.Fatalf("calibrate: exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	if want := 6 + 3 + 3*3; f.runs != want {
		t.Errorf("calibration ran %d runs, want %d", f.runs, want)
	}
	b, err := gate.Load(baseline)
	if err != nil {
		t.Fatal(err)
	}
	c := b.Scenarios["quick-fixed"].Calibration
	if c == nil || b.Scenarios["quick-leaky"].Calibration != nil || b.Scenarios["quick-fixed"].Runs != 6 {
		t.Fatalf("baseline %+v: want quick-fixed of 6 runs calibrated, the control not", b.Scenarios)
	}
	catches := c.Metrics[metric.Settled].Catches
	if catches != 64<<10 {
		t.Errorf("settled catches %s per request, want 64KiB (1KiB is within the noise, 64KiB × 48 = 3 MiB far above it)", metric.FormatSize(catches))
	}
	for _, want := range []string{"calibration of quick-fixed: 6 unchanged runs", "power: share of trials caught", "sees: catches settled leaks ≥ 3MiB, i.e. ≥ 64KiB per request", "calibration: 18 run(s) in "} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}

	gateRun := func(extra ...string) (int, string) {
		var out, errs bytes.Buffer
		code := f.cmd(&out, &errs).main(t.Context(), append(append([]string{}, args...), extra...))
		return code, out.String() + errs.String()
	}
	if code, text := gateRun(); code != 0 {
		t.Fatalf("unchanged: exit %d, want 0\n%s", code, text)
	}
	code, text := gateRun("--inject-leak", "64KiB")
	if code != 1 || !strings.Contains(text, "injected leak 64KiB per request (3MiB per run): within the gate's power") {
		t.Fatalf("injected at the power: exit %d, want 1 and within the power\n%s", code, text)
	}
	_, text = gateRun("--inject-leak", fmt.Sprintf("%dKiB", catches/2/1024))
	if !strings.Contains(text, "below the gate's power") {
		t.Fatalf("injected at half the power: not reported below it\n%s", text)
	}
}

// TestGate_CalibrateFlags refuses what a calibration can't do.
func TestGate_CalibrateFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--calibrate", "--calibrate-runs", "5"}, "want at least twice --runs"},
		{[]string{"--calibrate", "--inject-runs", "2"}, "want at least --runs"},
		{[]string{"--calibrate", "--false-alarm", "0"}, "want a rate between 0 and 1"},
		{[]string{"--calibrate", "--update-baseline"}, "drop --update-baseline"},
		{[]string{"--calibrate-runs", "12"}, "applies to --calibrate only"},
		{[]string{"--inject-leak", "1MiB", "--update-baseline"}, "baseline of leaking code"},
		{[]string{"--inject-leak", "0KiB"}, "injects nothing"},
		{[]string{"--calibrate", "--inject-sizes", "1KiB,lots"}, "inject-sizes"},
	} {
		var stdout, stderr bytes.Buffer
		if code := testCLI.doGate(t.Context(), tc.args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr.String(), tc.want)
		}
	}
}

// TestGate_UpdateDropsTheCalibration: a plain --update-baseline of a
// calibrated scenario writes a baseline without its calibration and
// says how to calibrate again.
func TestGate_UpdateDropsTheCalibration(t *testing.T) {
	dir := t.TempDir()
	f, baseline, args := quickGate(dir)
	var stdout, stderr bytes.Buffer
	if code := f.cmd(&stdout, &stderr).main(t.Context(), append(args, "--calibrate", "--calibrate-runs", "6", "--inject-runs", "3", "--inject-sizes", "64KiB")); code != 0 {
		t.Fatalf("calibrate: exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	stdout.Reset()
	if code := f.cmd(&stdout, &stderr).main(t.Context(), append(args, "--update-baseline")); code != 0 {
		t.Fatalf("update: exit %d\n%s", code, stdout.String())
	}
	b, err := gate.Load(baseline)
	if err != nil {
		t.Fatal(err)
	}
	want := "the new baseline drops the calibration of quick-fixed: its thresholds are the defaults again until `bench gate --baseline " + baseline + " --out " + filepath.Join(dir, "out") + " --calibrate` is run"
	if b.Scenarios["quick-fixed"].Calibration != nil || !strings.Contains(stdout.String(), want) {
		t.Errorf("calibration %v after a plain update; stdout lacks %q:\n%s", b.Scenarios["quick-fixed"].Calibration, want, stdout.String())
	}
}
