package driver

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/factory"
	"github.com/leakbench/leakbench/internal/results"
)

// fakeOptions are the options of fakeTarget.
type fakeOptions struct {
	Fail int `yaml:"fail"` // the request ID that fails; 0 none
}

// fakeTarget records what the driver gives it, reports one op and one
// instance per request, and holds a known amount through each holder.
type fakeTarget struct {
	cfg    target.Config
	opts   fakeOptions
	mu     sync.Mutex
	reqs   []target.Request
	closed atomic.Int32
}

func (f *fakeTarget) Do(ctx context.Context, req target.Request) error {
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	if _, err := req.Data(); err != nil {
		return err
	}
	in := target.Instance{ID: req.ID, Name: "fake", Worker: 1, Memory: 64 << 10}
	f.cfg.Recorder.InstanceCreated(in)
	var err error
	if req.ID == f.opts.Fail {
		err = errors.New("failing on purpose")
	}
	f.cfg.Recorder.Op(target.Op{Name: "fake-op", Request: req.ID, Instance: req.ID, Duration: time.Millisecond, Err: err})
	f.cfg.Recorder.InstanceClosed(in, nil)
	return err
}

func (f *fakeTarget) Snapshot() target.Snapshot {
	return target.Snapshot{LiveInstances: 1, TotalInstances: 7, LinearMemory: 1 << 20, Held: []target.Held{
		{Holder: "views", Bytes: 10},
		{Holder: "listeners", Bytes: 20, Refs: 3},
		{Holder: "cache", Bytes: 40},
		{Holder: "pool", Bytes: 80, Refs: 2},
	}, OffHeap: 160}
}

func (f *fakeTarget) Close(context.Context) error {
	f.closed.Add(1)
	return nil
}

func fakeSpec(t *testing.T) Spec {
	sp := tinySpec(t)
	sp.Scenario, sp.Target, sp.Options = "fake", "fake", ""
	sp.Workers, sp.Rounds, sp.InFlight, sp.Interval = 3, 2, 2, 10*time.Millisecond
	return sp
}

