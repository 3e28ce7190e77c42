package results

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// writeRun writes samples, events and a summary the way the runner does:
// through a Writer, then WriteSummary.
func writeRun(t testing.TB, dir string, samples []Sample, events []Event, sum Summary) {
	t.Helper()
	w, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		w.Sample(s)
	}
	for _, ev := range events {
		line, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		w.Event(line)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := WriteSummary(dir, sum); err != nil {
		t.Fatal(err)
	}
}

// roundTripRun is fakeTrace summarized, with every field of a sample set
// (times on whole milliseconds, which samples.csv keeps exactly) and an
// unbounded and a bounded slope among the runs it is used for.
func roundTripRun(t testing.TB) ([]Sample, []Event, Summary) {
	t.Helper()
	samples, events := fakeTrace()
	for i := range samples {
		s := &samples[i]
		s.LinearMemory, s.Held = uint64(i)<<20, uint64(i)<<10
		s.HeapObjects, s.HeapFree, s.HeapReleased, s.GCCycles = uint64(i)*3, uint64(i)*5, uint64(i)*7, uint64(i)
		s.Errors = i / 2
	}
	env := Env{GoVersion: "go1.26.8", WazeroVersion: "v1.12.0", GOOS: "linux", GOARCH: "amd64", CPUs: 2, GOGC: "100"}
	events = append([]Event{{Time: 1, Kind: EventHello, Env: &env}}, events...)
	events = append(events, Event{Time: 9e9, Kind: EventOp, Codec: "resize", Worker: 2, Instance: 7, Memory: 1 << 20,
		Request: 3, Seconds: 0.25, BytesIn: 100, BytesOut: 50})
	head := Summary{
		Scenario: "round-trip", Workload: "tiny", Rounds: 4, InFlight: 2, Env: env,
		Strategy: Strategy{Preset: "fixed", Switches: []Switch{{Name: "topology", Value: "pipeline", Text: "pipeline"}, {Name: "lifetime", Value: "fresh", Text: "fresh"}, {Name: "views", Value: "cleared"}, {Name: "listeners", Value: "removed"}}, Workers: 1},
		Started:  time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC),
		Outcome:  OutcomeCompleted, Seconds: 1.5,
	}
	return samples, events, Summarize(head, samples, events)
}

func TestReadRoundTrip(t *testing.T) {
	samples, events, sum := roundTripRun(t)
	one := sum
	one.RoundRSS = one.RoundRSS[:2]
	one.Slope = FitSlope(one.RoundRSS) // ±Unbounded must survive JSON too
	for _, tc := range []struct {
		name string
		sum  Summary
	}{{"bounded slope", sum}, {"unbounded slope", one}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeRun(t, dir, samples, events, tc.sum)
			got, err := Read(dir)
			if err != nil {
				t.Fatal(err)
			}
			want := Run{Dir: dir, Summary: tc.sum, Samples: samples, Events: events}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("read back:\n%+v\nwritten:\n%+v", got, want)
			}

			// Without the JSON lines, samples.csv gives the same samples.
			if err := os.Remove(filepath.Join(dir, SamplesJSON)); err != nil {
				t.Fatal(err)
			}
			got, err = Read(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Samples, samples) || len(got.Warnings) != 0 {
				t.Errorf("from %s: %+v, warnings %q; want %+v", SamplesCSV, got.Samples, got.Warnings, samples)
			}
		})
	}
}

// TestSampleColumns checks that samples.csv has one column per field of
// Sample, named by its JSON tag, so that a new field can't be left out of
// the CSV form.
func TestSampleColumns(t *testing.T) {
	var tags []string
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for f := range t.Fields() {
			if f.Anonymous {
				walk(f.Type)
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			tags = append(tags, name)
		}
	}
	walk(reflect.TypeFor[Sample]())
	var names []string
	for _, c := range sampleColumns {
		names = append(names, c.name)
	}
	if !reflect.DeepEqual(names, tags) {
		t.Errorf("columns %q, want the JSON tags of Sample in order %q", names, tags)
	}
	const header = "t,phase,round,rss,hwm,pss,processes,live_instances,total_instances,linear_memory,held,off_heap,off_heap_unreleased,heap_live,heap_objects,heap_free,heap_released,gc_cycles,requests,errors\n"
	if got := string(csvHeader()); got != header {
		t.Errorf("header %q, want %q", got, header)
	}
}

func TestReadEvents(t *testing.T) {
	samples, events, sum := roundTripRun(t)
	dir := t.TempDir()
	writeRun(t, dir, samples, events, sum)
	path := filepath.Join(dir, EventsJSON)

	// A truncated last event is dropped with a warning.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"time":10,"kind":"o`)
	f.Close()
	r, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Events) != len(events) || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], EventsJSON) {
		t.Errorf("%d events (want %d), warnings %q", len(r.Events), len(events), r.Warnings)
	}

	// A corrupt event in the middle is an error naming the file and line.
	data, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(data), "\n")
	lines[2] = "{oops\n"
	os.WriteFile(path, []byte(strings.Join(lines, "")), 0o644)
	if _, err := Read(dir); err == nil || !strings.Contains(err.Error(), path+":3:") {
		t.Errorf("corrupt event: error %v, want %s:3 named", err, path)
	}

	// No events file: a run without events.
	os.Remove(path)
	if r, err := Read(dir); err != nil || len(r.Events) != 0 || len(r.Warnings) != 0 {
		t.Errorf("no %s: %d events, warnings %q, error %v", EventsJSON, len(r.Events), r.Warnings, err)
	}
}
