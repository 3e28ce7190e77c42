package report

import (
	"testing"

	"github.com/leakbench/leakbench/internal/engine"
)

// The published stages name the same switches as the engine's presets.
func TestPublishedMatchesEnginePresets(t *testing.T) {
	names := engine.Presets()
	pub := Published()
	if len(names) != len(pub) {
		t.Fatalf("engine has %d presets, Published %d stages", len(names), len(pub))
	}
	for i, st := range pub {
		if names[i] != st.Preset {
			t.Errorf("stage %d: engine preset %q, published %q", i, names[i], st.Preset)
		}
		es, ok := engine.Preset(st.Preset)
		if !ok {
			t.Errorf("engine has no preset %q", st.Preset)
			continue
		}
		got := [4]string{st.Topology, st.Lifetime, st.Views, st.Listeners}
		want := [4]string{es.Topology.String(), es.Lifetime.String(), es.Views.String(), es.Listeners.String()}
		if got != want {
			t.Errorf("%s: switches %v, engine %v", st.Preset, got, want)
		}
	}
}
