package compare

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestSummarize_MedianAndInterval(t *testing.T) {
	for _, tc := range []struct {
		name           string
		values         []float64
		median, lo, hi float64
		warn           string
	}{
		// n = 6: order statistics 1 and 6 give 1 − 2/64 = 96.9%.
		{name: "six", values: []float64{6, 1, 5, 2, 4, 3}, median: 3.5, lo: 1, hi: 6},
		// n = 5: [min, max] is only 93.75%, so one bound is infinite.
		{name: "five", values: []float64{5, 1, 4, 2, 3}, median: 3, lo: math.Inf(-1), hi: 5, warn: "need >= 6 samples"},
		{name: "nan dropped", values: []float64{math.NaN(), 6, 1, 5, 2, 4, 3}, median: 3.5, lo: 1, hi: 6, warn: "not finite"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]float64(nil), tc.values...)
			s := Summarize(in, 0)
			if s.Median != tc.median || s.Lo != tc.lo || s.Hi != tc.hi {
				t.Errorf("got median %v [%v, %v], want %v [%v, %v]", s.Median, s.Lo, s.Hi, tc.median, tc.lo, tc.hi)
			}
			if s.Confidence < 0.95 {
				t.Errorf("confidence %v below the requested 0.95", s.Confidence)
			}
			if got := strings.Join(s.Warnings, "; "); (tc.warn == "") != (got == "") || !strings.Contains(got, tc.warn) {
				t.Errorf("warnings %q, want one containing %q", got, tc.warn)
			}
			for i := range in {
				if !(in[i] == tc.values[i] || math.IsNaN(in[i]) && math.IsNaN(tc.values[i])) {
					t.Fatalf("Summarize reordered its input: %v", in)
				}
			}
		})
	}
	if s := Summarize(nil, 0); s.N != 0 || !math.IsNaN(s.Median) {
		t.Errorf("empty sample: got %+v", s)
	}
}

// nullCDF enumerates every way of labelling n1 of n1+n2 ranks as the first
// sample and returns P(U ≤ u) without ties: an independent check of the
// distribution shiftOrder takes from go-moremath.
func nullCDF(n1, n2, u int) float64 {
	n := n1 + n2
	var total, hit int
	for mask := 0; mask < 1<<n; mask++ {
		if popcount(mask) != n1 {
			continue
		}
		// U = number of (x, y) pairs with y < x, x the first sample.
		U, ys := 0, 0
		for r := 0; r < n; r++ {
			if mask&(1<<r) != 0 {
				U += ys
			} else {
				ys++
			}
		}
		total++
		if U <= u {
			hit++
		}
	}
	return float64(hit) / float64(total)
}

func popcount(x int) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

func TestShiftOrder_MatchesEnumeration(t *testing.T) {
	for _, tc := range []struct{ n1, n2 int }{{5, 5}, {3, 3}, {4, 6}, {6, 6}, {2, 8}, {7, 5}} {
		k, conf := shiftOrder(tc.n1, tc.n2, 0.95)
		// The largest k with P(U ≤ k−1) ≤ 0.025, by enumeration.
		want := 0
		for u := 0; u <= tc.n1*tc.n2; u++ {
			if nullCDF(tc.n1, tc.n2, u) <= 0.025+1e-12 {
				want = u + 1
			}
		}
		if k != want {
			t.Errorf("n=%d+%d: k = %d, enumeration gives %d", tc.n1, tc.n2, k, want)
		}
		if k > 0 {
			if wantConf := 1 - 2*nullCDF(tc.n1, tc.n2, k-1); math.Abs(conf-wantConf) > 1e-9 {
				t.Errorf("n=%d+%d: confidence %v, want %v", tc.n1, tc.n2, conf, wantConf)
			}
		}
	}
	// 5 against 5: k = 3, confidence 1 − 2·4/252.
	if k, conf := shiftOrder(5, 5, 0.95); k != 3 || math.Abs(conf-(1-8.0/252)) > 1e-12 {
		t.Errorf("5+5: k=%d conf=%v", k, conf)
	}
}

func TestShiftOrder_NormalApproximationIsContinuousWithExact(t *testing.T) {
	// Just past the exact limit the approximation must land near the exact
	// order of the limit itself.
	kExact, _ := shiftOrder(50, 50, 0.95)
	kApprox, conf := shiftOrder(51, 51, 0.95)
	if kApprox < kExact || kApprox > kExact+60 || conf < 0.94 || conf > 0.96 {
		t.Errorf("exact 50+50 k=%d; approximate 51+51 k=%d conf=%v", kExact, kApprox, conf)
	}
}

