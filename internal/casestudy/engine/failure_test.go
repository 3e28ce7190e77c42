package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
)

// TestTrap: a trap fails its request only; the faulty instance is closed
// and gone, and the worker instantiates anew next time.
func TestTrap(t *testing.T) {
	for _, tc := range []struct {
		preset  string
		workers int
		at      codecs.Op
	}{
		{"fix1", 0, codecs.Resize},
		{"before", 3, codecs.Decode},
		{"before", 2, codecs.EncodeJPEG},
		{"fixed", 0, codecs.Rotate},
		{"pool-unclosed", 0, codecs.Decode},
		{"pool-bounded-capped", 3, codecs.EncodeJPEG},
		{"recycle-512", 0, codecs.Resize},
	} {
		t.Run(tc.preset+"/"+tc.at.String(), func(t *testing.T) {
			s := preset(t, tc.preset)
			e, rec := newEngine(t, s, tc.workers)
			mustDo(t, e, request(100, codecs.JPEG)) // warm: reused instances exist
			reqs := make([]Request, 6)
			for i := range reqs {
				reqs[i] = request(i+1, formats()[i%len(formats())])
			}
			const bad = 4
			at := tc.at
			reqs[bad-1].Format = codecs.JPEG
			reqs[bad-1].trapAt = &at
			_, errs := doAll(e, reqs)
			for i, err := range errs {
				if i == bad-1 {
					if !errors.Is(err, codecs.ErrTrap) {
						t.Fatalf("trapped request: %v, want ErrTrap", err)
					}
					if msg := err.Error(); !strings.Contains(msg, "request 4") || !strings.Contains(msg, tc.at.String()) {
						t.Errorf("error %q does not name request 4 and %s", msg, tc.at)
					}
				} else if err != nil {
					t.Errorf("request %d: %v", i+1, err)
				}
			}
			rec.mu.Lock()
			if len(rec.opErrs) != 1 {
				t.Fatalf("%d failed ops, want 1", len(rec.opErrs))
			}
			faulty := rec.opErrs[0].Instance
			_, stillLive := rec.live[faulty]
			closed := rec.closed[faulty]
			nLive := len(rec.live)
			rec.mu.Unlock()
			if stillLive || !closed {
				t.Errorf("faulty instance %d: live %v, closed %v", faulty, stillLive, closed)
			}
			if snap := e.Snapshot(); snap.LiveInstances != nLive || snap.Errors != 1 {
				t.Errorf("snapshot: %d live (events say %d), %d errors", snap.LiveInstances, nLive, snap.Errors)
			}
			for _, w := range e.workers {
				for _, in := range w.kept {
					if in != nil && in.inst.ID() == faulty {
						t.Errorf("worker %d keeps the faulty instance", w.id)
					}
				}
			}
			// The engine goes on; under Reuse a new instance replaces it.
			mustDo(t, e, Request{ID: 200, Source: srcPNG, Rotate: 90, Width: 48, Format: codecs.JPEG})
		})
	}
}

// TestOpTimeout: an expired per-op deadline fails the request with
// context.DeadlineExceeded, discards the instance, and the engine goes on.
// A 1ns timeout has always expired by the time the codec is called
// (context.WithTimeout cancels at once a deadline already past).
func TestOpTimeout(t *testing.T) {
	ResetListeners()
	rec := newRecorder()
	e, err := New(testCtx, interruptible(t), Config{Strategy: preset(t, "fix1"), OpTimeout: time.Nanosecond, Events: rec.event})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(testCtx)
	for i := range 2 {
		_, err := e.Do(testCtx, request(i+1, codecs.PNG))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("request %d: %v, want DeadlineExceeded", i+1, err)
		}
		if !strings.Contains(err.Error(), "decode") {
			t.Errorf("error %q does not name the op", err)
		}
	}
	if s := e.Snapshot(); s.LiveInstances != 0 || s.TotalInstances != 2 || s.Errors != 2 {
		t.Errorf("snapshot %+v: want 0 live of 2 total, 2 errors", s)
	}
	ResetListeners()
}

// TestCorruptInput: a decoder error fails the request; the instance is
// discarded even under Reuse.
func TestCorruptInput(t *testing.T) {
	e, _ := newEngine(t, preset(t, "fix1"), 0)
	bad := append([]byte(nil), srcPNG[:200]...)
	_, err := e.Do(testCtx, Request{ID: 7, Source: bad, Format: codecs.PNG})
	if !errors.Is(err, codecs.ErrCorrupt) {
		t.Fatalf("corrupt PNG: %v, want ErrCorrupt", err)
	}
	if s := e.Snapshot(); s.LiveInstances != 0 || s.TotalInstances != 1 {
		t.Errorf("snapshot %+v: want the decode instance discarded", s)
	}
	mustDo(t, e, Request{ID: 8, Source: srcJPEG, Format: codecs.PNG})
}

