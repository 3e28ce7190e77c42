package published

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/casestudy/engine"
	"github.com/leakbench/leakbench/internal/casestudy/reproduction"
	"github.com/leakbench/leakbench/internal/results"
)

// The stages are the engine's published presets, in order, each with its
// figures and the switches the engine runs it with.
func TestStages_AreTheEnginePresets(t *testing.T) {
	pub := Stages()
	names := engine.Presets()
	if got := pub.Presets(); !slices.Equal(got, names) {
		t.Fatalf("stages %v, engine presets %v", got, names)
	}
	if len(byPreset) != len(names) {
		t.Errorf("%d figures for %d presets", len(byPreset), len(names))
	}
	for _, st := range pub {
		if _, ok := byPreset[st.Preset]; !ok {
			t.Errorf("%s: no published figures", st.Preset)
		}
		es, ok := engine.Preset(st.Preset)
		if !ok {
			t.Fatalf("engine has no preset %q", st.Preset)
		}
		got := results.Strategy{Switches: st.Switches}
		want := results.Strategy{Switches: es.Switches(0)}
		if !got.Same(want) || len(got.Switches) != 4 {
			t.Errorf("%s: switches %v, engine %v", st.Preset, got, want)
		}
	}
	// The pull request's causes: before has all four, fixed none.
	switches := func(s reproduction.Stage) [4]string {
		st := results.Strategy{Switches: s.Switches}
		return [4]string{st.Switch("topology"), st.Switch("lifetime"), st.Switch("views"), st.Switch("listeners")}
	}
	if b, f := pub[0], pub[len(pub)-1]; b.Preset != "before" || switches(b) != [4]string{"per-worker", "reuse", "leaked", "leaked"} ||
		f.Preset != "fixed" || switches(f) != [4]string{"pipeline", "fresh", "cleared", "removed"} {
		t.Errorf("first and last stages %+v, %+v", b, f)
	}
}

// The stated figures agree with each other: growth is end - start, the
// stated ratios are the figures' to two decimals, and growth and peak fall
// from stage to stage.
func TestStages_FiguresAgree(t *testing.T) {
	pub := Stages()
	for i, s := range pub {
		if s.Label == "" || s.RSSStartMB <= 0 || s.RSSEndMB <= s.RSSStartMB || s.PeakMB < s.RSSEndMB {
			t.Errorf("%s: figures %+v", s.Preset, s)
		}
		if s.GrowthMB != s.RSSEndMB-s.RSSStartMB {
			t.Errorf("%s: growth %v != end - start %v", s.Preset, s.GrowthMB, s.RSSEndMB-s.RSSStartMB)
		}
		if g := s.GrowthMB / pub[0].GrowthMB; math.Abs(g-s.GrowthRatio) > 0.005 {
			t.Errorf("%s: growth ratio %v, computed %.3f", s.Preset, s.GrowthRatio, g)
		}
		if p := s.PeakMB / pub[0].PeakMB; math.Abs(p-s.PeakRatio) > 0.005 {
			t.Errorf("%s: peak ratio %v, computed %.3f", s.Preset, s.PeakRatio, p)
		}
		if i > 0 && (s.GrowthMB >= pub[i-1].GrowthMB || s.PeakMB >= pub[i-1].PeakMB) {
			t.Errorf("%s: growth %v, peak %v do not fall from %s's %v, %v", s.Preset, s.GrowthMB, s.PeakMB, pub[i-1].Preset, pub[i-1].GrowthMB, pub[i-1].PeakMB)
		}
	}
	pub[0].Preset = "changed"
	if Stages()[0].Preset != "before" {
		t.Error("Stages shares its slice between calls")
	}
}

// The report takes the table as it is: a reproduction of no runs misses
// every stage and shows the published labels and ratios.
func TestStages_InTheReport(t *testing.T) {
	rep := reproduction.Reproduce(Stages(), nil)
	if !slices.Equal(rep.Missing, engine.Presets()) || rep.Passed() {
		t.Fatalf("missing %v, passed %v; want every preset missing", rep.Missing, rep.Passed())
	}
	var b strings.Builder
	if err := rep.Write(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| fix 1+2+3+4 | missing | — | — | 0.06 |", "| fix 1 | missing | — | — | 0.41 |"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("reproduction lacks %q:\n%s", want, b.String())
		}
	}
}
