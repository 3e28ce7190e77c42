package driver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/leakbench/leakbench/internal/casestudy/builtin"
	"github.com/leakbench/leakbench/internal/casestudy/codecs"
	"github.com/leakbench/leakbench/internal/casestudy/engine"
	"github.com/leakbench/leakbench/internal/factory"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/workload"
)

// runInProcess runs the child's body in this process on the tiny workload
// with the given preset and returns its events. The spec line is all of
// stdin, so every phase barrier passes at once (stdin is closed).
func runInProcess(t *testing.T, preset string, rounds int) []results.Event {
	t.Helper()
	st, ok := engine.Preset(preset)
	if !ok {
		t.Fatalf("no preset %q", preset)
	}
	sp := tinySpec(t)
	sp.Scenario, sp.Options, sp.Rounds = "test-"+preset, builtinOptions(t, st), rounds
	out, err := runSpec(t, sp)
	if err != nil {
		t.Fatalf("child: %v\nevents:\n%s", err, out)
	}
	return parseEvents(t, out)
}

// builtinOptions is the builtin target's options for strategy st, as the
// runner writes them into the spec.
func builtinOptions(t *testing.T, st engine.Strategy) string {
	t.Helper()
	opts, err := yaml.Marshal(builtin.Options{Strategy: st})
	if err != nil {
		t.Fatal(err)
	}
	return string(opts)
}

// tinySpec is a spec of the builtin target with the fixed strategy on the
// tiny workload, prepared as the parent does it: generated into a new
// cache directory and verified.
func tinySpec(t *testing.T) Spec {
	t.Helper()
	cache := t.TempDir()
	w, err := workload.Load(context.Background(), "tiny", workload.Options{CacheDir: filepath.Join(cache, "workloads")})
	if err != nil {
		t.Fatal(err)
	}
	return Spec{
		Scenario: "test",
		Workload: "tiny",
		Target:   builtin.Name,
		Options:  builtinOptions(t, engine.Strategy{Topology: engine.Pipeline, Lifetime: engine.Fresh, Views: engine.ViewsCleared, Listeners: engine.ListenersRemoved}),
		Workers:  2,
		Rounds:   1,
		InFlight: 2,
		Interval: 20 * time.Millisecond,
		CacheDir: cache,
		Sources:  w.Images,
		Requests: w.Requests,
	}
}

// runSpec runs the child's body in this process with sp, with the builtin
// target registered, and returns its event stream.
func runSpec(t *testing.T, sp Spec) (string, error) {
	t.Helper()
	line, err := EncodeSpec(sp)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = runChild(context.Background(), bufio.NewReader(bytes.NewReader(line)), &out, factory.Targets{builtin.Name: factory.New(builtin.New)})
	return out.String(), err
}

// runSpecWith runs the child's body in this process with sp and the given
// targets, and returns its events and its error.
func runSpecWith(t *testing.T, sp Spec, targets factory.Targets) ([]results.Event, error) {
	t.Helper()
	line, err := EncodeSpec(sp)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = runChild(context.Background(), bufio.NewReader(bytes.NewReader(line)), &out, targets)
	return parseEvents(t, out.String()), err
}

// parseEvents decodes an event stream.
func parseEvents(t *testing.T, stream string) []results.Event {
	t.Helper()
	out := strings.NewReader(stream)
	var events []results.Event
	sc := bufio.NewScanner(out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev results.Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("event line %q: %v", sc.Bytes(), err)
		}
		events = append(events, ev)
	}
	return events
}