// TestChild_RunsAnyTarget runs a target that is not the builtin engine
// and checks what it is given (config, options, every request of every
// round with its source) and what its reports become: op and instance
// events, snapshots with its holders in their columns, Close once.
func TestChild_RunsAnyTarget(t *testing.T) {
	var made *fakeTarget
	targets := factory.Targets{"fake": factory.New(func(ctx context.Context, cfg target.Config, o fakeOptions) (target.Target, error) {
		made = &fakeTarget{cfg: cfg, opts: o}
		return made, nil
	})}
	sp := fakeSpec(t)
	sp.Options = "fail: 2\n"
	events, err := runSpecWith(t, sp, targets)
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	if made == nil {
		t.Fatal("the factory was not called")
	}
	if made.cfg.Workers != 3 || made.cfg.InFlight != 2 || !strings.HasSuffix(made.cfg.CacheDir, "targets/fake") || made.opts.Fail != 2 {
		t.Errorf("config %+v, options %+v; want 3 workers, 2 in flight, a cache under targets/fake, fail 2", made.cfg, made.opts)
	}
	if n := made.closed.Load(); n != 1 {
		t.Errorf("Close called %d times, want 1", n)
	}
	rounds := map[int]int{}
	ids := map[int]bool{}
	for _, r := range made.reqs {
		rounds[r.Round]++
		ids[r.ID] = true
		if r.Source == "" || r.Size <= 0 || r.Width <= 0 || r.Format == "" {
			t.Errorf("request %+v lacks its source, size, width or format", r)
		}
	}
	if len(rounds) != 2 || rounds[1] != rounds[2] || len(ids) != len(made.reqs) {
		t.Errorf("requests per round %v, %d distinct ids of %d; want two equal rounds, distinct ids", rounds, len(ids), len(made.reqs))
	}
	// Config.Sources lists every source the requests name, each once.
	sources := map[string]bool{}
	for _, s := range made.cfg.Sources {
		if sources[s] {
			t.Errorf("Config.Sources lists %s twice", s)
		}
		sources[s] = true
	}
	for _, r := range made.reqs {
		if !sources[r.Source] {
			t.Errorf("request %d's source %s is not in Config.Sources %v", r.ID, r.Source, made.cfg.Sources)
		}
	}

	var ops, created, closed, failedReqs int
	var (
		last     *results.Snapshot
		lastHeld map[string]results.Holding
	)
	for _, ev := range events {
		switch ev.Kind {
		case results.EventOp:
			ops++
			if ev.Codec != "fake-op" || ev.Seconds != 0.001 || ev.Time == 0 {
				t.Errorf("op event %+v: want fake-op, 1ms, a time", ev)
			}
		case results.EventInstanceCreated:
			created++
		case results.EventInstanceClosed:
			closed++
			if ev.Memory != 64<<10 || ev.Codec != "fake" {
				t.Errorf("instance event %+v: want memory 64 KiB, name fake", ev)
			}
		case results.EventRequest:
			if ev.Err != "" {
				failedReqs++
			}
		}
		if ev.Snapshot != nil {
			last, lastHeld = ev.Snapshot, ev.Held
		}
	}
	if ops != len(made.reqs) || created != ops || closed != ops || failedReqs != 1 {
		t.Errorf("%d ops, %d created, %d closed, %d failed requests for %d requests; want one each, one failure", ops, created, closed, failedReqs, len(made.reqs))
	}
	want := results.Snapshot{LiveInstances: 1, TotalInstances: 7, LinearMemory: 1 << 20, Held: 150, OffHeap: 160}
	if last == nil {
		t.Fatal("no snapshot")
	}
	got := *last
	got.HeapLive, got.HeapObjects, got.HeapFree, got.HeapReleased, got.GCCycles = 0, 0, 0, 0, 0
	want.Requests, want.Errors = len(made.reqs), 1
	if got != want {
		t.Errorf("last snapshot %+v, want %+v", got, want)
	}
	if last.HeapLive == 0 || last.GCCycles == 0 {
		t.Errorf("snapshot has no Go heap figures: %+v", *last)
	}
	wantHeld := map[string]results.Holding{"views": {Bytes: 10}, "listeners": {Bytes: 20, Refs: 3}, "cache": {Bytes: 40}, "pool": {Bytes: 80, Refs: 2}}
	if !reflect.DeepEqual(lastHeld, wantHeld) {
		t.Errorf("held by holder %v, want %v", lastHeld, wantHeld)
	}
}

// TestChild_TargetErrors: an unregistered target, options the factory's
// type refuses, a factory that fails and a Close that fails are the
// child's errors, each naming the target.
func TestChild_TargetErrors(t *testing.T) {
	ok := func(ctx context.Context, cfg target.Config, o fakeOptions) (target.Target, error) {
		return &fakeTarget{cfg: cfg}, nil
	}
	for _, tc := range []struct {
		name    string
		targets factory.Targets
		options string
		want    string
	}{
		{"unregistered", factory.Targets{"other": factory.New(ok)}, "", `target "fake" is not registered in this program (registered: other)`},
		{"bad options", factory.Targets{"fake": factory.New(ok)}, "fial: 1\n", `unknown field "fial" (allowed: fail)`},
		{"factory fails", factory.Targets{"fake": factory.New(func(context.Context, target.Config, struct{}) (target.Target, error) {
			return nil, errors.New("no engine today")
		})}, "", `starting target "fake": no engine today`},
		{"close fails", factory.Targets{"fake": factory.New(func(ctx context.Context, cfg target.Config, _ struct{}) (target.Target, error) {
			return badCloser{}, nil
		})}, "", `closing target "fake": stuck`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sp := fakeSpec(t)
			sp.Rounds = 1
			sp.Options = tc.options
			events, err := runSpecWith(t, sp, tc.targets)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if last := events[len(events)-1]; last.Kind != results.EventError || last.Err != err.Error() {
				t.Errorf("last event %+v, want the error event", last)
			}
		})
	}
}

type badCloser struct{}

func (badCloser) Do(context.Context, target.Request) error { return nil }
func (badCloser) Close(context.Context) error              { return errors.New("stuck") }
