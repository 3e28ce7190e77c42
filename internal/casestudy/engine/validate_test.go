package engine

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestValidate_Refused: every refused combination fails with an error
// naming both settings, as scenario keys, and New refuses it too.
func TestValidate_Refused(t *testing.T) {
	fixed := fixedStrategy
	perWorker := Strategy{Topology: PerWorker, Lifetime: Reuse, Views: ViewsCleared, Listeners: ListenersRemoved}
	tests := []struct {
		name string
		s    Strategy
		want []string // each must appear in the error
	}{
		{"recycle without N", with(fixed, func(s *Strategy) { s.Lifetime = Recycle }), []string{"lifetime: recycle", "recycle_after"}},
		{"N without recycle", with(fixed, func(s *Strategy) { s.RecycleAfter = 5 }), []string{"recycle_after: 5", "lifetime: fresh"}},
		{"negative N", with(fixed, func(s *Strategy) { s.Lifetime, s.RecycleAfter = Recycle, -1 }), []string{"recycle_after: -1", "negative"}},
		{"pool_size fresh", with(perWorker, func(s *Strategy) { s.Lifetime, s.PoolSize = Fresh, 2 }), []string{"pool_size: 2", "lifetime: fresh", "no set of instances"}},
		{"pool_size pool", with(perWorker, func(s *Strategy) { s.Lifetime, s.PoolSize = Pool, 2 }), []string{"pool_size: 2", "lifetime: pool", "sync.Pool"}},
		{"pool_size pipeline", with(fixed, func(s *Strategy) { s.Lifetime, s.PoolSize = Reuse, 2 }), []string{"pool_size: 2", "topology: pipeline"}},
		{"negative pool_size", with(perWorker, func(s *Strategy) { s.PoolSize = -3 }), []string{"pool_size: -3"}},
		{"aliased reuse", with(fixed, func(s *Strategy) { s.Lifetime, s.Results = Reuse, ResultsAliased }), []string{"results: aliased", "lifetime: reuse"}},
		{"aliased pool", with(fixed, func(s *Strategy) { s.Lifetime, s.Results = Pool, ResultsAliased }), []string{"results: aliased", "lifetime: pool"}},
		{"aliased mmap", with(fixed, func(s *Strategy) { s.Allocator, s.Results = AllocatorMmap, ResultsAliased }), []string{"results: aliased", "allocator: mmap", "fault"}},
		{"tiny limit", with(fixed, func(s *Strategy) { s.MemoryLimit = 1000 }), []string{"memory_limit", "1000", "64 KiB page"}},
		{"negative cache", with(fixed, func(s *Strategy) { s.Cache = -1 }), []string{"cache: -1"}},
		{"undefined allocator", with(fixed, func(s *Strategy) { s.Allocator = 7 }), []string{"allocator", "go, mmap"}},
		{"undefined results", with(fixed, func(s *Strategy) { s.Results = 7 }), []string{"results", "copied, aliased"}},
	}
	if runtime.GOOS != "linux" {
		tests = append(tests, struct {
			name string
			s    Strategy
			want []string
		}{"mmap off linux", with(fixed, func(s *Strategy) { s.Allocator = AllocatorMmap }), []string{"allocator: mmap", runtime.GOOS}})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.s.Validate()
			if err == nil {
				t.Fatalf("%s: Validate accepted it", tc.s)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if _, err := New(testCtx, lib, Config{Strategy: tc.s, Workers: 2}); err == nil {
				t.Errorf("New accepted %s", tc.s)
			}
		})
	}
	// Several problems: all reported.
	err := with(fixed, func(s *Strategy) { s.RecycleAfter, s.Cache = 3, -2 }).Validate()
	if err == nil || !strings.Contains(err.Error(), "recycle_after") || !strings.Contains(err.Error(), "cache: -2") {
		t.Errorf("two problems: %v", err)
	}
}

// TestValidate_Accepted: the combinations the field presets and tests
// rely on pass.
func TestValidate_Accepted(t *testing.T) {
	for _, s := range []Strategy{
		{Topology: PerWorker, Lifetime: Recycle, RecycleAfter: 1, PoolSize: 1},
		{Topology: Pipeline, Lifetime: Pool, Views: ViewsLeaked, Listeners: ListenersLeaked, MemoryLimit: 64 << 10},
		{Topology: PerWorker, Lifetime: Fresh, Results: ResultsAliased, Cache: 100},
		{Topology: Pipeline, Lifetime: Reuse, Cache: 3}, // copied results are fine with any lifetime
	} {
		if err := s.Validate(); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
}

// TestPresetDescriptions: every preset has a one-line description and
// validates (mmap-fixed where mmap is supported).
func TestPresetDescriptions(t *testing.T) {
	for _, n := range append(FieldPresets(), Presets()...) {
		s, ok := Preset(n)
		if !ok {
			t.Fatalf("Preset(%q) not found", n)
		}
		if d, ok := PresetDescription(n); !ok || d == "" || strings.Contains(d, "\n") {
			t.Errorf("PresetDescription(%q) = %q, %v; want one line", n, d, ok)
		}
		if err := s.Validate(); err != nil && !(n == "mmap-fixed" && !mmapSupported) {
			t.Errorf("preset %s: %v", n, err)
		}
	}
	if _, ok := PresetDescription("after"); ok {
		t.Error(`PresetDescription("after") found`)
	}
}

// TestStrategy_FieldKeys: the scenario keys decode onto the Strategy, the
// zero values stay out of JSON, and they round-trip.
func TestStrategy_FieldKeys(t *testing.T) {
	src := "topology: per-worker\nlifetime: recycle\nviews: cleared\nlisteners: removed\n" +
		"recycle_after: 512\npool_size: 4\nmemory_limit: 384MiB\nallocator: mmap\nresults: copied\ncache: 8\n"
	var s Strategy
	if err := yaml.Unmarshal([]byte(src), &s); err != nil {
		t.Fatal(err)
	}
	want := Strategy{Topology: PerWorker, Lifetime: Recycle, Views: ViewsCleared, Listeners: ListenersRemoved,
		RecycleAfter: 512, PoolSize: 4, MemoryLimit: 384 << 20, Allocator: AllocatorMmap, Cache: 8}
	if s != want {
		t.Errorf("YAML decoded %s, want %s", s, want)
	}
	for _, bad := range []string{"lifetime: pooled\n", "allocator: jemalloc\n", "results: shared\n"} {
		if err := yaml.Unmarshal([]byte(bad), &s); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	b, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var back Strategy
	if err := json.Unmarshal(b, &back); err != nil || back != want {
		t.Errorf("JSON round trip %s: %v, %v", b, back, err)
	}
	if b, _ := json.Marshal(preset(t, "fixed")); strings.Contains(string(b), "cache") || strings.Contains(string(b), "allocator") {
		t.Errorf("zero field settings in JSON: %s", b)
	}
}
