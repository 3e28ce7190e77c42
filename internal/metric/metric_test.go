package metric

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/results"
)

const mib = results.MiB

func TestParseMetric(t *testing.T) {
	for _, m := range All() {
		got, err := ParseMetric(m.String())
		if err != nil || got != m {
			t.Fatalf("ParseMetric(%q) = %v, %v", m.String(), got, err)
		}
		var back Metric
		if b, err := m.MarshalText(); err != nil || back.UnmarshalText(b) != nil || back != m {
			t.Fatalf("%v: text round trip %q %v -> %v", m, b, err, back)
		}
	}
	// The spellings scenario files and baselines use today.
	for in, want := range map[string]Metric{
		"instances_peak": Instances, "instances": Instances, "peak_live": Instances,
		"End-Of-Load": EndOfLoad, " retained ": Retained, "slope_ci_high": SlopeCIHigh,
	} {
		if m, err := ParseMetric(in); err != nil || m != want {
			t.Errorf("ParseMetric(%q) = %v, %v; want %v", in, m, err, want)
		}
	}
	if _, err := ParseMetric("rss"); err == nil || !strings.Contains(err.Error(), `unknown metric "rss" (allowed: baseline, peak,`) {
		t.Fatalf("ParseMetric(rss) error %v", err)
	}
	if _, err := Metric(0).MarshalText(); err == nil {
		t.Fatal("the zero Metric marshalled")
	}
}

func TestTable(t *testing.T) {
	s := results.Summary{
		Baseline: 1, Peak: 2, PeakHWM: 3, EndOfLoad: 4, AfterIdle: 5, AfterSettle: 6,
		Growth: 7, Retained: 8, Settled: 9, HeapLiveAfterSettle: 10, LeakedAfterSettle: 11,
		Slope:     results.Slope{MiBPerRound: 12, CIHigh: 13},
		Instances: results.Instances{Created: 14, PeakLive: 15, EndLive: 16},
		Requests:  17, Errors: 18, Throughput: 19,
		RequestLatency: results.Latency{Count: 5, P50: 20, P95: 21},
	}
	seen := map[float64]Metric{}
	for _, m := range All() {
		v := m.Value(s)
		if m.Unit() == BytesPerRound {
			v /= mib // the slope is stored in MiB/round and reported in bytes/round
		}
		if m.Unit() == 0 || m.Doc() == "" || math.IsNaN(v) {
			t.Errorf("metric %v incomplete: unit %v doc %q value %v", m, m.Unit(), m.Doc(), v)
		}
		if other, dup := seen[v]; dup {
			t.Errorf("%v and %v read the same field (%v)", m, other, v)
		}
		seen[v] = m
	}
	if len(seen) != 21 {
		t.Errorf("%d metrics read distinct fields, want 21", len(seen))
	}
	// A run without request latencies (an older summary) has none.
	if v := LatencyP95.Value(results.Summary{}); !math.IsNaN(v) {
		t.Errorf("latency of a run without requests = %v, want NaN", v)
	}
	if got := Slope.Value(results.Summary{Slope: results.Slope{MiBPerRound: 0.5}}); got != 0.5*mib {
		t.Errorf("slope value %v, want bytes/round %v", got, 0.5*mib)
	}
	want := []Metric{Peak, EndOfLoad, Retained, Settled, Slope, Instances, EndInstances, Errors, Throughput}
	if got := Gated(); !slices.Equal(got, want) {
		t.Errorf("Gated() = %v, want %v", got, want)
	}
	want = []Metric{Peak, PeakHWM, Growth, Retained, Settled, Slope, Instances, Throughput, LatencyP50, LatencyP95}
	if got := Compared(); !slices.Equal(got, want) {
		t.Errorf("Compared() = %v, want %v", got, want)
	}
	for m, unit := range map[Metric]string{Peak: "peak-B", Slope: "slope-B/round", Instances: "instances",
		Throughput: "req/s", LatencyP95: "latency-p95-sec", PeakHWM: "peak-hwm-B"} {
		if got := m.BenchUnit(); got != unit {
			t.Errorf("%v.BenchUnit() = %q, want %q", m, got, unit)
		}
	}
	for _, m := range All() {
		if m.HigherIsBetter() != (m == Throughput) {
			t.Errorf("%v: HigherIsBetter %v", m, m.HigherIsBetter())
		}
	}
	if !math.IsNaN(Metric(0).Value(s)) || Metric(99).Valid() {
		t.Error("invalid metrics must have no value")
	}
}

