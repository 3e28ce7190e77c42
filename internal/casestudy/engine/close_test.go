package engine

import (
	"bytes"
	"context"
	"errors"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"sync"
	"testing"

	_ "golang.org/x/image/webp"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
)

func TestClose_Idempotent(t *testing.T) {
	for _, name := range append(Presets(), FieldPresets()...) {
		t.Run(name, func(t *testing.T) {
			if s := preset(t, name); s.Validate() != nil {
				t.Skip(s.Validate())
			}
			e, rec := newEngine(t, preset(t, name), 2)
			mustDo(t, e, request(1, codecs.JPEG))
			var wg sync.WaitGroup
			for range 3 {
				wg.Go(func() {
					if err := e.Close(testCtx); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if s := e.Snapshot(); s.LiveInstances != 0 || s.LinearMemory != 0 || s.PooledInstances != 0 || s.DroppedInstances != 0 || s.MappedMemory != 0 || s.CacheEntries != 0 {
				t.Errorf("after Close: %+v", s)
			}
			if n, _ := rec.liveMemory(); n != 0 {
				t.Errorf("events: %d instances never closed", n)
			}
			_, err := e.Do(testCtx, request(2, codecs.PNG))
			if !errors.Is(err, ErrClosed) {
				t.Errorf("Do after Close: %v, want ErrClosed", err)
			}
		})
	}
}

// TestClose_QueuedRequestFails: Close fails a request still waiting for a
// worker, and lets the running one finish. The single worker is held in
// the event hook of request 1 until request 2 has failed.
func TestClose_QueuedRequestFails(t *testing.T) {
	e, rec := newEngine(t, preset(t, "before"), 1)
	release := holdRequest1(t, e, rec)
	second := make(chan error, 1)
	go func() { _, err := e.Do(testCtx, request(2, codecs.PNG)); second <- err }()
	closed := make(chan error, 1)
	go func() { closed <- e.Close(testCtx) }()
	if err := <-second; !errors.Is(err, ErrClosed) {
		t.Errorf("queued request: %v, want ErrClosed", err)
	}
	release()
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
}

// TestDo_CancelWhileQueued: a done context fails a request waiting for a
// worker.
func TestDo_CancelWhileQueued(t *testing.T) {
	e, rec := newEngine(t, preset(t, "before"), 1)
	release := holdRequest1(t, e, rec)
	ctx, cancel := context.WithCancel(testCtx)
	second := make(chan error, 1)
	go func() { _, err := e.Do(ctx, request(2, codecs.PNG)); second <- err }()
	cancel()
	if err := <-second; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled request: %v, want context.Canceled", err)
	}
	release()
	// An already-cancelled context never reaches a worker under the
	// pipeline either.
	p, _ := newEngine(t, preset(t, "fixed"), 0)
	if _, err := p.Do(ctx, request(3, codecs.PNG)); !errors.Is(err, context.Canceled) {
		t.Errorf("pipeline, cancelled context: %v", err)
	}
	if s := p.Snapshot(); s.TotalInstances != 0 {
		t.Errorf("cancelled request instantiated %d codecs", s.TotalInstances)
	}
}

// holdRequest1 starts request 1 on e, whose one worker it holds in the
// event hook after request 1's first operation, and returns once the
// worker is held. release lets it go and checks that request 1 succeeded.
func holdRequest1(t *testing.T, e *Engine, rec *recorder) (release func()) {
	t.Helper()
	b := newBarrier(1)
	var once sync.Once
	hook := func(ev Event) {
		if ev.Kind == OpDone && ev.Request == 1 {
			once.Do(b.wait)
		}
	}
	rec.hook.Store(&hook)
	first := make(chan error, 1)
	go func() { _, err := e.Do(testCtx, request(1, codecs.PNG)); first <- err }()
	b.awaitArrivals(t, 1)
	return func() {
		t.Helper()
		close(b.release)
		if err := <-first; err != nil {
			t.Errorf("running request: %v", err)
		}
	}
}

// checkDecodes decodes a response's output with Go's decoders and checks
// its format and size.
func checkDecodes(t testing.TB, resp Response) {
	t.Helper()
	cfg, format, err := image.DecodeConfig(bytes.NewReader(resp.Output))
	if err != nil {
		t.Errorf("response %d: output does not decode: %v", resp.ID, err)
		return
	}
	if format != resp.Format.String() || cfg.Width != resp.Width || cfg.Height != resp.Height {
		t.Errorf("response %d: output is %s %dx%d, response says %s %dx%d", resp.ID, format, cfg.Width, cfg.Height, resp.Format, resp.Width, resp.Height)
	}
}

// TestNew_NoLibrary: given no library, New compiles one of its own from
// Config.Library, with the strategy's malloc applied, runs requests on it
// and closes it with the engine, whose instances are then all closed.
func TestNew_NoLibrary(t *testing.T) {
	ResetListeners()
	rec := newRecorder()
	s := preset(t, "fixed")
	s.Malloc = codecs.MallocOriginal
	e, err := New(testCtx, nil, Config{Strategy: s, Workers: 1, Events: rec.event, Library: lib.Options()})
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, e)
	if e.lib == nil || e.lib == lib || !e.ownLib {
		t.Fatal("New given no library did not make its own")
	}
	if got := e.lib.Options().Malloc; got != codecs.MallocOriginal {
		t.Errorf("its library's malloc = %s, want the strategy's, original", got)
	}
	mustDo(t, e, request(1, codecs.PNG))
	if err := e.Close(testCtx); err != nil {
		t.Fatal(err)
	}
	if n, _ := rec.liveMemory(); n != 0 {
		t.Errorf("after Close: %d instances never closed", n)
	}
	if _, err := e.lib.Instantiate(testCtx, codecs.Decode); err == nil {
		t.Error("the engine's own library is still open after Close")
	}
}