// logNormal draws n values with median m and log-sd sd.
func logNormal(r *rand.Rand, n int, m, sd float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = m * math.Exp(sd*r.NormFloat64())
	}
	return v
}

func TestDiff_RatioIntervalCoverage(t *testing.T) {
	// Log-normal samples whose medians differ by a known factor: the
	// interval must cover the true ratio at about its stated confidence
	// (1 − 8/252 = 96.8% for 5 against 5), neither much less nor much more.
	const trials, trueRatio = 2000, 1.3
	m := Metric{Name: "peak", Unit: "B"}
	covered := 0
	var conf float64
	for seed := range uint64(trials) {
		r := rand.New(rand.NewPCG(seed, 11))
		d := Diff(m, logNormal(r, 5, 200e6, 0.2), logNormal(r, 5, 200e6*trueRatio, 0.2), 0, 0)
		conf = d.Confidence
		if d.RatioLo <= trueRatio && trueRatio <= d.RatioHi {
			covered++
		}
	}
	got := float64(covered) / trials
	t.Logf("ratio interval covered the true ratio in %d of %d trials (stated confidence %.4f)", covered, trials, conf)
	// sd of the coverage over 2000 trials is about 0.004.
	if got < conf-0.015 || got > conf+0.015 {
		t.Errorf("ratio interval covered the true ratio in %.3f of %d trials, stated confidence %.3f", got, trials, conf)
	}
}

func TestDiff_IntervalAgreesWithTest(t *testing.T) {
	// Without ties, the 95% shift interval excludes zero exactly when the
	// exact two-sided U test has p < 0.05 (5 against 5: both mean U ≤ 2).
	m := Metric{Name: "settled", Unit: "B"}
	for seed := range uint64(500) {
		r := rand.New(rand.NewPCG(seed, 3))
		shift := float64(seed%5) * 0.5
		x, y := make([]float64, 5), make([]float64, 5)
		for i := range x {
			x[i], y[i] = r.NormFloat64(), r.NormFloat64()+shift
		}
		d := Diff(m, x, y, 0, 0)
		excludes := d.DeltaLo > 0 || d.DeltaHi < 0
		if excludes != (d.P < 0.05) {
			t.Fatalf("seed %d: interval [%v, %v], p = %v", seed, d.DeltaLo, d.DeltaHi, d.P)
		}
		if d.RatioLo == d.RatioLo && x[0] < 0 {
			t.Fatalf("seed %d: a ratio interval over non-positive values", seed)
		}
	}
}

func TestDiff_Verdicts(t *testing.T) {
	mib := 1024.0 * 1024
	base := []float64{200 * mib, 205 * mib, 198 * mib, 202 * mib, 201 * mib}
	up := []float64{300 * mib, 305 * mib, 298 * mib, 302 * mib, 301 * mib}
	near := []float64{206 * mib, 211 * mib, 204 * mib, 208 * mib, 207 * mib}
	noisy := []float64{150 * mib, 250 * mib, 199 * mib, 230 * mib, 180 * mib}
	peak := Metric{Name: "peak", Unit: "B", Floor: 32 * mib}
	tput := Metric{Name: "throughput", Unit: "req/s", HigherIsBetter: true}
	for _, tc := range []struct {
		name    string
		m       Metric
		ref, x  []float64
		verdict Verdict
		text    string
	}{
		{"regression", peak, base, up, Worse, "+49.75% (p=0.008 n=5)"},
		{"improvement", peak, up, base, Better, "-33.22% (p=0.008 n=5)"},
		{"within floor", peak, base, near, Same, "~ (p=0.016 n=5, within floor)"},
		{"not significant", Metric{Name: "peak", Unit: "B"}, base, noisy, Same, "~ (p="},
		{"throughput drop is worse", tput, []float64{3.2, 3.3, 3.1, 3.25, 3.15}, []float64{2.0, 2.1, 1.9, 2.05, 1.95}, Worse, "-37.50% (p=0.008 n=5)"},
		{"identical", peak, base, base, Same, "~ (p=1.000 n=5)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Diff(tc.m, tc.ref, tc.x, 0, 0)
			if d.Verdict != tc.verdict {
				t.Errorf("verdict %v (p=%v Δ=%v), want %v", d.Verdict, d.P, d.Delta, tc.verdict)
			}
			if got := vsText(tc.m, d); !strings.HasPrefix(got, tc.text) {
				t.Errorf("cell %q, want prefix %q", got, tc.text)
			}
		})
	}
}

