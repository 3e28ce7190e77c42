package driver

import (
	"io"
	"os"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/leakbench/leakbench/harness/target"

	"github.com/leakbench/leakbench/internal/memprofile"
	"github.com/leakbench/leakbench/internal/results"
)

// peakMargin is how far, as a fraction, the child's RSS must pass the RSS
// of its last peak profile before it writes the next: at most about
// ln(peak/baseline)/ln(1+peakMargin) peak profiles per run (25 for a
// 10-fold climb), each written over the last.
const peakMargin = 0.10

// profiler writes a run's pprof profiles into Spec.ProfileDir at the
// landmarks: the Go heap profile (runtime/pprof "heap", which the runtime
// keeps up to date at every GC, so writing it costs a walk of its
// buckets and a gzip, no collection) and, for a target that is a
// target.LinearMemories, the linear memory profile. Each is written to a
// temporary file and renamed, so a run killed mid-write leaves the last
// whole one, and announced by a profile event.
type profiler struct {
	dir string
	src target.LinearMemories // nil: no linear memory profile
	em  *emitter

	mu sync.Mutex // one landmark written at a time

	watching sync.Mutex // held by watch: the ticker and the end of the load both call it
	self     *statm     // the child's RSS, read by watch
	next     uint64     // RSS the next peak profile waits for; 0 before the first
}

// statm reads the child's own RSS from /proc/self/statm (its second
// field, in pages) into a fixed buffer: no allocation, so that watching
// for the peak at every tick neither moves the heap towards its next GC
// nor shares the parent-facing sampler's state. Not goroutine-safe: watch
// reads it under profiler.watching.
type statm struct {
	f    *os.File
	buf  [128]byte
	page uint64
}

// openStatm opens /proc/self/statm; nil where there is none (not Linux),
// and then no peak profile is taken.
func openStatm() *statm {
	f, err := os.Open("/proc/self/statm")
	if err != nil {
		return nil
	}
	return &statm{f: f, page: uint64(os.Getpagesize())}
}

// rss returns the resident set size in bytes, 0 if it can't be read.
func (s *statm) rss() uint64 {
	if s == nil {
		return 0
	}
	n, err := s.f.ReadAt(s.buf[:], 0)
	if n == 0 && err != nil {
		return 0
	}
	field, v := 0, uint64(0)
	for _, c := range s.buf[:n] {
		switch {
		case c == ' ' || c == '\n':
			if field == 1 {
				return v * s.page
			}
			field, v = field+1, 0
		case c >= '0' && c <= '9':
			v = v*10 + uint64(c-'0')
		}
	}
	return 0
}

// newProfiler returns the profiler of a child writing into dir, or nil
// when dir is "" (profiles off). tgt's memories are profiled when it is a
// target.LinearMemories.
func newProfiler(dir string, tgt any, em *emitter) *profiler {
	if dir == "" {
		return nil
	}
	src, _ := tgt.(target.LinearMemories)
	return &profiler{dir: dir, src: src, em: em, self: openStatm()}
}

// watch is called at every snapshot tick of the load phase and once at
// its end (a load shorter than a tick, or a tick delayed past the load's
// end by a busy machine, still has its peak profiles): when the child's
// RSS has passed the high-water mark by peakMargin, it writes the peak
// profiles.
func (p *profiler) watch() error {
	if p == nil {
		return nil
	}
	p.watching.Lock()
	defer p.watching.Unlock()
	rss := p.self.rss()
	if rss == 0 || rss < p.next {
		return nil
	}
	p.next = rss + uint64(float64(rss)*peakMargin)
	return p.take(results.LandmarkPeak, rss)
}

// take writes the profiles of the landmark, rss the child's RSS then.
func (p *profiler) take(at results.Landmark, rss uint64) error {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.write(results.ProfileHeap, at, rss, func(w io.Writer) error {
		return pprof.Lookup("heap").WriteTo(w, 0)
	}); err != nil {
		return err
	}
	if p.src == nil {
		return nil
	}
	return p.write(results.ProfileLinear, at, rss, func(w io.Writer) error {
		return memprofile.Write(w, p.src.LinearMemories())
	})
}

// write writes one profile with fill and announces it.
func (p *profiler) write(kind results.ProfileKind, at results.Landmark, rss uint64, fill func(io.Writer) error) error {
	start := time.Now()
	name, err := results.WriteProfile(p.dir, kind, at, fill)
	if err != nil {
		return err
	}
	p.em.emit(results.Event{Kind: results.EventProfile, Profile: &results.Profile{Kind: kind, Landmark: at, File: name, RSS: rss, Seconds: time.Since(start).Seconds()}})
	return nil
}
