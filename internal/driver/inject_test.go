package driver

import (
	"context"
	"os"
	"testing"

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/factory"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/sampler"
)

// plainTarget does nothing and reports nothing: not a Snapshotter, so
// every holder in the child's snapshots is the driver's own.
type plainTarget struct{}

func (plainTarget) Do(ctx context.Context, req target.Request) error { return nil }

// TestChild_InjectsAKnownLeakPerRequest runs a target that holds nothing
// with Spec.InjectLeak and checks that every snapshot reports the holder
// "injected" at InjectLeak × the requests done so far, and the last one
// at InjectLeak × every request of every round, outside the leaked
// figures (Snapshot.Held).
func TestChild_InjectsAKnownLeakPerRequest(t *testing.T) {
	const per = 48 << 10
	sp := tinySpec(t)
	sp.Target, sp.Options, sp.Rounds, sp.InjectLeak = "plain", "", 2, per
	events, err := runSpecWith(t, sp, factory.Targets{"plain": factory.New(func(context.Context, target.Config, struct{}) (target.Target, error) {
		return plainTarget{}, nil
	})})
	if err != nil {
		t.Fatal(err)
	}
	var last *results.Event
	for i, ev := range events {
		if ev.Snapshot == nil {
			continue
		}
		h := ev.Held[HolderInjected]
		if want := uint64(ev.Snapshot.Requests) * per; h.Bytes != want || h.Refs != ev.Snapshot.Requests || ev.Snapshot.Held != 0 {
			t.Errorf("event %d (%s): injected %+v, held %d after %d requests; want %d bytes in %d allocations, none in the target's leaked figures",
				i, ev.Kind, h, ev.Snapshot.Held, ev.Snapshot.Requests, want, ev.Snapshot.Requests)
		}
		last = &events[i]
	}
	want := sp.Rounds * len(sp.Requests)
	if last == nil || last.Snapshot.Requests != want {
		t.Fatalf("last snapshot %+v; want one after %d requests", last, want)
	}
}

// TestChild_NoInjectionNoHolder checks that a spec without InjectLeak
// reports no injected holder.
func TestChild_NoInjectionNoHolder(t *testing.T) {
	sp := tinySpec(t)
	sp.Target, sp.Options = "plain", ""
	events, err := runSpecWith(t, sp, factory.Targets{"plain": factory.New(func(context.Context, target.Config, struct{}) (target.Target, error) {
		return plainTarget{}, nil
	})})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range events {
		if _, ok := ev.Held[HolderInjected]; ok || (ev.Snapshot != nil && ev.Snapshot.Held != 0) {
			t.Fatalf("%s event holds %+v, %v without an injected leak", ev.Kind, ev.Held, ev.Snapshot)
		}
	}
}

// TestInjector_TouchesItsPages checks that what the injector keeps is
// resident: this process's RSS grows by at least 90% of what it injects
// (a zeroed allocation that nothing writes to would stay unbacked).
func TestInjector_TouchesItsPages(t *testing.T) {
	s, err := sampler.New(os.Getpid())
	if err != nil {
		t.Skipf("no RSS sampler here: %v", err)
	}
	before, _, err := s.Sample()
	if err != nil {
		t.Skip(err)
	}
	in := newInjector(2 << 20)
	for range 32 {
		in.leak()
	}
	after, _, err := s.Sample()
	if err != nil {
		t.Fatal(err)
	}
	if h := in.holding(); h.Bytes != 64<<20 || h.Refs != 32 {
		t.Errorf("holding %+v, want 64 MiB in 32", h)
	}
	if grew := int64(after) - int64(before); grew < 9*(64<<20)/10 {
		t.Errorf("RSS grew by %d bytes after injecting 64 MiB: the pages are not touched", grew)
	}
}
