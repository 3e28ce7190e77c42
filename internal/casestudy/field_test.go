package casestudy

import (
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/leakbench/leakbench/internal/casestudy/builtin"
	"github.com/leakbench/leakbench/internal/casestudy/codecs"
	"github.com/leakbench/leakbench/internal/casestudy/engine"
	"github.com/leakbench/leakbench/internal/casestudy/scenarios"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/scenario"
)

// TestParse_FieldKeys reads every setting from the field, over a preset
// and over the four switches, and checks it lands in the Strategy and in
// the strategy the results record.
func TestParse_FieldKeys(t *testing.T) {
	sc, err := Program().Catalog().Parse("t.yaml", []byte("preset: fixed\nlifetime: recycle\nrecycle_after: 8\ncache: 4\nmemory_limit: 64MiB\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := engine.Strategy{Topology: engine.Pipeline, Lifetime: engine.Recycle, Views: engine.ViewsCleared,
		Listeners: engine.ListenersRemoved, RecycleAfter: 8, Cache: 4, MemoryLimit: 64 << 20}
	if opts(sc).Strategy != want {
		t.Errorf("strategy %v, want %v", opts(sc).Strategy, want)
	}
	if got := sc.ResultsStrategy().String(); got != "fixed (pipeline, recycle, views cleared, listeners removed, recycle after 8, memory limit 64MiB, cache 4)" {
		t.Errorf("results strategy %q", got)
	}

	sc, err = Program().Catalog().Parse("t.yaml", []byte("topology: per-worker\nlifetime: reuse\nviews: cleared\nlisteners: removed\npool_size: 3\nresults: copied\nallocator: go\n"))
	if err != nil {
		t.Fatal(err)
	}
	if opts(sc).Strategy.PoolSize != 3 || opts(sc).Strategy.Results != engine.ResultsCopied || opts(sc).Strategy.Allocator != engine.AllocatorGo {
		t.Errorf("strategy %v", opts(sc).Strategy)
	}
	if rs := sc.ResultsStrategy(); rs.Switch("pool_size") != "3" || rs.Switch("allocator") != "" || rs.Switch("results") != "" {
		t.Errorf("results strategy %+v: defaults are left out", rs)
	}

	sc, err = Program().Catalog().Parse("t.yaml", []byte("preset: fixed\nresults: aliased\ncache: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if rs := sc.ResultsStrategy(); rs.Switch("results") != "aliased" || rs.Switch("cache") != "2" {
		t.Errorf("results strategy %+v", rs)
	}
	// malloc: a preset is the switches, on libc; a key sets either value
	// over any preset, and libc, the default, is not recorded.
	for _, c := range []struct {
		src    string
		want   codecs.Malloc
		record string
	}{
		{"preset: fix1\n", codecs.MallocLibc, ""},
		{"preset: fix1\nmalloc: original\n", codecs.MallocOriginal, "original"},
		{"preset: recycle-512\n", codecs.MallocLibc, ""},
		{"preset: recycle-512\nmalloc: original\n", codecs.MallocOriginal, "original"},
		{"topology: pipeline\nlifetime: reuse\nviews: cleared\nlisteners: removed\n", codecs.MallocLibc, ""},
	} {
		sc, err = Program().Catalog().Parse("t.yaml", []byte(c.src))
		if err != nil || opts(sc).Strategy.Malloc != c.want || sc.ResultsStrategy().Switch("malloc") != c.record {
			t.Errorf("%q: malloc %v, recorded %q, %v; want %v, %q", c.src, opts(sc).Strategy.Malloc, sc.ResultsStrategy().Switch("malloc"), err, c.want, c.record)
		}
	}
	if runtime.GOOS == "linux" {
		sc, err = Program().Catalog().Parse("t.yaml", []byte("preset: fixed\nallocator: mmap\n"))
		if err != nil || opts(sc).Strategy.Allocator != engine.AllocatorMmap || sc.ResultsStrategy().Switch("allocator") != "mmap" {
			t.Errorf("allocator mmap: %v, %v", opts(sc).Strategy, err)
		}
	}
}

// TestParse_FieldPresets checks that every pattern from the field is a
// preset a scenario may name, with the engine's strategy and, when run as
// it is, the engine's description.
func TestParse_FieldPresets(t *testing.T) {
	for _, name := range engine.FieldPresets() {
		if name == "mmap-fixed" && runtime.GOOS != "linux" {
			continue
		}
		sc, err := Program().Catalog().Parse("t.yaml", []byte("preset: "+name+"\n"))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		want, _ := engine.Preset(name)
		desc, _ := engine.PresetDescription(name)
		if opts(sc).Strategy != want || string(opts(sc).Preset) != name || sc.Description != desc {
			t.Errorf("%s: strategy %v description %q; want %v and %q", name, opts(sc).Strategy, sc.Description, want, desc)
		}
		// Changed, it is no longer the preset: no borrowed description.
		sc, err = Program().Catalog().Parse("t.yaml", []byte("preset: "+name+"\nworkload: quick\nviews: cleared\nlisteners: leaked\n"))
		if err != nil {
			t.Errorf("%s with listeners leaked: %v", name, err)
		} else if sc.Description != "" {
			t.Errorf("%s with listeners leaked: description %q, want none", name, sc.Description)
		}
	}
	// A field preset overridden entirely conflicts like a published one.
	_, err := Program().Catalog().Parse("t.yaml", []byte("preset: recycle-512\ntopology: pipeline\nlifetime: recycle\nviews: cleared\nlisteners: removed\nrecycle_after: 512\n"))
	if err == nil || !strings.Contains(err.Error(), `t.yaml:1:9: preset: preset "recycle-512" conflicts with topology, lifetime, views, listeners and recycle_after, which override all of it`) {
		t.Errorf("fully overridden field preset: %v", err)
	}
	// Overriding the four switches leaves its recycle_after: no conflict.
	sc, err := Program().Catalog().Parse("t.yaml", []byte("preset: recycle-512\ntopology: pipeline\nlifetime: recycle\nviews: cleared\nlisteners: removed\n"))
	if err != nil || opts(sc).Strategy.RecycleAfter != 512 {
		t.Errorf("recycle-512 with its four switches: %v, %v", opts(sc).Strategy, err)
	}
}

// TestParse_FieldErrors checks the errors of the settings from the
// field: their own (type, value) with file:line:col, and every
// combination the engine's Strategy.Validate refuses, naming both keys.
func TestParse_FieldErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"recycle_after not a number", "preset: fixed\nlifetime: recycle\nrecycle_after: many\n",
			[]string{`t.yaml:3:16: recycle_after: must be an integer, got "many"`}},
		{"pool_size a list", "preset: before\npool_size: [1]\n",
			[]string{`t.yaml:2:12: pool_size: must be an integer, got a list`}},
		{"memory_limit without unit", "preset: fixed\nmemory_limit: 384\n",
			[]string{`t.yaml:2:15: memory_limit: invalid size "384": missing unit (units: B, KiB, MiB, GiB, TiB, KB, MB, GB, TB)`}},
		{"memory_limit bad unit", "preset: fixed\nmemory_limit: 384 parsecs\n",
			[]string{`t.yaml:2:15: memory_limit: `, `384 parsecs`}},
		{"memory_limit below a page", "preset: fixed\nmemory_limit: 1KiB\n",
			[]string{`t.yaml:2:15: memory_limit: `, `want at least one 64 KiB page`}},
		{"unknown allocator", "preset: fixed\nallocator: jemalloc\n",
			[]string{`t.yaml:2:12: allocator: unknown value "jemalloc" (allowed: go, mmap, v8)`}},
		{"unknown malloc", "preset: fixed\nmalloc: wee_alloc\n",
			[]string{`t.yaml:2:9: malloc: unknown value "wee_alloc" (allowed: libc, original)`}},
		{"malloc a list", "preset: fixed\nmalloc: [libc]\n",
			[]string{`t.yaml:2:9: malloc: `}},
		{"unknown results", "preset: fixed\nresults: shared\n",
			[]string{`t.yaml:2:10: results: unknown value "shared" (allowed: copied, aliased)`}},
		{"cache not a number", "preset: fixed\ncache: big\n",
			[]string{`t.yaml:2:8: cache: must be an integer, got "big"`}},
		{"negative cache", "preset: fixed\ncache: -1\n",
			[]string{`t.yaml:2:8: cache: -1 is negative; want the number of entries, or 0 for no cache`}},
		{"negative pool_size", "preset: before\npool_size: -2\n",
			[]string{`t.yaml:2:12: pool_size: -2 is negative`}},
		{"recycle without recycle_after", "preset: fixed\nlifetime: recycle\n",
			[]string{`t.yaml:2:11: lifetime: recycle needs recycle_after: N >= 1`}},
		{"recycle_after without recycle", "preset: fixed\nrecycle_after: 8\n",
			[]string{`t.yaml:2:16: recycle_after: 8 with lifetime: fresh: only lifetime recycle replaces an instance after N operations`}},
		{"pool_size with fresh", "preset: fixed\npool_size: 4\n",
			[]string{`t.yaml:2:12: pool_size: 4 with lifetime: fresh: fresh closes every instance`}},
		{"pool_size with pool", "preset: pool-unclosed\ntopology: per-worker\npool_size: 4\n",
			[]string{`t.yaml:3:12: pool_size: 4 with lifetime: pool: each sync.Pool serves one worker`}},
		{"pool_size with pipeline", "preset: fix1\npool_size: 4\n",
			[]string{`t.yaml:2:12: pool_size: 4 with topology: pipeline: the pipeline runs one worker per codec`}},
		{"aliased with reuse, both in the file", "preset: fix1\nresults: aliased\n",
			[]string{`t.yaml:2:10: results: aliased with lifetime: reuse: an aliased result stays allocated inside its instance's memory`, "aliased needs lifetime: fresh"}},
		{"aliased from the preset with reuse from the file", "preset: aliased-cache\nlifetime: reuse\n",
			[]string{`t.yaml:2:11: lifetime: results: aliased with lifetime: reuse:`}},
		{"aliased with mmap", "preset: fixed\nallocator: mmap\nresults: aliased\n",
			[]string{`t.yaml:3:10: results: aliased with allocator: mmap: an aliased result points into linear memory that mmap returns to the OS`}},
		{"mmap with the aliased preset", "preset: aliased-cache\nallocator: mmap\n",
			[]string{`t.yaml:2:12: allocator: results: aliased with allocator: mmap:`}},
		{"expect leak, views hidden by mmap", "preset: fixed\nallocator: mmap\nviews: leaked\nexpect: leak\n",
			[]string{`t.yaml:4:9: expect: a leak is expected but the strategy fixed (pipeline, fresh, views leaked, listeners removed, mmap) retains nothing`}},
		{"expect leak, copied cache", "preset: fixed\ncache: 8\nexpect: leak\n",
			[]string{`t.yaml:3:9: expect: a leak is expected but the strategy`, "results: aliased with a cache"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if strings.Contains(tc.yaml, "mmap") && runtime.GOOS != "linux" {
				t.Skip("allocator mmap is refused off Linux before its combinations")
			}
			_, err := Program().Catalog().Parse("t.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatalf("no error; want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n  %v\nwant it to contain\n  %s", err, w)
				}
			}
		})
	}
}