func TestFormat(t *testing.T) {
	for _, tt := range []struct {
		m    Metric
		v    float64
		want string
	}{
		{Retained, 20 * mib, "20.0MiB"},
		{Slope, 0.1 * mib, "0.10MiB/round"},
		{Slope, -8.5 * mib, "-8.50MiB/round"},
		{Instances, 6, "6"},
		{Throughput, 3.1, "3.10req/s"},
		{Peak, math.NaN(), "n/a"},
	} {
		if got := tt.m.Format(tt.v); got != tt.want {
			t.Errorf("%v.Format(%v) = %q, want %q", tt.m, tt.v, got, tt.want)
		}
	}
	if got := Settled.FormatDelta(16 * mib); got != "+16.0MiB" {
		t.Errorf("FormatDelta = %q", got)
	}
	if got := Bytes.FormatSep(3*mib, " "); got != "3.0 MiB" {
		t.Errorf("FormatSep = %q", got)
	}
}

func TestExpect(t *testing.T) {
	for _, e := range []Expect{ExpectStable, ExpectLeak} {
		if got, err := expectations.Parse(e.String()); err != nil || got != e {
			t.Errorf("parsing expect: %q: = %v, %v", e, got, err)
		}
		var back Expect
		if b, err := e.MarshalText(); err != nil || back.UnmarshalText(b) != nil || back != e {
			t.Errorf("%v: text round trip %q, %v -> %v", e, b, err, back)
		}
	}
	if _, err := expectations.Parse("leaks"); err == nil || !strings.Contains(err.Error(), "(allowed: stable, leak)") {
		t.Errorf("parsing expect: leaks: %v", err)
	}
	if Expect(2).Valid() {
		t.Error("Expect(2) is valid")
	}
}

func TestLeakRule(t *testing.T) {
	r := DefaultLeakRule()
	if r.Memory != 32*mib || r.Slope != 16*mib {
		t.Fatalf("default rule %+v", r)
	}
	fig := func(settled, retained, slope float64) map[Metric]float64 {
		return map[Metric]float64{Settled: settled * mib, Retained: retained * mib, Slope: slope * mib}
	}
	for _, tt := range []struct {
		name            string
		control, stable map[Metric]float64
		want            bool
	}{
		{"settled alone", fig(40, 0, 0), nil, true},
		{"settled below the margin", fig(31, 0, 0), nil, false},
		{"retained and slope together", fig(0, 40, 20), nil, true},
		{"retained alone", fig(0, 400, 0), nil, false},
		{"slope alone", fig(0, 0, 400), nil, false},
		{"settled above zero but not above the stable scenarios", fig(40, 0, 0), fig(20, 0, 0), false},
		{"settled above both", fig(60, 0, 0), fig(20, 0, 0), true},
		{"a stable scenario below zero counts as zero", fig(33, 0, 0), fig(-50, 0, 0), true},
		{"unknown figures are not a leak", map[Metric]float64{}, nil, false},
	} {
		if got := r.Seen(tt.control, tt.stable); got != tt.want {
			t.Errorf("%s: Seen = %v, want %v", tt.name, got, tt.want)
		}
	}
	leaky := results.Summary{Settled: 61 << 20, Retained: 200 << 20, Slope: results.Slope{MiBPerRound: 20}}
	blind := results.Summary{Settled: 1 << 20, Retained: 20 << 20, Slope: results.Slope{MiBPerRound: 30}}
	if !r.Leaks(leaky) || r.Leaks(blind) {
		t.Errorf("Leaks(leaky) = %v, Leaks(blind) = %v", r.Leaks(leaky), r.Leaks(blind))
	}
}