func TestRequest_Invalid(t *testing.T) {
	e, _ := newEngine(t, preset(t, "fixed"), 0)
	rot := codecs.Rotate
	webp := codecs.EncodeWebP
	tests := map[string]Request{
		"no source":                       {Format: codecs.PNG},
		"not an image":                    {Source: []byte("hello, world"), Format: codecs.PNG},
		"rotate 45":                       {Source: srcPNG, Rotate: 45, Format: codecs.PNG},
		"width -1":                        {Source: srcPNG, Width: -1, Format: codecs.PNG},
		"no format":                       {Source: srcPNG},
		"jpeg q 101":                      {Source: srcPNG, Format: codecs.JPEG, Quality: 101},
		"png level 10":                    {Source: srcPNG, Format: codecs.PNG, Quality: 10},
		"trap at rotate without rotation": {Source: srcPNG, Format: codecs.PNG, trapAt: &rot},
		"trap at webp for png output":     {Source: srcPNG, Format: codecs.PNG, trapAt: &webp},
	}
	for name, r := range tests {
		r.ID = 42
		if _, err := e.Do(testCtx, r); !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), "request 42") {
			t.Errorf("%s: %v, want ErrInvalidRequest naming request 42", name, err)
		}
	}
	if s := e.Snapshot(); s.TotalInstances != 0 || s.Errors != len(tests) {
		t.Errorf("invalid requests did work: %+v", s)
	}
	if !lib.Has(codecs.EncodeWebP) {
		_, err := e.Do(testCtx, Request{Source: srcPNG, Format: codecs.WebP})
		if !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), "encodeWebp module not available") {
			t.Errorf("webp without its module: %v", err)
		}
	}
}

// TestRequest_Defaults: output dimensions and default qualities.
func TestRequest_Defaults(t *testing.T) {
	e, _ := newEngine(t, preset(t, "fixed"), 0)
	for _, tc := range []struct {
		r          Request
		w, h       int
		wantFormat codecs.Format
	}{
		{Request{Source: srcPNG, Format: codecs.PNG}, 128, 96, codecs.PNG},
		{Request{Source: srcPNG, Format: codecs.JPEG, Width: 64}, 64, 48, codecs.JPEG},
		{Request{Source: srcJPEG, Format: codecs.PNG, Rotate: 270, Width: 1000}, 96, 128, codecs.PNG},
		{Request{Source: srcJPEG, Format: codecs.JPEG, Rotate: 180, Width: 128}, 128, 96, codecs.JPEG},
	} {
		resp := mustDo(t, e, tc.r)
		if resp.Width != tc.w || resp.Height != tc.h || resp.Format != tc.wantFormat {
			t.Errorf("rotate %d width %d: got %dx%d %s, want %dx%d %s", tc.r.Rotate, tc.r.Width, resp.Width, resp.Height, resp.Format, tc.w, tc.h, tc.wantFormat)
		}
		checkDecodes(t, resp)
	}
	p, err := e.prepare(Request{Source: srcPNG, Format: codecs.JPEG})
	if err != nil || p.quality != DefaultJPEGQuality {
		t.Errorf("jpeg default quality %d, %v", p.quality, err)
	}
	p, err = e.prepare(Request{Source: srcPNG, Format: codecs.PNG})
	if err != nil || p.quality != DefaultPNGLevel {
		t.Errorf("png default level %d, %v", p.quality, err)
	}
}

// TestPanicInHook: a panic in a worker (here in the caller's event hook)
// fails the request instead of crashing the process, and the worker's
// instances are discarded.
func TestPanicInHook(t *testing.T) {
	for _, name := range []string{"before", "fixed", "pool-unclosed", "pool-bounded-capped"} {
		t.Run(name, func(t *testing.T) {
			e, rec := newEngine(t, preset(t, name), 1)
			hook := func(ev Event) {
				if ev.Kind == OpDone && ev.Op == codecs.Decode {
					panic("hook exploded")
				}
			}
			rec.hook.Store(&hook)
			_, err := e.Do(testCtx, request(1, codecs.PNG))
			if err == nil || !strings.Contains(err.Error(), "hook exploded") {
				t.Fatalf("Do: %v, want the panic as an error", err)
			}
			rec.hook.Store(nil)
			if s := e.Snapshot(); s.LiveInstances != 0 {
				t.Errorf("%d live instances after the panic", s.LiveInstances)
			}
			mustDo(t, e, request(2, codecs.PNG))
		})
	}
}
