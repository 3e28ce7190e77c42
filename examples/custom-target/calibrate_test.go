package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/childtest"
	"github.com/leakbench/leakbench/internal/gate"
	"github.com/leakbench/leakbench/internal/metric"
)

// TestGate_CalibratedCatchesADoubledLeak is the small engine of issue 25:
// the filler with a known leak of 256 KiB per request of its own
// (inject_leak in its scenario, 4.5 MiB over the 18 requests). Doubling
// that leak (--inject-leak 256KiB more) passes a gate of the default
// thresholds, whose settled floor is 16 MiB; calibrated on a few runs,
// the gate reports the smallest leak it catches, and the doubled leak,
// above it, fails with exit 1.
func TestGate_CalibratedCatchesADoubledLeak(t *testing.T) {
	bin := runsChildren(t)
	dir := t.TempDir()
	data, err := os.ReadFile(scenarioFile)
	if err != nil {
		t.Fatal(err)
	}
	// The calibration runs the scenario 16 times: each run fills 8 MiB
	// instances instead of 32 and idles 100 ms instead of 500 ms, as the
	// property is about the leak (what the filler keeps is steady either
	// way), not the size of the filler's instances.
	small := string(data)
	for _, r := range [][2]string{{"mib: 32", "mib: 8"}, {"idle: 500ms", "idle: 100ms"}} {
		if !strings.Contains(small, r[0]) {
			t.Fatalf("%s no longer says %s", scenarioFile, r[0])
		}
		small = strings.Replace(small, r[0], r[1], 1)
	}
	leaky := filepath.Join(dir, "filler.yaml")
	if err := os.WriteFile(leaky, []byte(small+"inject_leak: 256KiB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gateRun := func(baseline string, extra ...string) (int, string) {
		args := append([]string{"gate", "--runs", "2", "--baseline", baseline, "--out", filepath.Join(dir, "gate")}, extra...)
		return childtest.Run(t, nil, bin, append(args, leaky)...)
	}

	plain := filepath.Join(dir, "plain.json")
	if code, text := gateRun(plain, "--update-baseline"); code != 0 {
		t.Fatalf("gate --update-baseline: exit %d\n%s", code, text)
	}
	code, text := gateRun(plain, "--inject-leak", "256KiB")
	if code != 0 || !strings.Contains(text, "not calibrated") {
		t.Fatalf("doubled leak against the default thresholds: exit %d, want 0 (the floor of 16 MiB hides 4.5 MiB) and the scenario said not calibrated\n%s", code, text)
	}

	calibrated := filepath.Join(dir, "calibrated.json")
	code, text = gateRun(calibrated, "--calibrate", "--calibrate-runs", "4", "--inject-runs", "2", "--inject-sizes", "16KiB,256KiB,1MiB")
	t.Logf("calibration:\n%s", text)
	if code != 0 {
		t.Fatalf("gate --calibrate: exit %d, want 0", code)
	}
	b, err := gate.Load(calibrated)
	if err != nil {
		t.Fatal(err)
	}
	c := b.Scenarios["filler"].Calibration
	if c == nil {
		t.Fatalf("no calibration of filler in %s", calibrated)
	}
	catches := c.Metrics[metric.Settled].Catches
	if catches == 0 || catches > 256<<10 {
		t.Fatalf("settled catches %s per request: want a leak of at most 256 KiB per request caught (the filler's RSS is steady)", metric.FormatSize(catches))
	}
	code, text = gateRun(calibrated, "--inject-leak", "256KiB")
	t.Logf("doubled leak, calibrated gate:\n%s", text)
	if code != 1 || !strings.Contains(text, "within the gate's power") {
		t.Fatalf("doubled leak against the calibrated thresholds: exit %d, want 1, within the gate's power", code)
	}
}