// TestParse_FieldKeysOtherTarget checks that the settings from the field
// belong to the builtin target only.
func TestParse_FieldKeysOtherTarget(t *testing.T) {
	_, err := Program().Catalog().Parse("t.yaml", []byte("target: mine\nrecycle_after: 8\npool_size: 2\nmemory_limit: 1GiB\nallocator: mmap\nresults: aliased\ncache: 3\nmalloc: original\n"))
	if err == nil {
		t.Fatal("no error")
	}
	for i, key := range []string{"recycle_after", "pool_size", "memory_limit", "allocator", "results", "cache", "malloc"} {
		want := key + `: applies to the default target builtin only; the settings of target "mine" go under options:`
		if !strings.Contains(err.Error(), "t.yaml:"+string(rune('2'+i))+":1: "+want) {
			t.Errorf("error lacks %q at line %d:\n%v", want, i+2, err)
		}
	}
}

// TestLeaky checks the one rule of what retains memory, which expect:
// leak relies on.
func TestLeaky(t *testing.T) {
	fixed, _ := engine.Preset("fixed")
	with := func(f func(*engine.Strategy)) engine.Strategy {
		s := fixed
		f(&s)
		return s
	}
	for _, tc := range []struct {
		name  string
		st    engine.Strategy
		leaky bool
	}{
		{"fixed", fixed, false},
		{"reuse", with(func(s *engine.Strategy) { s.Lifetime = engine.Reuse }), true},
		{"pool: drops unclosed instances", with(func(s *engine.Strategy) { s.Lifetime = engine.Pool }), true},
		{"recycle: kept for N operations", with(func(s *engine.Strategy) { s.Lifetime, s.RecycleAfter = engine.Recycle, 8 }), true},
		{"views leaked", with(func(s *engine.Strategy) { s.Views = engine.ViewsLeaked }), true},
		{"listeners leaked", with(func(s *engine.Strategy) { s.Listeners = engine.ListenersLeaked }), true},
		{"views leaked under mmap hold nothing", with(func(s *engine.Strategy) { s.Views, s.Allocator = engine.ViewsLeaked, engine.AllocatorMmap }), false},
		{"listeners leaked under mmap hold nothing", with(func(s *engine.Strategy) { s.Listeners, s.Allocator = engine.ListenersLeaked, engine.AllocatorMmap }), false},
		{"mmap", with(func(s *engine.Strategy) { s.Allocator = engine.AllocatorMmap }), false},
		{"aliased with a cache pins instances", with(func(s *engine.Strategy) { s.Results, s.Cache = engine.ResultsAliased, 8 }), true},
		{"aliased without a cache", with(func(s *engine.Strategy) { s.Results = engine.ResultsAliased }), false},
		{"copied cache holds its bytes only", with(func(s *engine.Strategy) { s.Cache = 8 }), false},
		{"memory limit", with(func(s *engine.Strategy) { s.MemoryLimit = 64 << 20 }), false},
	} {
		if got, _ := (builtin.Options{Strategy: tc.st}).CanLeak(); got != tc.leaky {
			t.Errorf("%s: CanLeak() = %v, want %v", tc.name, got, tc.leaky)
		}
	}
	// expect: leak accepts every retaining pattern from the field.
	for _, y := range []string{"preset: pool-unclosed\n", "preset: aliased-cache\n", "preset: recycle-512\n", "preset: pool-bounded-capped\n"} {
		sc, err := Program().Catalog().Parse("t.yaml", []byte(y+"expect: leak\n"))
		if err != nil || sc.Expect != metric.ExpectLeak {
			t.Errorf("%sexpect: leak: %v", y, err)
		}
	}
}

