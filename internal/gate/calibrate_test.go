package gate

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/combin"

	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/results"
)

// noisy returns n runs of name around fixedRun with normal noise of the
// given standard deviations (MiB) on settled, retained, end_of_load and
// peak, and leak bytes added to each of them (a leak retained to the
// end shows in every one of them), from a seeded generator.
func noisy(rng *rand.Rand, name string, n int, leak float64) []results.Summary {
	out := make([]results.Summary, n)
	for i := range out {
		r := fixedRun
		r.settled += rng.NormFloat64()*1 + leak/mib
		r.retained += rng.NormFloat64()*4 + leak/mib
		r.end += rng.NormFloat64()*5 + leak/mib
		r.peak += rng.NormFloat64()*6 + leak/mib
		out[i] = r.summary(name)
	}
	return out
}

func calibrateFixed(t *testing.T, runs int) (*Calibration, []results.Summary) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	m := Measurement{Scenario: "fixed", Expect: metric.ExpectStable, Runs: noisy(rng, "fixed", runs, 0)}
	control := measure("leaky", metric.ExpectLeak, leakyRun)
	cs, err := CalibrateNoise([]Measurement{m, control}, CalibrateConfig{GateRuns: 3, FalseAlarm: 0.01, Defaults: DefaultThresholds()})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cs["leaky"]; ok || len(cs) != 1 {
		t.Fatalf("calibrations %v: want the stable scenario's only", cs)
	}
	return cs["fixed"], m.Runs
}

// calibratedBaseline calibrates the fixed scenario on 12 unchanged runs
// and returns the calibration with the baseline of those runs that
// carries it.
func calibratedBaseline(t *testing.T) (*Calibration, *Baseline) {
	t.Helper()
	c, unchanged := calibrateFixed(t, 12)
	base := baselineFor(t, Measurement{Scenario: "fixed", Expect: metric.ExpectStable, Runs: unchanged})
	sb := base.Scenarios["fixed"]
	sb.Calibration = c
	base.Scenarios["fixed"] = sb
	return c, base
}

// TestCalibrateNoise_Thresholds checks the thresholds against the null
// distribution they come from: every split of 3 of 12 runs is a trial,
// each threshold is above every difference a trial saw and at the
// normal quantile of the target rate split over the four metrics, so
// that no trial on unchanged runs alarms and the modelled rate is at
// most the target.
func TestCalibrateNoise_Thresholds(t *testing.T) {
	c, _ := calibrateFixed(t, 12)
	if c.Resamples != combin.Binomial(12, 3) || c.Runs != 12 || c.GateRuns != 3 || c.Requests != 48 || c.Tests != 4 {
		t.Errorf("calibration %+v: want 220 resamples of 12 runs for R = 3, 48 requests, 4 tests", c)
	}
	if c.Alarms != 0 {
		t.Errorf("%d of %d trials on unchanged runs alarm: the thresholds are below the null's largest difference", c.Alarms, c.Resamples)
	}
	if c.FalseAlarm > 0.01/1+1e-12 || c.FalseAlarm <= 0 {
		t.Errorf("false alarm %g: want in (0, 1%%]", c.FalseAlarm)
	}
	for _, met := range CalibratedMetrics() {
		mc, ok := c.Metrics[met]
		if !ok {
			t.Fatalf("no calibration of %s", met)
		}
		if mc.Threshold < mc.MaxNull || mc.NullSD <= 0 || mc.Noise <= 0 {
			t.Errorf("%s: %+v: want a threshold >= the largest null difference and some noise", met, mc)
		}
		if mc.FalseAlarm > 0.01/4+1e-12 {
			t.Errorf("%s: false alarm %g above its share 0.25%% of the target", met, mc.FalseAlarm)
		}
	}
	// Noisier metrics get wider thresholds: peak's noise is 6× settled's.
	if s, p := c.Metrics[metric.Settled].Threshold, c.Metrics[metric.Peak].Threshold; !(p > 3*s) {
		t.Errorf("peak threshold %s vs settled %s: want peak's far wider", metric.Peak.Format(p), metric.Settled.Format(s))
	}
	// The defaults alarm as often as they do; the count is reported, not judged.
	if c.DefaultAlarms < 0 || c.DefaultAlarms > c.Resamples {
		t.Errorf("default alarms %d of %d", c.DefaultAlarms, c.Resamples)
	}
}