func TestDiff_NonPositiveValuesHaveNoRatioInterval(t *testing.T) {
	m := Metric{Name: "slope", Unit: "B"}
	d := Diff(m, []float64{-3, -1, 0, 2, 1}, []float64{10, 12, 11, 13, 9}, 0, 0)
	if !math.IsNaN(d.RatioLo) || !math.IsNaN(d.Ratio) {
		t.Errorf("ratio %v [%v, %v] over non-positive values", d.Ratio, d.RatioLo, d.RatioHi)
	}
	if d.Verdict != Worse || vsText(m, d)[0] != '+' {
		t.Errorf("verdict %v, cell %q", d.Verdict, vsText(m, d))
	}
	if math.IsNaN(d.DeltaLo) || d.DeltaLo <= 0 {
		t.Errorf("shift interval [%v, %v] should exclude zero", d.DeltaLo, d.DeltaHi)
	}
}

func TestCompare_Errors(t *testing.T) {
	ms := []Metric{{Name: "peak", Unit: "B"}}
	vals := map[Key][]float64{{"a", "peak"}: {1, 2, 3}, {"b", "peak"}: {1, 2, 3}}
	for _, tc := range []struct {
		name      string
		metrics   []Metric
		scenarios []string
		opt       Options
		want      string
	}{
		{"no scenarios", ms, nil, Options{}, "no scenarios"},
		{"unknown ref", ms, []string{"a", "b"}, Options{Ref: "c"}, "reference scenario c is not among"},
		{"twice", ms, []string{"a", "a"}, Options{}, "scenario a given twice"},
		{"missing values", ms, []string{"a", "b", "x"}, Options{}, "no values for metric peak in scenario x"},
		{"bad floor", []Metric{{Name: "peak", Floor: -1}}, []string{"a"}, Options{}, "metric peak: floor must be"},
		{"bad alpha", ms, []string{"a", "b"}, Options{Alpha: 2}, "alpha must be in (0, 1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compare(tc.metrics, tc.scenarios, vals, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestCompare_RefColumnAndLayout(t *testing.T) {
	mib := 1024.0 * 1024
	vals := map[Key][]float64{
		{"fixed", "peak"}:       {200 * mib, 205 * mib, 198 * mib, 202 * mib, 201 * mib, 203 * mib},
		{"leaky", "peak"}:       {400 * mib, 405 * mib, 398 * mib, 402 * mib, 401 * mib, 399 * mib},
		{"fixed", "throughput"}: {3.2, 3.3, 3.1, 3.25, 3.15, 3.22},
		{"leaky", "throughput"}: {3.1, 3.35, 3.0, 3.3, 3.2, 3.18},
	}
	ms := []Metric{{Name: "peak", Unit: "B", Floor: 32 * mib}, {Name: "throughput", Unit: "req/s", HigherIsBetter: true}}
	tab, err := Compare(ms, []string{"leaky", "fixed"}, vals, Options{Ref: "fixed"})
	if err != nil {
		t.Fatal(err)
	}
	if tab.Scenarios[0] != "fixed" || tab.Rows[0].Cells[0].Vs != nil || tab.Rows[0].Cells[1].Vs == nil {
		t.Fatalf("the reference (fixed) must be the first column, without a comparison: %v", tab.Scenarios)
	}
	if v := tab.Rows[0].Cells[1].Vs.Verdict; v != Worse {
		t.Errorf("leaky peak verdict %v, want worse", v)
	}
	var txt, md bytes.Buffer
	if err := tab.WriteText(&txt); err != nil {
		t.Fatal(err)
	}
	if err := tab.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(txt.String(), "\n")
	// Header, sub-header and one line per metric share the width of the
	// first two lines' │ separators.
	if !strings.Contains(lines[0], "│") || !strings.Contains(lines[1], "vs fixed") {
		t.Errorf("header lines:\n%s\n%s", lines[0], lines[1])
	}
	for _, want := range []string{"peak", "+98.76% (p=0.002 n=6)", "~ (p=0.874 n=6)", "1.99 [1.96, 2.02]", "req/s ± "} {
		if !strings.Contains(txt.String(), want) {
			t.Errorf("text table lacks %q:\n%s", want, txt.String())
		}
	}
	if !strings.Contains(md.String(), "| metric | fixed median | leaky median | leaky vs fixed |") {
		t.Errorf("markdown header:\n%s", md.String())
	}
}