// TestBuiltin_FieldScenarios checks that every pattern from the field
// ships as a scenario on the default workload, next to fixed's shape,
// and as a quick twin, and that the quick twin of recycle recycles.
func TestBuiltin_FieldScenarios(t *testing.T) {
	all, err := Program().Catalog().All()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]scenario.Scenario{}
	for _, sc := range all {
		byName[sc.Name] = sc
	}
	fixed := byName["fixed"]
	for _, name := range engine.FieldPresets() {
		if p, _ := engine.Preset(name); !p.Allocator.Supported() {
			if _, ok := byName[name]; ok {
				t.Errorf("%s is among the builtins on %s, which has no allocator %s", name, runtime.GOOS, p.Allocator)
			}
			continue
		}
		sc, ok := byName[name]
		want, _ := engine.Preset(name)
		switch {
		case !ok:
			t.Errorf("no builtin scenario %q", name)
		case opts(sc).Strategy != want || sc.Workload != "default" || sc.Workers != fixed.Workers || sc.Rounds != fixed.Rounds ||
			sc.Idle != fixed.Idle || opts(sc).IdleGC != opts(fixed).IdleGC || sc.InFlight != fixed.InFlight || sc.RSSCap == 0:
			t.Errorf("%s: %+v; want the preset on fixed's workload, workers, rounds, idle and an RSS cap", name, sc)
		}
		twins := 0
		for _, q := range all {
			if string(opts(q).Preset) == name && q.Workload == "quick" {
				twins++
				if q.RSSCap == 0 || len(q.Limits) == 0 {
					t.Errorf("%s: no RSS cap or no limits", q.Name)
				}
			}
		}
		if twins != 1 {
			t.Errorf("%s: %d quick twins, want 1", name, twins)
		}
	}
	if q := byName["quick-recycle-8"]; opts(q).Strategy.RecycleAfter != 8 || opts(q).Strategy.Lifetime != engine.Recycle {
		t.Errorf("quick-recycle-8: %v", opts(q).Strategy)
	}
}