// TestCalibrateNoise_SplitsTheTargetOverScenarios checks that two stable
// scenarios gated together get the target split over eight metrics: each
// metric's threshold is wider than with one scenario alone.
func TestCalibrateNoise_SplitsTheTargetOverScenarios(t *testing.T) {
	one, runs := calibrateFixed(t, 12)
	other := make([]results.Summary, len(runs))
	copy(other, runs)
	for i := range other {
		other[i].Scenario = "other"
	}
	cs, err := CalibrateNoise([]Measurement{
		{Scenario: "fixed", Expect: metric.ExpectStable, Runs: runs},
		{Scenario: "other", Expect: metric.ExpectStable, Runs: other},
	}, CalibrateConfig{GateRuns: 3, FalseAlarm: 0.01, Defaults: DefaultThresholds()})
	if err != nil {
		t.Fatal(err)
	}
	two := cs["fixed"]
	if two.Tests != 8 {
		t.Errorf("tests %d, want 8", two.Tests)
	}
	for _, met := range CalibratedMetrics() {
		a, b := one.Metrics[met], two.Metrics[met]
		if b.Threshold < a.Threshold || (a.Threshold > a.MaxNull && b.Threshold == a.Threshold) {
			t.Errorf("%s: threshold %g alone, %g beside another scenario: want it wider", met, a.Threshold, b.Threshold)
		}
	}
}

// TestCalibrateNoise_RefusesTooFewRuns: a trial needs R runs as now and
// R as its baseline.
func TestCalibrateNoise_RefusesTooFewRuns(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := Measurement{Scenario: "fixed", Expect: metric.ExpectStable, Runs: noisy(rng, "fixed", 5, 0)}
	_, err := CalibrateNoise([]Measurement{m}, CalibrateConfig{GateRuns: 3, FalseAlarm: 0.01, Defaults: DefaultThresholds()})
	if err == nil || !strings.Contains(err.Error(), "5 unchanged run(s), want at least 6") {
		t.Errorf("error %v, want one about too few runs", err)
	}
	_, err = CalibrateNoise([]Measurement{measure("leaky", metric.ExpectLeak, leakyRun)}, CalibrateConfig{GateRuns: 1, FalseAlarm: 0.01})
	if err == nil || !strings.Contains(err.Error(), "no stable scenario") {
		t.Errorf("error %v, want one about no stable scenario", err)
	}
	_, err = CalibrateNoise([]Measurement{m}, CalibrateConfig{GateRuns: 2, FalseAlarm: 1})
	if err == nil || !strings.Contains(err.Error(), "false-alarm target") {
		t.Errorf("error %v, want one about the target", err)
	}
}

