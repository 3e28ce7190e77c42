package engine

import (
	"encoding"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
)

func TestStrategy_TextRoundTrip(t *testing.T) {
	type enum interface {
		encoding.TextMarshaler
		String() string
	}
	tests := []struct {
		name    string
		values  []enum
		want    []string
		decoder func() encoding.TextUnmarshaler
	}{
		{"topology", []enum{PerWorker, Pipeline}, []string{"per-worker", "pipeline"}, func() encoding.TextUnmarshaler { return new(Topology) }},
		{"lifetime", []enum{Reuse, Fresh}, []string{"reuse", "fresh"}, func() encoding.TextUnmarshaler { return new(Lifetime) }},
		{"views", []enum{ViewsLeaked, ViewsCleared}, []string{"leaked", "cleared"}, func() encoding.TextUnmarshaler { return new(Views) }},
		{"listeners", []enum{ListenersLeaked, ListenersRemoved}, []string{"leaked", "removed"}, func() encoding.TextUnmarshaler { return new(Listeners) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i, v := range tc.values {
				b, err := v.MarshalText()
				if err != nil || string(b) != tc.want[i] || v.String() != tc.want[i] {
					t.Errorf("%v: MarshalText = %q, %v; String = %q; want %q", i, b, err, v.String(), tc.want[i])
				}
				d := tc.decoder()
				if err := d.UnmarshalText(b); err != nil {
					t.Errorf("UnmarshalText(%q): %v", b, err)
				} else if got := d.(enum).String(); got != tc.want[i] {
					t.Errorf("UnmarshalText(%q) = %q", b, got)
				}
			}
			err := tc.decoder().UnmarshalText([]byte("bogus"))
			if err == nil {
				t.Fatal("UnmarshalText(bogus): no error")
			}
			for _, allowed := range tc.want {
				if !strings.Contains(err.Error(), allowed) {
					t.Errorf("error %q does not list %q", err, allowed)
				}
			}
		})
	}
}

func TestStrategy_InvalidValues(t *testing.T) {
	if _, err := Topology(7).MarshalText(); err == nil {
		t.Error("Topology(7).MarshalText: no error")
	}
	if got := Lifetime(9).String(); got != "Lifetime(9)" {
		t.Errorf("Lifetime(9).String() = %q", got)
	}
	if _, err := New(testCtx, lib, Config{Strategy: Strategy{Views: 5}, Workers: 1}); err == nil {
		t.Error("New with Views(5): no error")
	}
	if _, err := New(testCtx, lib, Config{Strategy: Strategy{Topology: PerWorker}}); err == nil {
		t.Error("New per-worker with 0 workers: no error")
	}
	bad := codecs.Options{Limits: codecs.Limits{MaxMemoryBytes: 100}}
	if _, err := New(testCtx, nil, Config{Workers: 1, Library: bad}); err == nil {
		t.Error("New with no library and a memory cap under one page: no error")
	}
}

// TestPresets: Presets lists the published presets and FieldPresets the
// field ones, each in its order, and each name's Preset is its strategy.
func TestPresets(t *testing.T) {
	want := []struct {
		field          bool
		name, strategy string
	}{
		{false, "before", "topology=per-worker lifetime=reuse views=leaked listeners=leaked"},
		{false, "fix1", "topology=pipeline lifetime=reuse views=leaked listeners=leaked"},
		{false, "fix1+2", "topology=pipeline lifetime=fresh views=leaked listeners=leaked"},
		{false, "fixed", "topology=pipeline lifetime=fresh views=cleared listeners=removed"},
		{true, "pool-unclosed", "topology=pipeline lifetime=pool views=cleared listeners=removed"},
		{true, "pool-bounded-capped", "topology=per-worker lifetime=reuse views=cleared listeners=removed pool_size=4 memory_limit=384MiB"},
		{true, "recycle-512", "topology=pipeline lifetime=recycle views=cleared listeners=removed recycle_after=512"},
		{true, "mmap-fixed", "topology=pipeline lifetime=fresh views=cleared listeners=removed allocator=mmap"},
		{true, "aliased-cache", "topology=pipeline lifetime=fresh views=cleared listeners=removed results=aliased cache=8"},
	}
	var published, field []string
	for _, w := range want {
		if w.field {
			field = append(field, w.name)
		} else {
			published = append(published, w.name)
		}
		s, ok := Preset(w.name)
		if !ok || s.String() != w.strategy {
			t.Errorf("Preset(%q) = %v, %v; want %s", w.name, s, ok, w.strategy)
		}
	}
	if !slices.Equal(Presets(), published) {
		t.Errorf("Presets() = %v, want %v", Presets(), published)
	}
	if !slices.Equal(FieldPresets(), field) {
		t.Errorf("FieldPresets() = %v, want %v", FieldPresets(), field)
	}
	if _, ok := Preset("after"); ok {
		t.Error(`Preset("after") found`)
	}
	if (Strategy{}) != preset(t, "before") {
		t.Error("the zero Strategy is not the before preset")
	}
	// The presets are the switches, on wazero's defaults; AsNode puts
	// them on the published runs' mechanism.
	for _, n := range append(Presets(), FieldPresets()...) {
		s := preset(t, n)
		if s.Malloc != codecs.MallocLibc || s.Reused != ReusedAll || s.Allocator == AllocatorV8 || s.Interrupts != InterruptsNone {
			t.Errorf("preset %s has allocator %s, malloc %s, reused %s, interrupts %s; want no v8, libc, all, none", n, s.Allocator, s.Malloc, s.Reused, s.Interrupts)
		}
		want := with(s, func(s *Strategy) {
			s.Allocator, s.Malloc, s.Reused, s.Interrupts = AllocatorV8, codecs.MallocOriginal, ReusedBindgen, InterruptsLoops
		})
		if AsNode(s) != want {
			t.Errorf("AsNode(%s) = %s", n, AsNode(s))
		}
	}
}

// TestStrategy_YAMLAndJSON: scenario files decode into a Strategy through
// the TextUnmarshalers, and bad values name the allowed ones.
func TestStrategy_YAMLAndJSON(t *testing.T) {
	var s Strategy
	src := "topology: pipeline\nlifetime: fresh\nviews: cleared\nlisteners: removed\nallocator: v8\nmalloc: original\nreused: bindgen\n"
	if err := yaml.Unmarshal([]byte(src), &s); err != nil {
		t.Fatal(err)
	}
	if want := with(preset(t, "fixed"), func(s *Strategy) { s.Allocator, s.Malloc, s.Reused = AllocatorV8, codecs.MallocOriginal, ReusedBindgen }); s != want {
		t.Errorf("YAML decoded %v", s)
	}
	err := yaml.Unmarshal([]byte("topology: per_worker\n"), &s)
	if err == nil || !strings.Contains(err.Error(), "per-worker, pipeline") {
		t.Errorf("bad YAML topology: %v", err)
	}
	fix1 := with(preset(t, "fix1"), func(s *Strategy) { s.Reused, s.Malloc = ReusedBindgen, codecs.MallocOriginal })
	b, err := json.Marshal(fix1)
	if err != nil || string(b) != `{"topology":"pipeline","lifetime":"reuse","views":"leaked","listeners":"leaked","reused":"bindgen","malloc":"original"}` {
		t.Errorf("JSON: %s, %v", b, err)
	}
	var back Strategy
	if err := json.Unmarshal(b, &back); err != nil || back != fix1 {
		t.Errorf("JSON round trip: %v, %v", back, err)
	}
}
