package engine

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
)

// TestRecycle_Count: N operations per instance, then a new one: ceil(ops/N)
// instances per codec, and one live per codec at the end.
func TestRecycle_Count(t *testing.T) {
	for _, tc := range []struct{ n, requests int }{{1, 3}, {3, 7}, {4, 8}, {10, 4}} {
		t.Run(strconv.Itoa(tc.n)+"/"+strconv.Itoa(tc.requests), func(t *testing.T) {
			e, rec := newEngine(t, field(func(s *Strategy) { s.Lifetime, s.RecycleAfter = Recycle, tc.n }), 0)
			for i := range tc.requests {
				mustDo(t, e, request(i+1, codecs.PNG)) // decode, rotate, resize, encodePng
			}
			want := (tc.requests + tc.n - 1) / tc.n
			created := rec.createdPerOp()
			for _, op := range []codecs.Op{codecs.Decode, codecs.Rotate, codecs.Resize, codecs.EncodePNG} {
				if created[op] != want {
					t.Errorf("%s: %d instances for %d operations, recycle_after %d; want %d", op, created[op], tc.requests, tc.n, want)
				}
			}
			wantLive := 4
			if tc.requests%tc.n == 0 {
				wantLive = 0 // the last operation retired each instance
			}
			if s := e.Snapshot(); s.LiveInstances != wantLive || s.TotalInstances != 4*want {
				t.Errorf("snapshot: %d live of %d; want %d of %d", s.LiveInstances, s.TotalInstances, wantLive, 4*want)
			}
		})
	}
}

// TestRecycle_BoundsMemory: after one big image, reuse keeps the decode
// and resize instances at its high-water mark forever; recycle after N
// replaces them, so once N more operations have run live linear memory is
// the high-water mark of those N operations only: what an engine that
// never saw the big image holds. The big instance's memory becomes
// garbage, as the Go heap shows.
func TestRecycle_BoundsMemory(t *testing.T) {
	const n = 2
	run := func(t *testing.T, s Strategy, reqs []Request) (*Engine, *probe) {
		e, rec := newEngine(t, s, 0)
		p := attach(e, rec)
		for _, r := range reqs {
			mustDo(t, e, r)
		}
		return e, p
	}
	// big, then 2N small: the instance that ran the big one is replaced
	// after N operations, and its successor has run N small ones.
	seq := []Request{bigRequest(1)}
	for i := range 2 * n {
		seq = append(seq, smallRequest(i+2))
	}
	small := make([]Request, n)
	for i := range small {
		small[i] = smallRequest(i + 1)
	}
	reuse := field(func(s *Strategy) { s.Lifetime = Reuse })
	recycle := field(func(s *Strategy) { s.Lifetime, s.RecycleAfter = Recycle, n })

	base, _ := run(t, reuse, small) // N small operations, nothing else
	want := base.Snapshot().LinearMemory
	kept, kp := run(t, reuse, seq)
	rec, rp := run(t, recycle, seq)
	keptMem, recMem := kept.Snapshot().LinearMemory, rec.Snapshot().LinearMemory
	big := uint64(kp.get(t, 1, codecs.Decode).held)
	t.Logf("live linear memory: reuse %d, recycle %d, small only %d; big decode instance %d", keptMem, recMem, want, big)
	if recMem != want {
		t.Errorf("recycle: live linear memory %d, want %d, the high-water mark of %d small operations", recMem, want, n)
	}
	if keptMem < want+big/2 {
		t.Errorf("reuse: live linear memory %d, want the big image's high-water mark (%d more than %d)", keptMem, big, want)
	}
	gc()
	if kp.get(t, 1, codecs.Decode).mem.Value() == nil {
		t.Error("reuse: the big decode instance's memory was collected")
	}
	if rp.get(t, 1, codecs.Decode).mem.Value() != nil {
		t.Error("recycle: the big decode instance's memory is still reachable")
	}
	if h, l := kept.Snapshot().HeapLive, keptMem+recMem; h < l {
		t.Errorf("live heap %d < live linear memory %d", h, l)
	}
}

// TestMemoryLimit: an operation that needs more than the cap fails with
// an error naming the codec, the limit and what it needed; its instance
// is discarded, and the next request on that codec succeeds.
func TestMemoryLimit(t *testing.T) {
	const limit = 2 << 20 // srcBig needs 3 MiB of pixels
	for _, lt := range []Lifetime{Reuse, Fresh, Pool} {
		t.Run(lt.String(), func(t *testing.T) {
			e, rec := newEngine(t, field(func(s *Strategy) { s.Lifetime, s.MemoryLimit = lt, limit }), 0)
			mustDo(t, e, smallRequest(1)) // warm: under reuse the decode instance exists
			_, err := e.Do(testCtx, bigRequest(2))
			if !errors.Is(err, codecs.ErrLimit) {
				t.Fatalf("big image under a %d-byte memory limit: %v, want ErrLimit", limit, err)
			}
			msg := err.Error()
			for _, want := range []string{"request 2", "decode", strconv.Itoa(limit), "needs at least " + strconv.Itoa(len(srcBig())+4*1024*768)} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not name %q", msg, want)
				}
			}
			rec.mu.Lock()
			faulty := rec.opErrs[0].Instance
			closed := rec.closed[faulty]
			rec.mu.Unlock()
			if !closed {
				t.Errorf("the decode instance %d that failed is not closed", faulty)
			}
			mustDo(t, e, smallRequest(3))
			if s := e.Snapshot(); s.Errors != 1 || s.Requests != 3 {
				t.Errorf("snapshot: %d errors of %d requests", s.Errors, s.Requests)
			}
		})
	}
}

// TestMemoryLimit_Guest: under a cap the host's checks let through, the
// guest's bounded allocator refuses the decode before it allocates: over a
// limit, naming the codec, the limit and what the decode needs.
func TestMemoryLimit_Guest(t *testing.T) {
	const limit = 5 << 20 // above the 3.2 MB the host checks, below what the decoder needs
	e, _ := newEngine(t, field(func(s *Strategy) { s.Lifetime, s.MemoryLimit = Reuse, limit }), 0)
	_, err := e.Do(testCtx, bigRequest(1))
	if !errors.Is(err, codecs.ErrLimit) {
		t.Fatalf("%v, want ErrLimit", err)
	}
	t.Log(err)
	for _, want := range []string{"decode", "needs ", "limit of " + strconv.Itoa(limit) + " bytes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	mustDo(t, e, smallRequest(2))
	if s := e.Snapshot(); s.TotalInstances != 4 || s.LiveInstances != 3 {
		t.Errorf("snapshot: %d live of %d; want the failed decode instance replaced", s.LiveInstances, s.TotalInstances)
	}
}
