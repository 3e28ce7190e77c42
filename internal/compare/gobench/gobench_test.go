package gobench

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"
)

var units = []Unit{
	{Name: "peak-B"}, {Name: "settled-B"}, {Name: "peak-live-instances"},
	{Name: "req/s", HigherIsBetter: true}, {Name: "p95-sec"},
}

func config(workload string) []KV {
	return []KV{{"goos", "linux"}, {"goarch", "amd64"}, {"cpu", "AMD EPYC 7B13 64-Core Processor"},
		{"wazero", "v1.12.0"}, {"workload", workload}}
}

func run(scenario, lifetime string, procs int, cfg []KV, peak, tput float64) Run {
	return Run{
		Name: "Leak",
		Parts: []KV{{"scenario", scenario}, {"topology", "pipeline"}, {"lifetime", lifetime},
			{"views", "cleared"}, {"listeners", "removed"}},
		Procs:  procs,
		Config: cfg,
		Values: []Value{{"peak-B", peak}, {"settled-B", 1.5e6}, {"peak-live-instances", 3}, {"req/s", tput}, {"p95-sec", 0.125}},
	}
}

func TestWriteRead_RoundTrip(t *testing.T) {
	runs := []Run{
		run("quick-fixed", "fresh", 2, config("quick sha256:1f2e"), 2.031e8, 3.21),
		run("quick-reuse", "reuse", 2, config("quick sha256:1f2e"), 4.5e8, 3.9),
		run("quick-fixed", "fresh", 2, config("quick sha256:1f2e"), 1.98e8, 3.3),
		// The workload changes: a new configuration block.
		run("default-fixed", "fresh", 0, config("default sha256:9abc"), 8.9e8, 0.41),
	}
	var buf bytes.Buffer
	if err := Write(&buf, units, runs); err != nil {
		t.Fatal(err)
	}
	got, gotUnits, err := Read(bytes.NewReader(buf.Bytes()), "bench.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, runs) {
		t.Errorf("round trip differs:\nwrote %+v\nread  %+v\nfile:\n%s", runs, got, buf.String())
	}
	if !reflect.DeepEqual(gotUnits, units) {
		t.Errorf("units: wrote %+v, read %+v", units, gotUnits)
	}
	text := buf.String()
	for _, want := range []string{
		"Unit peak-B better=lower\nUnit peak-B assume=nothing\n",
		"Unit req/s better=higher\n",
		"goos: linux\ngoarch: amd64\ncpu: AMD EPYC 7B13 64-Core Processor\nwazero: v1.12.0\nworkload: quick sha256:1f2e\n",
		"BenchmarkLeak/scenario=quick-fixed/topology=pipeline/lifetime=fresh/views=cleared/listeners=removed-2 1 2.031e+08 peak-B 1.5e+06 settled-B 3 peak-live-instances 3.21 req/s 0.125 p95-sec\n",
		"\nworkload: default sha256:9abc\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("file lacks %q:\n%s", want, text)
		}
	}
	if strings.Count(text, "goos:") != 1 {
		t.Errorf("unchanged configuration written again:\n%s", text)
	}
}

func TestWrite_LeavesOutNonFiniteValues(t *testing.T) {
	r := run("quick-fixed", "fresh", 2, config("quick"), 2e8, 3)
	r.Values = append(r.Values, Value{"slope-B/round", math.NaN()})
	var buf bytes.Buffer
	if err := Write(&buf, append(units, Unit{Name: "slope-B/round"}), []Run{r}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "NaN") {
		t.Errorf("NaN written:\n%s", buf.String())
	}
	got, _, err := Read(&buf, "bench.txt")
	if err != nil || len(got) != 1 || len(got[0].Values) != 5 {
		t.Fatalf("read %+v, %v", got, err)
	}
}

func TestWrite_Errors(t *testing.T) {
	good := run("quick-fixed", "fresh", 2, config("quick"), 2e8, 3)
	for _, tc := range []struct {
		name string
		mod  func(*Run)
		want string
	}{
		{"slash in value", func(r *Run) { r.Parts[0].Value = "a/b" }, `name part "scenario"="a/b"`},
		{"space in value", func(r *Run) { r.Parts[0].Value = "a b" }, `name part "scenario"="a b"`},
		{"trailing digits", func(r *Run) { r.Procs = 0; r.Parts[4].Value = "removed-2" }, "would be read as GOMAXPROCS"},
		{"upper-case key", func(r *Run) { r.Config[0].Key = "GOOS" }, `configuration key "GOOS" must start with a lower-case letter`},
		{"two-line value", func(r *Run) { r.Config[0].Value = "a\nb" }, "configuration goos: value"},
		{"undeclared unit", func(r *Run) { r.Values[0].Unit = "rss-B" }, `unit "rss-B" has no Unit metadata`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := good
			r.Parts = append([]KV(nil), good.Parts...)
			r.Config = append([]KV(nil), good.Config...)
			r.Values = append([]Value(nil), good.Values...)
			tc.mod(&r)
			err := Write(&bytes.Buffer{}, units, []Run{r})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestRead_NamesTheFileInSyntaxErrors(t *testing.T) {
	_, _, err := Read(strings.NewReader("BenchmarkLeak 1 abc peak-B\n"), "results/a/bench.txt")
	if err == nil || !strings.Contains(err.Error(), "results/a/bench.txt:1") {
		t.Errorf("error %v, want one naming results/a/bench.txt:1", err)
	}
}
