package metric

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/results"
)

func TestParseSize(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want uint64
	}{
		{"0B", 0}, {"1B", 1}, {"1KiB", 1024}, {"512MiB", 512 << 20}, {"4GiB", 4 << 30}, {"1TiB", 1 << 40},
		{"1KB", 1000}, {"512MB", 512e6}, {"8GB", 8e9}, {"1.5GiB", 3 << 29}, {"1.5 MiB", 3 << 19}, {" 2MB ", 2e6},
	} {
		got, err := ParseSize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "GiB", "4", "4gb", "4 GiBs", "-1MiB", "1..2MiB", "1e3MB", "4  GiB", "99999999999TiB"} {
		if got, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, got)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for _, tt := range []struct {
		in   uint64
		want string
	}{{0, "0B"}, {1023, "1023B"}, {1536, "1.5KiB"}, {50 << 20, "50MiB"}, {8 << 30, "8GiB"}, {3 << 29, "1.5GiB"}} {
		if got := FormatSize(tt.in); got != tt.want {
			t.Errorf("FormatSize(%d) = %q, want %q", tt.in, got, tt.want)
		}
		if back, err := ParseSize(FormatSize(tt.in)); err != nil || back != tt.in {
			t.Errorf("ParseSize(FormatSize(%d)) = %d, %v", tt.in, back, err)
		}
	}
}

func TestLimits(t *testing.T) {
	s := results.Summary{
		Peak: 3 << 30, Retained: 40 << 20, Settled: -1 << 20, Growth: 2 << 30,
		Slope:          results.Slope{MiBPerRound: 0.5, CIHigh: 1.5},
		Instances:      results.Instances{Created: 90, PeakLive: 6},
		Errors:         1,
		RequestLatency: results.Latency{Count: 12, P50: 0.25, P95: 1.5},
	}
	for _, tt := range []struct {
		expr  string
		value float64
		ok    bool
	}{
		{"retained < 50MiB", 40 << 20, true},
		{"retained<40MiB", 40 << 20, false},
		{"retained <= 40MiB", 40 << 20, true},
		{"settled < 1MiB", -1 << 20, true},
		{"peak < 2GiB", 3 << 30, false},
		{"peak >= 3GiB", 3 << 30, true},
		{"growth > 1GB", 2 << 30, true},
		{"slope < 1MiB/round", 0.5 * (1 << 20), true},
		{"slope < 0.25 MiB/round", 0.5 * (1 << 20), false},
		{"slope_ci_high < 1MiB/round", 1.5 * (1 << 20), false},
		{"instances_peak <= 6", 6, true},
		{"instances_peak < 6", 6, false},
		{"instances_created > 50", 90, true},
		{"errors <= 0", 1, false},
		{"latency_p95 < 2s", 1.5, true},
		{"latency_p50 < 200ms", 0.25, false},
	} {
		l, err := ParseLimit(tt.expr)
		if err != nil {
			t.Errorf("ParseLimit(%q): %v", tt.expr, err)
			continue
		}
		v, ok := l.Check(s)
		if v != tt.value || ok != tt.ok {
			t.Errorf("%q: Check = %v, %v; want %v, %v", tt.expr, v, ok, tt.value, tt.ok)
		}
		// The canonical form parses back to the same limit.
		back, err := ParseLimit(l.String())
		if err != nil || back.String() != l.String() || back.Bound != l.Bound {
			t.Errorf("%q: String %q parsed back as %q, %v", tt.expr, l.String(), back.String(), err)
		}
	}
	if v, ok := (Limit{}).Check(s); ok || !math.IsNaN(v) {
		t.Errorf("zero Limit: Check = %v, %v; want NaN, false", v, ok)
	}
}

func TestLimitJSON(t *testing.T) {
	l, err := ParseLimit("slope<2MiB/round")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal([]Limit{l})
	if err != nil || string(b) != `["slope \u003c 2MiB/round"]` {
		t.Fatalf("json = %s, %v", b, err)
	}
	var back []Limit
	if err := json.Unmarshal(b, &back); err != nil || len(back) != 1 || back[0].String() != "slope < 2MiB/round" {
		t.Errorf("back = %v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`["nope"]`), &back); err == nil || !strings.Contains(err.Error(), "invalid limit") {
		t.Errorf("bad limit in JSON: %v", err)
	}
}

func TestParseLimit_Spellings(t *testing.T) {
	for _, tt := range []struct{ in, str string }{
		{"instances_peak <= 6", "instances_peak <= 6"}, // kept as written, for messages
		{"instances <= 6", "instances <= 6"},
		{"Retained < 50MiB", "retained < 50MiB"},
		{"throughput >= 2.5", "throughput >= 2.5req/s"},
		{"throughput > 2req/s", "throughput > 2req/s"},
	} {
		l, err := ParseLimit(tt.in)
		if err != nil || l.String() != tt.str {
			t.Errorf("ParseLimit(%q) = %q, %v; want %q", tt.in, l.String(), err, tt.str)
			continue
		}
		if back, err := ParseLimit(l.String()); err != nil || back != l {
			t.Errorf("%q: parsed back as %+v, %v", tt.in, back, err)
		}
	}
	if l, _ := ParseLimit("instances_peak <= 6"); l.Metric != Instances || l.Name() != "instances_peak" {
		t.Errorf("instances_peak limit: %+v", l)
	}
	for _, bad := range []string{"retained", "retained =< 5MiB", "a < b < c", "< 5MiB", "rss < 1GiB", "retained <", "slope < 1MiB", "errors < -1", "throughput > fast"} {
		if l, err := ParseLimit(bad); err == nil {
			t.Errorf("ParseLimit(%q) = %v, want an error", bad, l)
		}
	}
	if (Limit{Metric: Peak}).Holds(0) || (Limit{Op: Less}).Holds(0) {
		t.Error("an incomplete limit holds")
	}
}

// TestLimit_WrittenUnit: a limit and the values checked against it are
// shown in the unit its bound was written in, decimal or binary, with a
// decimal more than the bound; a limit without a size unit as its metric
// shows values.
func TestLimit_WrittenUnit(t *testing.T) {
	for _, tc := range []struct {
		limit, text string
		v           float64
		value       string
	}{
		{"settled < 5.4MB", "settled < 5.4MB", 5.45e6, "5.45MB"},
		{"settled < 64MB", "settled < 64MB", 66e6, "66.0MB"},
		{"settled < 64MiB", "settled < 64MiB", 63.25 * (1 << 20), "63.2MiB"},
		{"peak <= 0.5GiB", "peak <= 0.5GiB", 1 << 30, "1.00GiB"},
		{"slope < 1.5 MB/round", "slope < 1.5MB/round", 2e6, "2.00MB/round"},
		{"instances_peak <= 6", "instances_peak <= 6", 7, "7"},
	} {
		l, err := ParseLimit(tc.limit)
		if err != nil {
			t.Fatalf("%q: %v", tc.limit, err)
		}
		if got := l.String(); got != tc.text {
			t.Errorf("%q: String %q, want %q", tc.limit, got, tc.text)
		}
		if back, err := ParseLimit(l.String()); err != nil || back.Bound != l.Bound {
			t.Errorf("%q: String %q does not read back: %v, %v", tc.limit, l.String(), back.Bound, err)
		}
		if got := l.Format(tc.v); got != tc.value {
			t.Errorf("%q: Format(%g) = %q, want %q", tc.limit, tc.v, got, tc.value)
		}
	}
}