// TestForThisPlatform checks which builtin files Builtin leaves out off
// Linux: those asking for allocator mmap, by preset or by key, only.
func TestForThisPlatform(t *testing.T) {
	mmap := engine.AllocatorMmap.Supported()
	for _, tc := range []struct {
		file string
		want bool
	}{
		{"fixed.yaml", true},
		{"quick-fixed.yaml", true},
		{"aliased-cache.yaml", true},
		{"mmap-fixed.yaml", mmap},
		{"quick-mmap-fixed.yaml", mmap},
	} {
		if got := supported(scenarios.FS, tc.file); got != tc.want {
			t.Errorf("supported(%s) = %v, want %v on %s", tc.file, got, tc.want, runtime.GOOS)
		}
	}
	fsys := fstest.MapFS{"mine.yaml": {Data: []byte("preset: fixed\nallocator: mmap\n")}}
	if got := supported(fsys, "mine.yaml"); got != mmap {
		t.Errorf("allocator: mmap by key: %v, want %v", got, mmap)
	}
}

// TestBuiltin_Mechanism: every builtin scenario, the published stages
// included, runs on wazero's defaults (malloc libc, every codec reused,
// no v8): the published runs' mechanism is engine.AsNode, which bench
// reproduce --as-node applies.
func TestBuiltin_Mechanism(t *testing.T) {
	all, err := Program().Catalog().All()
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range all {
		if !sc.RunsDefault() {
			continue
		}
		if st := opts(sc).Strategy; st.Malloc != codecs.MallocLibc || st.Reused != engine.ReusedAll || st.Allocator == engine.AllocatorV8 {
			t.Errorf("scenario %s (%s) runs %s, want wazero's defaults (malloc libc, reused all, no v8)", sc.Name, sc.File, st)
		}
	}
}
