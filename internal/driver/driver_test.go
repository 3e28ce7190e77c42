package driver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/leakbench/leakbench/internal/builtin"
	"github.com/leakbench/leakbench/internal/engine"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/target"
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
	opts, err := yaml.Marshal(builtin.Options{Strategy: st})
	if err != nil {
		t.Fatal(err)
	}
	events, err := runSpec(t, Spec{
		Scenario: "test-" + preset,
		Workload: "tiny",
		Target:   builtin.Name,
		Options:  string(opts),
		Workers:  2,
		Rounds:   rounds,
		InFlight: 2,
		Interval: 20 * time.Millisecond,
		CacheDir: t.TempDir(),
	}, target.Targets{builtin.Name: target.NewFactory(builtin.New)})
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	return events
}

// runSpec runs the child's body in this process with the spec and the
// targets and returns its events and its error.
func runSpec(t *testing.T, sp Spec, targets target.Targets) ([]results.Event, error) {
	t.Helper()
	line, err := EncodeSpec(sp)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	runErr := runChild(context.Background(), bufio.NewReader(bytes.NewReader(line)), &out, targets)
	var events []results.Event
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev results.Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("event line %q: %v", sc.Bytes(), err)
		}
		events = append(events, ev)
	}
	return events, runErr
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
	good := Spec{Workload: "tiny", Rounds: 1, InFlight: 1, Interval: time.Millisecond}
	line, err := EncodeSpec(good)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readSpec(bufio.NewReader(bytes.NewReader(line)))
	if err != nil || got != good {
		t.Errorf("readSpec = %+v, %v; want %+v", got, err, good)
	}
	for _, bad := range []string{"", "{oops}\n", `{"rounds":0,"in_flight":1,"interval":1000000}` + "\n", `{"rounds":1,"in_flight":1}` + "\n"} {
		if _, err := readSpec(bufio.NewReader(bytes.NewReader([]byte(bad)))); err == nil {
			t.Errorf("readSpec(%q): no error", bad)
		}
	}
}
