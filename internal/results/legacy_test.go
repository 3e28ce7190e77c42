package results

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestLegacyHeld_JSON: a sample line or an event's snapshot that carries
// the holder fields of before (leaked_views, listeners) reads with their
// bytes in Held, as samples.csv's columns do; today's lines read as they
// are, the "listeners" of an event's held map counted once, beside the
// snapshot's held; a legacy field that is no byte count is an error
// naming it.
func TestLegacyHeld_JSON(t *testing.T) {
	var s Sample
	if err := json.Unmarshal([]byte(`{"t":1.5,"phase":"load","rss":4096,"held":1,"leaked_views":5,"listeners":6,"linear_memory":7}`), &s); err != nil {
		t.Fatal(err)
	}
	if s.T != 1.5 || s.Phase != PhaseLoad || s.RSS != 4096 || s.Held != 12 || s.LinearMemory != 7 {
		t.Errorf("legacy sample read as %+v", s)
	}

	for _, tc := range []struct {
		name, line string
		held       uint64
		holders    int
	}{
		{"exec program of before", `{"kind":"snapshot","snapshot":{"heap_live":10,"leaked_views":5,"listeners":6,"requests":2}}`, 11, 0},
		{"today's builtin", `{"kind":"snapshot","snapshot":{"held":26},"held":{"views":{"bytes":20},"listeners":{"bytes":6,"refs":3}}}`, 26, 2},
	} {
		var ev Event
		if err := json.Unmarshal([]byte(tc.line), &ev); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if ev.Kind != EventSnapshot || ev.Snapshot == nil || ev.Snapshot.Held != tc.held || len(ev.Held) != tc.holders {
			t.Errorf("%s: read as %+v (snapshot %+v), want held %d and %d holders", tc.name, ev, ev.Snapshot, tc.held, tc.holders)
		}
	}

	var ev Event
	if err := json.Unmarshal([]byte(`{"kind":"request","request":3}`), &ev); err != nil || ev.Snapshot != nil || ev.Request != 3 {
		t.Errorf("an event without a snapshot: %+v, %v", ev, err)
	}
	err := json.Unmarshal([]byte(`{"kind":"snapshot","snapshot":{"listeners":"many"}}`), &ev)
	if err == nil || !strings.Contains(err.Error(), "listeners") {
		t.Errorf("a legacy field that is no byte count: error %v, want one naming it", err)
	}
}
