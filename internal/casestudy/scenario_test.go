package casestudy

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/leakbench/leakbench/internal/casestudy/builtin"
	"github.com/leakbench/leakbench/internal/casestudy/engine"
	"github.com/leakbench/leakbench/internal/casestudy/idlegc"
	"github.com/leakbench/leakbench/internal/casestudy/scenarios"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/scenario"
)

// TestEmbeddedFilesValid loads and validates every file shipped in
// package scenarios, one by one, so a broken file names itself.
func TestEmbeddedFilesValid(t *testing.T) {
	files, err := fs.Glob(scenarios.FS, "*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no embedded scenarios: %v", err)
	}
	for _, f := range files {
		sc, err := Program().Catalog().Load(scenarios.FS, f)
		if err != nil && !supported(scenarios.FS, f) {
			t.Logf("%s: not for %s: %v", f, runtime.GOOS, err)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if errs := sc.Validate(); len(errs) > 0 {
			t.Errorf("%s: Validate: %v", f, errs)
		}
		if sc.Description == "" {
			t.Errorf("%s: no description", f)
		}
	}
}

func TestBuiltin(t *testing.T) {
	all, err := Program().Catalog().All()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, sc := range all {
		names = append(names, sc.Name)
	}
	want := "before fix1 fix1+2 fixed pool-unclosed pool-bounded-capped recycle-512 mmap-fixed aliased-cache " +
		"nextjs-before nextjs-before-quick nextjs-before-tiny nextjs-fixed nextjs-fixed-quick nextjs-fixed-tiny " +
		"quick-aliased-cache quick-fixed quick-leaky quick-mmap-fixed quick-pool-bounded-capped quick-pool-unclosed quick-recycle-8"
	if !engine.AllocatorMmap.Supported() {
		want = strings.NewReplacer(" mmap-fixed", "", " quick-mmap-fixed", "").Replace(want)
	}
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("builtin order = %q, want %q", got, want)
	}
	byName := func(name string) scenario.Scenario {
		for _, sc := range all {
			if sc.Name == name {
				return sc
			}
		}
		t.Fatalf("no builtin %q", name)
		return scenario.Scenario{}
	}
	// The four published stages: the preset exactly, on the published
	// machine's shape.
	for _, sc := range all[:4] {
		p, _ := engine.Preset(sc.Name)
		if string(opts(sc).Preset) != sc.Name || opts(sc).Strategy != p || sc.ResultsStrategy().Preset != sc.Name {
			t.Errorf("%s: preset %q strategy %v, want the %s preset", sc.Name, string(opts(sc).Preset), opts(sc).Strategy, sc.Name)
		}
		if sc.Workers != 15 || sc.ResolvedWorkers() != 15 || sc.Workload != "default" || sc.Rounds != 1 ||
			sc.RSSCap < 8<<30 || sc.Idle != 20*time.Second || sc.InFlight != 6 || sc.Interval != 100*time.Millisecond {
			t.Errorf("%s: %+v: want 15 workers, default workload, 1 round (one page, as published), 20s idle, a cap of at least 8GiB", sc.Name, sc)
		}
		if sc.Expect != metric.ExpectStable {
			t.Errorf("%s: expect %v", sc.Name, sc.Expect)
		}
		// Published curves are Node's: V8's memory reducer in the idle phase.
		if opts(sc).IdleGC != idlegc.V8 {
			t.Errorf("%s: idle_gc %v, want v8", sc.Name, opts(sc).IdleGC)
		}
	}
	// The real optimizer's six: exec targets on the stages' shape.
	for _, sc := range all {
		if !strings.HasPrefix(sc.Name, "nextjs-") {
			continue
		}
		if len(sc.Exec) != 5 || sc.Exec[0] != "node" || len(sc.Setup) != 3 || sc.Workers != 15 || sc.InFlight != 6 || string(opts(sc).Preset) != "" {
			t.Errorf("%s: exec %q, setup %q, %d workers", sc.Name, sc.Exec, sc.Setup, sc.Workers)
		}
	}
	qf, ql := byName("quick-fixed"), byName("quick-leaky")
	for _, sc := range all {
		if !strings.HasPrefix(sc.Name, "quick-") {
			continue
		}
		if opts(sc).IdleGC != idlegc.Go {
			t.Errorf("%s: idle_gc %v, want the default go", sc.Name, opts(sc).IdleGC)
		}
	}
	if qf.Workload != "quick" || qf.Expect != metric.ExpectStable || len(qf.Limits) == 0 || canLeak(qf) {
		t.Errorf("quick-fixed: %+v", qf)
	}
	if ql.Workload != "quick" || ql.Expect != metric.ExpectLeak || len(ql.Limits) == 0 || !canLeak(ql) ||
		opts(ql).Strategy.Listeners != engine.ListenersLeaked || ql.ResultsStrategy().String() != "fixed (pipeline, fresh, views cleared, listeners leaked)" {
		t.Errorf("quick-leaky: %+v (%s)", ql, ql.ResultsStrategy())
	}
}

