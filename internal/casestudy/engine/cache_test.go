package engine

import (
	"bytes"
	"testing"
	"unsafe"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
)

// cacheSources are distinct small sources: distinct cache keys.
func cacheSources() [][]byte {
	return [][]byte{srcPNG, genImage(96, 64, "png"), genImage(112, 80, "png"), genImage(80, 112, "png"), srcJPEG}
}

// TestCache_Aliased: with results aliased, each cache entry is a slice of
// the memory of the (closed) instance that produced it and keeps that
// memory alive: the snapshot's pinned memory is exactly the memory of the
// cached entries' instances, which survives GC while cached and goes on
// eviction. With results copied, entries own their bytes and pin nothing.
func TestCache_Aliased(t *testing.T) {
	const n = 2
	for _, r := range []Results{ResultsAliased, ResultsCopied} {
		t.Run(r.String(), func(t *testing.T) {
			e, rec := newEngine(t, field(func(s *Strategy) { s.Results, s.Cache = r, n }), 0)
			p := attach(e, rec)
			srcs := cacheSources()
			// Copies of the outputs: the test must not hold aliased ones.
			resps := map[int]Response{}
			do := func(id int) {
				resp := mustDo(t, e, Request{ID: id, Source: srcs[id-1], Width: 48, Format: codecs.PNG})
				if r == ResultsAliased && !within(resp.Output, p.get(t, id, codecs.EncodePNG)) {
					t.Errorf("request %d: aliased output is not inside its encoder instance's memory", id)
				}
				resp.Output = bytes.Clone(resp.Output)
				resps[id] = resp
			}
			// what entries of requests ids should pin and hold
			expect := func(ids ...int) (pinned, held uint64) {
				for _, id := range ids {
					dec, enc := p.get(t, id, codecs.Decode), p.get(t, id, p.encoder(id))
					pinned += uint64(dec.held + enc.held)
					img, _, _ := decodeConfig(srcs[id-1])
					held += uint64(len(resps[id].Output) + 4*img.Width*img.Height)
				}
				if r == ResultsCopied {
					pinned = 0
				}
				return pinned, held
			}
			check := func(when string, cached, evicted []int) {
				t.Helper()
				gc()
				s := e.Snapshot()
				pinned, held := expect(cached...)
				t.Logf("%s: %d entries of %d bytes pin %d bytes of instance memory; live heap %d", when, s.CacheEntries, s.CacheBytes, s.CachePinned, s.HeapLive)
				if s.CachePinned != pinned || s.CacheBytes != held || s.CacheEntries != 2*len(cached) || s.LiveInstances != 0 {
					t.Errorf("%s: pinned %d, bytes %d, %d entries, %d live; want pinned %d, bytes %d, %d entries, 0 live",
						when, s.CachePinned, s.CacheBytes, s.CacheEntries, s.LiveInstances, pinned, held, 2*len(cached))
				}
				for _, id := range cached {
					for _, op := range []codecs.Op{codecs.Decode, p.encoder(id)} {
						alive := p.get(t, id, op).mem.Value() != nil
						if alive != (r == ResultsAliased) {
							t.Errorf("%s: request %d's %s instance memory reachable: %v", when, id, op, alive)
						}
					}
				}
				for _, id := range evicted {
					if p.get(t, id, codecs.Decode).mem.Value() != nil || p.get(t, id, p.encoder(id)).mem.Value() != nil {
						t.Errorf("%s: evicted request %d's instance memory still reachable", when, id)
					}
				}
				if s.HeapLive < s.CachePinned {
					t.Errorf("%s: live heap %d < pinned %d", when, s.HeapLive, s.CachePinned)
				}
			}
			for id := 1; id <= 3; id++ {
				do(id)
			}
			check("after 3 requests", []int{2, 3}, []int{1})
			do(4)
			check("after a 4th", []int{3, 4}, []int{1, 2})

			// A hit: no work, the same bytes.
			before := e.Snapshot().TotalInstances
			hit := mustDo(t, e, Request{ID: 40, Source: srcs[3], Width: 48, Format: codecs.PNG})
			same := bytes.Equal(hit.Output, resps[4].Output)
			if !same || hit.ID != 40 || e.Snapshot().TotalInstances != before || e.Snapshot().CacheHits != 1 {
				t.Errorf("cache hit: id %d, same output %v, %d new instances", hit.ID, same, e.Snapshot().TotalInstances-before)
			}
			// Another width of a cached source: the decode is saved.
			other := mustDo(t, e, Request{ID: 41, Source: srcs[3], Width: 24, Format: codecs.PNG})
			checkDecodes(t, other)
			if s := e.Snapshot(); s.TotalInstances != before+2 || s.CacheDecodeHits != 1 {
				t.Errorf("cached source: %d new instances (want resize and encode only), %d decode hits", s.TotalInstances-before, s.CacheDecodeHits)
			}
			checkDecodes(t, resps[4])
			if err := e.Close(testCtx); err != nil {
				t.Fatal(err)
			}
			gc()
			if s := e.Snapshot(); s.CachePinned != 0 || s.CacheEntries != 0 || s.CacheBytes != 0 {
				t.Errorf("after Close: %+v", s)
			}
			if p.get(t, 4, codecs.Decode).mem.Value() != nil {
				t.Error("after Close: cached instance memory still reachable")
			}
		})
	}
}

// encoder returns the encode op of a cache test request: all are PNG.
func (p *probe) encoder(int) codecs.Op { return codecs.EncodePNG }

// within reports whether b lies inside the memory m saw.
func within(b []byte, m opMemory) bool {
	base := m.mem.Value()
	if base == nil || len(b) == 0 {
		return false
	}
	start, p := uintptr(unsafe.Pointer(base)), uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return p >= start && p+uintptr(len(b)) <= start+uintptr(m.held)
}
