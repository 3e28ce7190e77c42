package results

import (
	"encoding/json"
	"testing"
)

func TestSummaryEngine(t *testing.T) {
	builtin := Summary{Strategy: Strategy{Preset: "fixed", Switches: []Switch{{Name: "topology", Value: "pipeline"}}}}
	if got, want := builtin.Engine(), builtin.Strategy.String(); got != want || got == "" {
		t.Errorf("builtin: Engine = %q, want the strategy %q", got, want)
	}
	if got := (Summary{Target: "filler", Strategy: Strategy{Workers: 2}}).Engine(); got != "target filler" {
		t.Errorf("another target: Engine = %q", got)
	}
}

// TestStrategy_String: the preset and the switches' texts, a switch
// without a text shown as its name and value, either part alone.
func TestStrategy_String(t *testing.T) {
	sws := []Switch{{Name: "topology", Value: "per-worker", Text: "per-worker×3"}, {Name: "views", Value: "leaked"}}
	for _, tc := range []struct {
		s    Strategy
		want string
	}{
		{Strategy{Preset: "before", Switches: sws}, "before (per-worker×3, views leaked)"},
		{Strategy{Switches: sws}, "per-worker×3, views leaked"},
		{Strategy{Preset: "before"}, "before"},
		{Strategy{Workers: 4}, ""},
	} {
		if got := tc.s.String(); got != tc.want {
			t.Errorf("%+v: String = %q, want %q", tc.s, got, tc.want)
		}
	}
}

// TestStrategy_Same: one configuration whatever the order and texts of
// its switches; a value, a switch, the preset or the workers differing
// is another.
func TestStrategy_Same(t *testing.T) {
	a := Strategy{Preset: "fixed", Workers: 1, Switches: []Switch{{Name: "topology", Value: "pipeline", Text: "pipeline"}, {Name: "views", Value: "cleared"}}}
	b := Strategy{Preset: "fixed", Workers: 1, Switches: []Switch{{Name: "views", Value: "cleared"}, {Name: "topology", Value: "pipeline"}}}
	if !a.Same(b) || !b.Same(a) {
		t.Errorf("%v and %v: not the same", a, b)
	}
	for _, c := range []Strategy{
		{Preset: "fixed", Workers: 1, Switches: []Switch{{Name: "views", Value: "leaked"}, {Name: "topology", Value: "pipeline"}}},
		{Preset: "fixed", Workers: 1, Switches: []Switch{{Name: "topology", Value: "pipeline"}}},
		{Preset: "fix1", Workers: 1, Switches: b.Switches},
		{Preset: "fixed", Workers: 2, Switches: b.Switches},
	} {
		if a.Same(c) {
			t.Errorf("%+v and %+v: the same", a, c)
		}
	}
}

// TestStrategy_ReadsBothForms: a strategy as written now round-trips,
// and one written before strategies were the target's own words (the
// builtin's switches as keys of their own) reads as the same
// configuration, its switches in the object's order; empty and zero
// values were no switch.
func TestStrategy_ReadsBothForms(t *testing.T) {
	now := Strategy{Preset: "fixed", Workers: 1, Switches: []Switch{{Name: "topology", Value: "pipeline", Text: "pipeline"}, {Name: "recycle_after", Value: "512", Text: "recycle after 512"}}}
	b, err := json.Marshal(now)
	if err != nil {
		t.Fatal(err)
	}
	var back Strategy
	if err := json.Unmarshal(b, &back); err != nil || !back.Same(now) || back.String() != now.String() {
		t.Errorf("round trip of %s: %+v, %v", b, back, err)
	}

	var old Strategy
	legacy := `{"preset":"fixed","topology":"pipeline","lifetime":"fresh","views":"cleared","listeners":"removed","workers":1,"recycle_after":512,"pool_size":0,"allocator":""}`
	if err := json.Unmarshal([]byte(legacy), &old); err != nil {
		t.Fatal(err)
	}
	want := []string{"topology pipeline", "lifetime fresh", "views cleared", "listeners removed", "recycle_after 512"}
	if len(old.Switches) != len(want) || old.Preset != "fixed" || old.Workers != 1 {
		t.Fatalf("legacy read as %+v", old)
	}
	for i, sw := range old.Switches {
		if got := sw.Name + " " + sw.Value; got != want[i] {
			t.Errorf("switch %d = %q, want %q", i, got, want[i])
		}
	}

	var target Strategy // a target of a user's, recorded before: the builtin's keys, empty
	if err := json.Unmarshal([]byte(`{"topology":"","lifetime":"","views":"","listeners":"","workers":2}`), &target); err != nil || len(target.Switches) != 0 || target.Workers != 2 {
		t.Errorf("legacy target strategy read as %+v, %v", target, err)
	}
	if err := json.Unmarshal([]byte(`"fixed"`), &target); err == nil {
		t.Error("a string read as a strategy")
	}
}