func TestFind(t *testing.T) {
	for _, name := range []string{"fixed", "fix1+2", "fix1-2", "quick-leaky"} {
		if _, err := Program().Catalog().Find(name); err != nil {
			t.Errorf("Program().Catalog().Find(%q): %v", name, err)
		}
	}
	sc, err := Program().Catalog().Find("fix1-2")
	if err != nil || sc.Name != "fix1+2" {
		t.Errorf("Program().Catalog().Find(fix1-2) = %q, %v; want fix1+2", sc.Name, err)
	}
	_, err = Program().Catalog().Find("fix3")
	if err == nil || !strings.Contains(err.Error(), `unknown scenario "fix3"`) || !strings.Contains(err.Error(), "before, fix1, fix1+2, fixed") {
		t.Errorf("Program().Catalog().Find(fix3) error = %v; want unknown scenario listing the builtins", err)
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "mine.yaml")
	if err := os.WriteFile(path, []byte("preset: fix1\nworkers: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err = Program().Catalog().Find(path)
	if err != nil || sc.Name != "mine" || sc.Workers != 3 || sc.File != path {
		t.Errorf("Program().Catalog().Find(path) = %+v, %v", sc, err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("preset: fix1\nrounds: 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Program().Catalog().Find(bad); err == nil || !strings.Contains(err.Error(), bad+":2:9: rounds:") {
		t.Errorf("Program().Catalog().Find(bad) error = %v; want the path, line and field", err)
	}
	if _, err := Program().Catalog().Find(filepath.Join(dir, "missing.yaml")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Program().Catalog().Find(missing) error = %v; want fs.ErrNotExist", err)
	}
}

func TestParseDefaults(t *testing.T) {
	sc, err := Program().Catalog().Parse("dir/My Run.yaml", []byte("preset: fixed\n"))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "my-run" || sc.Workload != "default" || sc.Rounds != 1 || sc.InFlight != 6 ||
		sc.Interval != 100*time.Millisecond || sc.Workers != 0 || sc.Expect != metric.ExpectStable ||
		sc.GOGC != 0 || sc.GOMEMLIMIT != 0 || sc.RSSCap != 0 || sc.Idle != 0 || opts(sc).OpTimeout != 0 {
		t.Errorf("defaults: %+v", sc)
	}
	if sc.GOGCEnv() != "" || sc.GOMEMLIMITEnv() != "" {
		t.Errorf("env: %q %q", sc.GOGCEnv(), sc.GOMEMLIMITEnv())
	}
	if want := max(1, runtime.NumCPU()-1); sc.ResolvedWorkers() != want {
		t.Errorf("ResolvedWorkers = %d, want %d", sc.ResolvedWorkers(), want)
	}
}

func TestParseAllFields(t *testing.T) {
	src := `
name: custom
description: every field
workload: tiny
images: /tmp/pics
topology: per-worker
lifetime: fresh
views: cleared
listeners: leaked
workers: auto
rounds: 7
in_flight: 2
idle: 1m30s
idle_gc: v8
interval: 10ms
rss_cap: 512MB
gogc: off
gomemlimit: 256MiB
op_timeout: 5s
expect: leak
limits:
  - "settled > 20MiB"
  - slope>=1.5MiB/round
  - instances_peak <= 6
`
	sc, err := Program().Catalog().Parse("custom.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := engine.Strategy{Topology: engine.PerWorker, Lifetime: engine.Fresh, Views: engine.ViewsCleared, Listeners: engine.ListenersLeaked}
	if sc.Name != "custom" || sc.Workload != "tiny" || sc.Images != "/tmp/pics" || string(opts(sc).Preset) != "" || opts(sc).Strategy != want ||
		sc.Workers != 0 || sc.Rounds != 7 || sc.InFlight != 2 || sc.Idle != 90*time.Second || sc.Interval != 10*time.Millisecond ||
		sc.RSSCap != 512e6 || sc.GOGC != scenario.GOGCOff || sc.GOMEMLIMIT != 256<<20 || opts(sc).OpTimeout != 5*time.Second || sc.Expect != metric.ExpectLeak || opts(sc).IdleGC != idlegc.V8 {
		t.Errorf("parsed: %+v", sc)
	}
	if sc.GOGCEnv() != "off" || sc.GOMEMLIMITEnv() != "268435456B" {
		t.Errorf("env: %q %q", sc.GOGCEnv(), sc.GOMEMLIMITEnv())
	}
	var lims []string
	for _, l := range sc.Limits {
		lims = append(lims, l.String())
	}
	if got := strings.Join(lims, "; "); got != "settled > 20MiB; slope >= 1.5MiB/round; instances_peak <= 6" {
		t.Errorf("limits = %q", got)
	}
	if got, want := sc.ResultsStrategy().String(), fmt.Sprintf("per-worker×%d, fresh, views cleared, listeners leaked", sc.ResolvedWorkers()); got != want {
		t.Errorf("strategy text = %q", got)
	}
}

func TestOverridePreset(t *testing.T) {
	sc, err := Program().Catalog().Parse("o.yaml", []byte("preset: fixed\nlisteners: leaked\nworkers: 4\ngogc: 50\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := engine.Strategy{Topology: engine.Pipeline, Lifetime: engine.Fresh, Views: engine.ViewsCleared, Listeners: engine.ListenersLeaked}
	if opts(sc).Strategy != want || string(opts(sc).Preset) != "fixed" || sc.ResultsStrategy().String() != "fixed (pipeline, fresh, views cleared, listeners leaked)" || sc.ResolvedWorkers() != 4 || sc.GOGCEnv() != "50" {
		t.Errorf("got %+v (%s)", sc, sc.ResultsStrategy())
	}
	// Overriding a switch with the preset's own value is allowed and
	// changes nothing.
	sc, err = Program().Catalog().Parse("o.yaml", []byte("preset: fix1\ntopology: pipeline\n"))
	if err != nil || sc.ResultsStrategy().String() != "fix1 (pipeline, reuse, views leaked, listeners leaked)" {
		t.Errorf("got %q, %v", sc.ResultsStrategy(), err)
	}
}

// parseErrorCases are TestParseErrors' cases: a file with one problem,
// and substrings of the single error expected.
var parseErrorCases = []struct {
	name string
	src  string
	want []string
}{
	{"unknown key", "preset: fixed\nroundz: 3\n",
		[]string{`t.yaml:2:1: unknown field "roundz" (allowed: name, description, target, options, workload, images, preset, topology,`}},
	{"unknown idle_gc", "preset: fixed\nidle_gc: node\n",
		[]string{`t.yaml:2:10: idle_gc: unknown value "node" (allowed: go, v8)`}},
	{"duplicate key", "preset: fixed\nrounds: 2\nrounds: 3\n",
		[]string{"t.yaml:3:1: rounds: duplicate key (first set at line 2)"}},
	{"wrong type string for int", "preset: fixed\nrounds: \"3\"\n",
		[]string{`t.yaml:2:9: rounds: must be an integer, got "3"`}},
	{"wrong type float for int", "preset: fixed\nin_flight: 2.5\n",
		[]string{"t.yaml:2:12: in_flight: must be an integer, got the number 2.5"}},
	{"wrong type list for string", "preset: fixed\nname: [a, b]\n",
		[]string{"t.yaml:2:7: name: must be a string, got a list"}},
	{"wrong type mapping for limits", "preset: fixed\nlimits: {retained: 1}\n",
		[]string{`t.yaml:2:9: limits: must be a list of "<metric> <op> <value>" strings`}},
	{"null value", "preset: fixed\nidle:\n",
		[]string{"t.yaml:2:6: idle: must be a duration", "got nothing (null)"}},
	{"bad topology", "preset: fixed\ntopology: perworker\n",
		[]string{`t.yaml:2:11: topology: unknown value "perworker" (allowed: per-worker, pipeline)`}},
	{"bad lifetime", "preset: fixed\nlifetime: forever\n",
		[]string{`t.yaml:2:11: lifetime: unknown value "forever" (allowed: reuse, fresh, pool, recycle)`}},
	{"bad views", "preset: fixed\nviews: kept\n",
		[]string{`t.yaml:2:8: views: unknown value "kept" (allowed: leaked, cleared)`}},
	{"bad listeners", "preset: fixed\nlisteners: yes please\n",
		[]string{`t.yaml:2:12: listeners: unknown value "yes please" (allowed: leaked, removed)`}},
	{"bad workload", "preset: fixed\nworkload: huge\n",
		[]string{`t.yaml:2:11: workload: unknown workload "huge" (allowed: default, quick, tiny)`}},
	{"bad expect", "preset: fixed\nexpect: leaks\n",
		[]string{`t.yaml:2:9: expect: unknown value "leaks" (allowed: stable, leak)`}},
	{"unknown preset", "preset: fix2\n",
		[]string{`t.yaml:1:9: preset: unknown preset "fix2" (allowed: before, fix1, fix1+2, fixed, pool-unclosed, pool-bounded-capped, recycle-512, mmap-fixed, aliased-cache)`}},
	{"conflicting preset", "preset: fixed\ntopology: pipeline\nlifetime: fresh\nviews: cleared\nlisteners: removed\nmalloc: libc\n",
		[]string{"t.yaml:1:9: preset: preset \"fixed\" conflicts with topology, lifetime, views, listeners and malloc"}},
	{"no preset and missing switches", "topology: pipeline\nlifetime: fresh\nviews: cleared\n",
		[]string{"t.yaml:1:1: listeners: required when no preset is given (presets: before, fix1, fix1+2, fixed, pool-unclosed, pool-bounded-capped, recycle-512, mmap-fixed, aliased-cache)"}},
	{"expect leak without a leak", "preset: fixed\nexpect: leak\n",
		[]string{"t.yaml:2:9: expect: a leak is expected but the strategy fixed (pipeline, fresh, views cleared, listeners removed) retains nothing"}},
	{"bad duration unit", "preset: fixed\nidle: 30 seconds\n",
		[]string{`t.yaml:2:7: idle: invalid duration "30 seconds": want a number and a unit`}},
	{"duration without unit", "preset: fixed\nop_timeout: 30\n",
		[]string{`t.yaml:2:13: op_timeout: must be a duration with a unit such as "30s"`, "got the integer 30"}},
	{"negative duration", "preset: fixed\nidle: -1s\n",
		[]string{"t.yaml:2:7: idle: must not be negative, got -1s"}},
	{"interval below floor", "preset: fixed\ninterval: 5ms\n",
		[]string{"t.yaml:2:11: interval: must be at least 10ms (the sampling floor); got 5ms"}},
	{"negative rounds", "preset: fixed\nrounds: -2\n",
		[]string{"t.yaml:2:9: rounds: must be between 1 and 100000; got -2"}},
	{"zero in_flight", "preset: fixed\nin_flight: 0\n",
		[]string{"t.yaml:2:12: in_flight: must be between 1 and 1024; got 0"}},
	{"zero workers", "preset: fixed\nworkers: 0\n",
		[]string{`t.yaml:2:10: workers: must be a positive integer or "auto", got 0`}},
	{"bad workers word", "preset: fixed\nworkers: all\n",
		[]string{`t.yaml:2:10: workers: must be a positive integer or "auto", got "all"`}},
	{"too many workers", "preset: fixed\nworkers: 5000\n",
		[]string{`t.yaml:2:10: workers: must be between 1 and 1024, or "auto"; got 5000`}},
	{"bad gogc", "preset: fixed\ngogc: 0\n",
		[]string{`t.yaml:2:7: gogc: must be a positive percentage or "off", got 0`}},
	{"bad gogc word", "preset: fixed\ngogc: on\n",
		[]string{`t.yaml:2:7: gogc: must be a positive percentage or "off", got "on"`}},
	{"bad size unit", "preset: fixed\nrss_cap: 4gb\n",
		[]string{`t.yaml:2:10: rss_cap: invalid size "4gb": unknown unit "gb" (units: B, KiB, MiB, GiB, TiB, KB, MB, GB, TB)`}},
	{"size without unit", "preset: fixed\nrss_cap: 4096\n",
		[]string{`t.yaml:2:10: rss_cap: invalid size "4096": missing unit (units: B, KiB, MiB, GiB, TiB, KB, MB, GB, TB)`}},
	{"bad size number", "preset: fixed\ngomemlimit: lots\n",
		[]string{`t.yaml:2:13: gomemlimit: invalid size "lots": want a number and a unit`}},
	{"tiny rss cap", "preset: fixed\nrss_cap: 1MiB\n",
		[]string{"t.yaml:2:10: rss_cap: must be at least 64MiB when set; got 1MiB"}},
	{"gomemlimit above cap", "preset: fixed\nrss_cap: 1GiB\ngomemlimit: 2GiB\n",
		[]string{"t.yaml:3:13: gomemlimit: 2GiB must be below rss_cap 1GiB"}},
	{"limit without operator", "preset: fixed\nlimits:\n  - retained 50MiB\n",
		[]string{`t.yaml:3:5: limits[0]: invalid limit "retained 50MiB": want "<metric> <op> <value>"`, "<, <=, >, >="}},
	{"limit unknown metric", "preset: fixed\nlimits: [\"rss < 1GiB\"]\n",
		[]string{`t.yaml:2:10: limits[0]: invalid limit "rss < 1GiB": unknown metric "rss" (metrics: baseline, peak,`, "retained", "slope", "instances"}},
	{"limit missing unit", "preset: fixed\nlimits:\n  - settled < 64MiB\n  - retained < 50\n",
		[]string{`t.yaml:4:5: limits[1]: invalid limit "retained < 50": invalid size "50": missing unit`}},
	{"limit slope without per round", "preset: fixed\nlimits: [slope < 1MiB]\n",
		[]string{`t.yaml:2:10: limits[0]: invalid limit "slope < 1MiB": slope is a size per round, write it like "1MiB/round"`}},
	{"limit count with fraction", "preset: fixed\nlimits: [instances_peak <= 6.5]\n",
		[]string{`limits[0]: invalid limit "instances_peak <= 6.5": instances_peak is a count, want a non-negative integer`}},
	{"limit bad operator", "preset: fixed\nlimits: [\"peak => 2GiB\"]\n",
		[]string{`t.yaml:2:10: limits[0]: invalid limit "peak => 2GiB": bad operator (allowed: <, <=, >, >=)`}},
	{"limit not a string", "preset: fixed\nlimits: [12]\n",
		[]string{"t.yaml:2:10: limits[0]: must be a string, got the integer 12"}},
	{"empty images", "preset: fixed\nimages: \"\"\n",
		[]string{"t.yaml:2:9: images: must not be empty"}},
	{"bad name", "preset: fixed\nname: My Run\n",
		[]string{`t.yaml:2:7: name: "My Run" must be lower-case letters`}},
	{"empty file", "", []string{"t.yaml: empty scenario"}},
	{"not a mapping", "- preset: fixed\n", []string{"t.yaml:1:1: a scenario must be a mapping of keys", "got a list"}},
	{"two documents", "preset: fixed\n---\npreset: fix1\n", []string{"t.yaml:2:1: only one YAML document"}},
	{"syntax error", "preset: fixed\nrounds: [1,\n", []string{"t.yaml:", "invalid YAML: "}},
	{"tab indentation", "preset: fixed\nlimits:\n\t- a\n", []string{"t.yaml:3: invalid YAML: "}},
}

// TestParseErrors covers every error class. Each case checks the whole
// position prefix "file:line:col: field:" and the key part of the message.
func TestParseErrors(t *testing.T) {
	for _, tt := range parseErrorCases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Program().Catalog().Parse("t.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("no error; want %q", tt.want)
			}
			var list scenario.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %T is not an scenario.ErrorList: %v", err, err)
			}
			if len(list) != 1 {
				t.Errorf("%d errors, want 1:\n%v", len(list), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n  %v\nwant it to contain\n  %s", err, w)
				}
			}
			var e *scenario.Error
			if !errors.As(err, &e) || e.File != "t.yaml" {
				t.Errorf("errors.As(*scenario.Error) = %+v", e)
			}
		})
	}
}

// TestParseReportsEverything checks that all problems come at once, in
// file order, and that a field whose value failed to decode is not also
// reported by Validate.
func TestParseReportsEverything(t *testing.T) {
	src := "name: ok\npreset: fixed\nrounds: many\ninterval: 1ms\nbogus: 1\nrss_cap: 3 apples\nlimits: [\"peak < 1\", \"errors <= 0\"]\n"
	_, err := Program().Catalog().Parse("all.yaml", []byte(src))
	var list scenario.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("got %v", err)
	}
	want := []string{
		"all.yaml:3:9: rounds: must be an integer",
		"all.yaml:4:11: interval: must be at least 10ms",
		`all.yaml:5:1: unknown field "bogus"`,
		`all.yaml:6:10: rss_cap: invalid size "3 apples"`,
		`all.yaml:7:10: limits[0]: invalid limit "peak < 1"`,
	}
	if len(list) != len(want) {
		t.Fatalf("%d errors, want %d:\n%v", len(list), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(list[i].Error(), w) {
			t.Errorf("error %d = %q, want prefix %q", i, list[i], w)
		}
	}
}

// TestValidateBuiltInGo checks Validate on a scenario.Scenario built in Go: no
// positions, but every problem names its field.
func TestValidateBuiltInGo(t *testing.T) {
	bad := builtin.Options{Preset: "later", OpTimeout: -1}
	bad.Topology = engine.Topology(7)
	sc := scenario.Scenario{Workload: "nope", Settings: bad, Workers: -1, Rounds: 0, InFlight: 0, Interval: time.Millisecond,
		Idle: -time.Second, GOGC: -5, Expect: metric.Expect(9), Limits: []metric.Limit{{}}}
	errs := sc.Validate()
	fields := map[string]bool{}
	for _, err := range errs {
		var e *scenario.Error
		if !errors.As(err, &e) || e.Line != 0 {
			t.Errorf("%v: want an *scenario.Error without a position", err)
			continue
		}
		fields[e.Field] = true
	}
	for _, f := range []string{"name", "workload", "preset", "topology", "workers", "rounds", "in_flight", "idle", "interval", "gogc", "op_timeout", "expect", "limits[0]"} {
		if !fields[f] {
			t.Errorf("no error for %s in %v", f, errs)
		}
	}
	fixed, _ := engine.Preset("fixed")
	good := scenario.Scenario{Name: "go", Workload: "tiny", Settings: builtin.Options{Preset: "fixed", Strategy: fixed}, Rounds: 1, InFlight: 1, Interval: scenario.MinInterval}
	if errs := good.Validate(); errs != nil {
		t.Errorf("valid scenario: %v", errs)
	}
}

func TestErrorFormat(t *testing.T) {
	for _, tt := range []struct {
		e    scenario.Error
		want string
	}{
		{scenario.Error{File: "a.yaml", Line: 3, Column: 7, Field: "rounds", Msg: "bad"}, "a.yaml:3:7: rounds: bad"},
		{scenario.Error{File: "a.yaml", Line: 3, Msg: "bad"}, "a.yaml:3: bad"},
		{scenario.Error{Field: "rounds", Msg: "bad"}, "rounds: bad"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}