// TestChild_OpEventsCarryRequestIDs checks that every op event of a run
// names the request it belongs to: a request that the child reports as
// done later in the stream, whose ops include a decode. Both topologies:
// per-worker runs a whole request in one worker call, pipeline one call
// per step.
func TestChild_OpEventsCarryRequestIDs(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the codecs and runs the tiny workload")
	}
	for _, preset := range []string{"before", "fixed"} {
		t.Run(preset, func(t *testing.T) {
			const rounds = 2
			events := runInProcess(t, preset, rounds)
			var total int
			done := map[int]int{} // request id -> index of its request event
			for i, ev := range events {
				switch ev.Kind {
				case results.EventPhase:
					if ev.Phase == results.PhaseLoad {
						total = ev.Total
					}
				case results.EventRequest:
					if ev.Err != "" {
						t.Errorf("request %d failed: %s", ev.Request, ev.Err)
					}
					done[ev.Request] = i
				}
			}
			if total == 0 || len(done) != total {
				t.Fatalf("%d distinct requests done, the load phase announced %d", len(done), total)
			}
			decoded := map[int]bool{}
			ops := 0
			for i, ev := range events {
				if ev.Kind != results.EventOp {
					continue
				}
				ops++
				end, ok := done[ev.Request]
				switch {
				case ev.Request < 1 || ev.Request > total:
					t.Fatalf("op event %d (%s) carries request %d, want 1..%d", i, ev.Codec, ev.Request, total)
				case !ok || end < i:
					t.Errorf("op event %d (%s) of request %d comes after that request's end (event %d)", i, ev.Codec, ev.Request, end)
				}
				if ev.Codec == "decode" {
					decoded[ev.Request] = true
				}
			}
			if len(decoded) != total {
				t.Errorf("%d ops; %d requests have a decode op with their id, want all %d", ops, len(decoded), total)
			}
		})
	}
}

func TestReadSpec(t *testing.T) {
	good := Spec{Workload: "tiny", Rounds: 1, InFlight: 1, Interval: time.Millisecond, Options: "idle_gc: v8\n",
		Sources:  []workload.Source{{Name: "a.png", Path: "/tmp/a.png", Size: 10, ModTime: time.Unix(5, 6).UTC(), Format: codecs.PNG}},
		Requests: []workload.Request{{Image: 0, Width: 64, Format: codecs.WebP, Quality: 75}}}
	line, err := EncodeSpec(good)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readSpec(bufio.NewReader(bytes.NewReader(line)))
	if err != nil || !reflect.DeepEqual(got, good) {
		t.Errorf("readSpec = %+v, %v; want %+v", got, err, good)
	}
	const src = `"sources":[{"Name":"a","Path":"/a","Size":1,"Format":"png"}],"requests":[{"Image":0,"Format":"webp"}]`
	for _, bad := range []string{"", "{oops}\n",
		`{"rounds":0,"in_flight":1,"interval":1000000,` + src + `}` + "\n",
		`{"rounds":1,"in_flight":1,` + src + `}` + "\n",
		`{"rounds":1,"in_flight":1,"interval":1000000}` + "\n", // no workload
	} {
		if _, err := readSpec(bufio.NewReader(bytes.NewReader([]byte(bad)))); err == nil {
			t.Errorf("readSpec(%q): no error", bad)
		}
	}
}

// TestChild_TrustsOnlyAnUnchangedWorkload: the child runs the sources the
// parent verified, and refuses, naming the file, one that changed since.
func TestChild_TrustsOnlyAnUnchangedWorkload(t *testing.T) {
	sp := tinySpec(t)
	if _, err := runSpec(t, sp); err != nil {
		t.Fatalf("unchanged workload: %v", err)
	}
	victim := sp.Sources[1]
	if err := os.WriteFile(victim.Path, []byte("not the verified image"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runSpec(t, sp)
	if err == nil || !strings.Contains(err.Error(), victim.Path) || !strings.Contains(err.Error(), "changed since it was verified") {
		t.Fatalf("changed source: err %v", err)
	}
	for _, ev := range parseEvents(t, out) {
		if ev.Kind == results.EventPhase && ev.Phase == results.PhaseLoad {
			t.Error("the child went on to the load phase with a changed source")
		}
	}
}
