package engine

// presets are the four published stages of pr23565, in order.
var presets = []struct {
	name     string
	strategy Strategy
}{
	{"before", Strategy{PerWorker, Reuse, ViewsLeaked, ListenersLeaked}},
	{"fix1", Strategy{Pipeline, Reuse, ViewsLeaked, ListenersLeaked}},
	{"fix1+2", Strategy{Pipeline, Fresh, ViewsLeaked, ListenersLeaked}},
	{"fixed", Strategy{Pipeline, Fresh, ViewsCleared, ListenersRemoved}},
}

// Preset returns the strategy of a published stage: "before" (all four
// causes), "fix1" (pipeline), "fix1+2" (pipeline, fresh instances) or
// "fixed" (all four fixes). ok is false for any other name.
func Preset(name string) (s Strategy, ok bool) {
	for _, p := range presets {
		if p.name == name {
			return p.strategy, true
		}
	}
	return Strategy{}, false
}

// Presets returns the preset names in publication order: "before", "fix1",
// "fix1+2", "fixed".
func Presets() []string {
	names := make([]string, len(presets))
	for i, p := range presets {
		names[i] = p.name
	}
	return names
}
