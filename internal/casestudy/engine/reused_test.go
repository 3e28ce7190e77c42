package engine

import (
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
)

// TestReused: under lifetime reuse, reused: all keeps one instance of
// every codec; reused: bindgen keeps the wasm-bindgen-style ones (decode,
// resize, encodePng) and instantiates rotate and the emscripten-style
// encoders at every operation, closing each after it, as next@10.1.0's
// codecs.js did. Every request rotates and resizes, so each codec's
// operations are counted exactly.
func TestReused(t *testing.T) {
	for _, tc := range []struct {
		reused Reused
		perOp  func(codecs.Op) bool // whether op gets an instance per operation
	}{
		{ReusedAll, func(codecs.Op) bool { return false }},
		{ReusedBindgen, func(op codecs.Op) bool { return op.Glue() != codecs.GlueBindgen }},
	} {
		t.Run(tc.reused.String(), func(t *testing.T) {
			s := Strategy{Topology: Pipeline, Lifetime: Reuse, Views: ViewsCleared, Listeners: ListenersRemoved, Reused: tc.reused}
			e, rec := newEngine(t, s, 1)
			ops := map[codecs.Op]int{}
			id := 0
			for range 2 {
				for _, f := range formats() {
					id++
					mustDo(t, e, request(id, f))
					ops[codecs.Decode]++
					ops[codecs.Rotate]++
					ops[codecs.Resize]++
					enc, err := codecs.EncodeOp(f)
					if err != nil {
						t.Fatal(err)
					}
					ops[enc]++
				}
			}
			created := map[codecs.Op]int{}
			for _, ev := range rec.created {
				created[ev.Op]++
			}
			for op, n := range ops {
				want := 1
				if tc.perOp(op) {
					want = n
				}
				if created[op] != want {
					t.Errorf("%s: %d instances for %d operations, want %d", op, created[op], n, want)
				}
			}
			kept := 0
			for op := range ops {
				if !tc.perOp(op) {
					kept++
				}
			}
			if live := e.Snapshot().LiveInstances; live != kept {
				t.Errorf("%d live instances after the requests, want %d (the kept codecs)", live, kept)
			}
		})
	}
}

// TestReused_Validate: reused takes all or bindgen, and refuses the
// bounded set, which shares instances between workers.
func TestReused_Validate(t *testing.T) {
	s := Strategy{Topology: PerWorker, Lifetime: Reuse, Views: ViewsCleared, Listeners: ListenersRemoved, PoolSize: 2, Reused: ReusedBindgen}
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "reused: bindgen with pool_size: 2") {
		t.Errorf("bindgen with pool_size: %v", err)
	}
	s.PoolSize = 0
	if err := s.Validate(); err != nil {
		t.Errorf("bindgen with reuse: %v", err)
	}
	if err := (Strategy{Reused: 7}).Validate(); err == nil || !strings.Contains(err.Error(), "reused") {
		t.Errorf("undefined reused: %v", err)
	}
	if _, err := reuseScopes.Parse("some"); err == nil || !strings.Contains(err.Error(), "all, bindgen") {
		t.Errorf("parsing reused: some: %v", err)
	}
}