// TestMeasurePower_SmallestCaught injects leaks of a fifth, one and three
// times the settled threshold in total: the smallest is caught rarely,
// the largest always, the power grows with the size, and Catches is the
// smallest size caught in 95% of trials.
func TestMeasurePower_SmallestCaught(t *testing.T) {
	c, unchanged := calibrateFixed(t, 12)
	rng := rand.New(rand.NewPCG(3, 4))
	T := c.Metrics[metric.Settled].Threshold
	var inj []Injected
	for _, f := range []float64{3, 0.2, 1} { // out of order on purpose
		per := uint64(f * T / float64(c.Requests))
		inj = append(inj, Injected{PerRequest: per, Runs: noisy(rng, "fixed", 5, float64(per)*float64(c.Requests))})
	}
	if err := c.MeasurePower(unchanged, inj); err != nil {
		t.Fatal(err)
	}
	mc := c.Metrics[metric.Settled]
	if len(mc.Power) != 3 {
		t.Fatalf("power %+v: want three sizes", mc.Power)
	}
	for i, p := range mc.Power {
		if p.Trials != combin.Binomial(12, 3)*combin.Binomial(5, 3) {
			t.Errorf("size %d: %d trials, want 220 baselines × 10 now", i, p.Trials)
		}
		if i > 0 && (p.PerRequest <= mc.Power[i-1].PerRequest || p.Share() < mc.Power[i-1].Share()) {
			t.Errorf("power %+v: want sizes and shares growing", mc.Power)
		}
	}
	if lo, hi := mc.Power[0].Share(), mc.Power[2].Share(); lo > 0.5 || hi < CatchShare {
		t.Errorf("power at a fifth of the threshold %.2f, at three times %.2f", lo, hi)
	}
	want := mc.Power[2].PerRequest
	if mc.Power[1].Share() >= CatchShare {
		want = mc.Power[1].PerRequest
	}
	if mc.Catches != want {
		t.Errorf("catches %d, want %d (power %+v)", mc.Catches, want, mc.Power)
	}
	if err := c.MeasurePower(unchanged[:11], inj); err == nil {
		t.Error("power against other unchanged runs than the calibration's: no error")
	}
}

// TestEvaluate_CalibratedThresholds: a leak of twice the calibrated
// settled threshold, far below the default floor of 16 MiB, passes the
// default thresholds and fails the calibrated ones; the report says
// what the gate sees and that the leak is within its power.
func TestEvaluate_CalibratedThresholds(t *testing.T) {
	c, unchanged := calibrateFixed(t, 12)
	rng := rand.New(rand.NewPCG(5, 6))
	T := c.Metrics[metric.Settled].Threshold
	per := uint64(math.Ceil(2 * T / float64(c.Requests)))
	if err := c.MeasurePower(unchanged, []Injected{{PerRequest: per, Runs: noisy(rng, "fixed", 5, float64(per*48))}}); err != nil {
		t.Fatal(err)
	}
	if 2*T >= metric.NoiseFloor {
		t.Fatalf("settled threshold %s: the test needs it far below the default floor", metric.Settled.Format(T))
	}
	base := baselineFor(t, Measurement{Scenario: "fixed", Expect: metric.ExpectStable, Runs: unchanged})
	now := Measurement{Scenario: "fixed", Expect: metric.ExpectStable, Runs: noisy(rng, "fixed", 3, float64(per*48)), Injected: per}

	plain := Evaluate(base, []Measurement{now}, Config{Thresholds: DefaultThresholds()})
	if plain.Verdict != Pass {
		t.Fatalf("default thresholds: %s, want pass: %v", plain.Verdict, plain.Failures())
	}
	sb := base.Scenarios["fixed"]
	sb.Calibration = c
	base.Scenarios["fixed"] = sb
	rep := Evaluate(base, []Measurement{now}, Config{Thresholds: DefaultThresholds()})
	if rep.Verdict != Regression || !strings.Contains(strings.Join(rep.Failures(), "\n"), "settled") {
		t.Fatalf("calibrated thresholds: %s %v, want a settled regression", rep.Verdict, rep.Failures())
	}
	var text strings.Builder
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"sees: catches settled leaks ≥ ", "per request", "false alarms ≈ 1 in ", "calibrated: false alarms", "within the gate's power"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	var md strings.Builder
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "What it sees: catches settled leaks") {
		t.Errorf("markdown lacks what the gate sees:\n%s", md.String())
	}

	// Half the smallest caught leak is reported as below the gate's power.
	half := ScenarioReport{Expect: metric.ExpectStable, Calibration: c, Injected: c.Metrics[metric.Settled].Catches / 2}
	if v := half.InjectedVerdict(); !strings.Contains(v, "below the gate's power") {
		t.Errorf("half the smallest caught leak: %q", v)
	}
	// A scenario never calibrated says so.
	if s := (ScenarioReport{Expect: metric.ExpectStable}).Sees(); !strings.HasPrefix(s, "not calibrated") {
		t.Errorf("uncalibrated: %q", s)
	}
}

