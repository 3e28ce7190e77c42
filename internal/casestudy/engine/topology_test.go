package engine

import (
	"testing"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
)

// TestTopology_PerWorker shows the first cause: with Workers=4 and every
// op type, each worker ends up with its own instance of every codec.
// Determinism: in each round, 4 concurrent requests of one output format
// are held at a barrier after their decode until all 4 have decoded; a
// held worker cannot take another request, so the 4 run on 4 distinct
// workers, and every worker meets every codec.
func TestTopology_PerWorker(t *testing.T) {
	const workers = 4
	e, rec := newEngine(t, preset(t, "before"), workers)
	for _, f := range formats() {
		b := newBarrier(workers)
		hook := func(ev Event) {
			if ev.Kind == OpDone && ev.Op == codecs.Decode {
				b.wait()
			}
		}
		rec.hook.Store(&hook)
		reqs := make([]Request, workers)
		for i := range reqs {
			reqs[i] = request(i+1, f)
		}
		done := make(chan []error, 1)
		go func() { _, errs := doAll(e, reqs); done <- errs }()
		b.awaitArrivals(t, workers)
		rec.hook.Store(nil)
		close(b.release)
		for _, err := range <-done {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	want := workers * opsAvailable()
	s := e.Snapshot()
	t.Logf("%d live instances: %d workers × %d codecs", s.LiveInstances, workers, opsAvailable())
	if s.LiveInstances != want || rec.max() != want || s.TotalInstances != want {
		t.Errorf("live %d, max live %d, total %d; want %d each", s.LiveInstances, rec.max(), s.TotalInstances, want)
	}
	seen := map[[2]int]bool{}
	for _, ev := range rec.created {
		seen[[2]int{ev.Worker, int(ev.Op)}] = true
	}
	if len(seen) != want {
		t.Errorf("%d distinct (worker, codec) instances, want %d", len(seen), want)
	}
}

// TestTopology_Pipeline shows the first fix: whatever the lifetime, the
// pipeline never has more than one instance per op type alive.
func TestTopology_Pipeline(t *testing.T) {
	for _, name := range []string{"fix1", "fix1+2", "fixed"} {
		t.Run(name, func(t *testing.T) {
			s := preset(t, name)
			e, rec := newEngine(t, s, 0)
			var reqs []Request
			for i := range 4 {
				for _, f := range formats() {
					reqs = append(reqs, request(len(reqs)+1, f))
					reqs[len(reqs)-1].Rotate = i * 90
				}
			}
			if _, errs := doAll(e, reqs); errorsIn(errs) != nil {
				t.Fatal(errorsIn(errs))
			}
			if m := rec.max(); m > codecs.NumOps {
				t.Errorf("max live instances %d > %d", m, codecs.NumOps)
			}
			wantLive := 0
			if s.Lifetime == Reuse {
				wantLive = opsAvailable()
			}
			if snap := e.Snapshot(); snap.LiveInstances != wantLive {
				t.Errorf("live instances %d, want %d", snap.LiveInstances, wantLive)
			}
			for _, ev := range rec.created {
				if ev.Worker != int(ev.Op)+1 {
					t.Errorf("%s instance %d created by worker %d", ev.Op, ev.Instance, ev.Worker)
				}
			}
		})
	}
}

// errorsIn returns the first non-nil error.
func errorsIn(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