// TestBaseline_CalibrationRoundTrip: a calibration survives the file, and
// a broken one is refused as a bad baseline.
func TestBaseline_CalibrationRoundTrip(t *testing.T) {
	c, base := calibratedBaseline(t)
	data, err := base.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(data, "b.json")
	if err != nil {
		t.Fatal(err)
	}
	if g := got.Scenarios["fixed"].Calibration; g == nil || g.Metrics[metric.Settled].Threshold != c.Metrics[metric.Settled].Threshold || g.Resamples != c.Resamples {
		t.Fatalf("calibration after a round trip: %+v, want %+v", g, c)
	}
	bad := strings.Replace(string(data), `"gate_runs": 3`, `"gate_runs": 7`, 1)
	if _, err := Decode([]byte(bad), "b.json"); !errors.Is(err, ErrBaseline) || !strings.Contains(err.Error(), "calibration of 12 runs for a gate of 7") {
		t.Errorf("broken calibration: %v", err)
	}
}

// TestLadder spans half the smallest per-request threshold to twice the
// largest, growing, in whole KiB.
func TestLadder(t *testing.T) {
	c, _ := calibrateFixed(t, 12)
	l := c.Ladder(6)
	if len(l) < 2 || len(l) > 6 {
		t.Fatalf("ladder %v: want 2 to 6 sizes", l)
	}
	lo := c.Metrics[metric.Settled].Threshold / float64(c.Requests) / 2
	hi := 2 * c.Metrics[metric.Peak].Threshold / float64(c.Requests)
	if float64(l[0]) < lo || float64(l[0]) > lo+1024 || float64(l[len(l)-1]) < hi*0.99 {
		t.Errorf("ladder %v: want from %.0f to at least %.0f", l, lo, hi)
	}
	for i, s := range l {
		if s%1024 != 0 || (i > 0 && s <= l[i-1]) {
			t.Errorf("ladder %v: want growing whole KiB", l)
		}
	}
}

// TestTrials judges every 3 of 6 runs as a gate: unchanged runs against
// a calibrated baseline fail none of the 20 trials, runs with a leak of
// three times the settled threshold fail all of them, on settled.
func TestTrials(t *testing.T) {
	c, base := calibratedBaseline(t)
	rng := rand.New(rand.NewPCG(9, 10))
	cfg := Config{Thresholds: DefaultThresholds()}

	calm, err := Trials(base, []Measurement{{Scenario: "fixed", Expect: metric.ExpectStable, Runs: noisy(rng, "fixed", 6, 0)}}, cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	if calm.Trials != 20 || calm.K != 3 || calm.N != 6 || calm.Failed != 0 {
		t.Errorf("unchanged: %+v; want 0 of 20 failed", calm)
	}
	leak := 3 * c.Metrics[metric.Settled].Threshold
	leaky, err := Trials(base, []Measurement{{Scenario: "fixed", Expect: metric.ExpectStable, Runs: noisy(rng, "fixed", 6, leak)}}, cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	if leaky.Failed != 20 {
		t.Errorf("leaking: %+v; want all 20 failed", leaky)
	}
	for why := range leaky.Why {
		if !strings.Contains(why, "settled") && !strings.Contains(why, "retained") && !strings.Contains(why, "end_of_load") && !strings.Contains(why, "peak") {
			t.Errorf("failure %q is not about memory", why)
		}
	}
	if _, err := Trials(base, nil, cfg, 3); err == nil {
		t.Error("no measurements: no error")
	}
}
