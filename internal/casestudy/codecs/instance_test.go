package codecs

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"sync"
	"testing"
	"time"
)

// runOp runs in's own operation on a small valid input.
func runOp(ctx context.Context, t testing.TB, in *Instance) error {
	t.Helper()
	return runAs(ctx, t, in, in.Op())
}

// runAs calls the method of op on in with a small valid input.
func runAs(ctx context.Context, t testing.TB, in *Instance, op Op) error {
	t.Helper()
	img := testPattern(16, 12, true)
	if op == Decode {
		_, err := in.Decode(ctx, encodePNG(t, toNRGBA(img)))
		return err
	}
	return callWith(ctx, in, op, img, validArgs[op])
}

// validArgs is an argument each operation but Decode accepts, for
// callWith.
var validArgs = [NumOps]int{Resize: 8, Rotate: 90, EncodeJPEG: 75, EncodePNG: 6, EncodeWebP: 75}

func TestInstance_everyOp(t *testing.T) {
	for op := range Op(NumOps) {
		t.Run(op.String(), func(t *testing.T) {
			in := instance(t, op)
			equal(t, in.Op(), op, "Op")
			before := in.MemorySize()
			if before == 0 || uint64(len(in.View())) != before {
				t.Fatalf("MemorySize %d, len(View) %d: want equal and > 0", before, len(in.View()))
			}
			for range 3 {
				noErr(t, runOp(testCtx, t, in), op.String())
			}
			equal(t, uint64(len(in.View())), in.MemorySize(), "len(View) after ops")
		})
	}
}

func TestInstance_wrongOp(t *testing.T) {
	for op := range Op(NumOps) {
		t.Run(op.String(), func(t *testing.T) {
			in := instance(t, op)
			for other := range Op(NumOps) {
				if other == op {
					continue
				}
				err := runAs(testCtx, t, in, other)
				wantErr(t, err, ErrWrongOp, other.String()+" called on a "+op.String()+" instance")
			}
			equal(t, in.Closed(), false, "closed")
			noErr(t, runOp(testCtx, t, in), "own op after wrong ones")
		})
	}
}

func TestInstance_IDs(t *testing.T) {
	lib := testLibrary(t)
	seen := map[int]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			in, err := lib.Instantiate(testCtx, Rotate)
			if err != nil {
				t.Error(err)
				return
			}
			defer in.Close(testCtx)
			mu.Lock()
			defer mu.Unlock()
			if in.ID() < 1 || seen[in.ID()] {
				t.Errorf("ID %d: want unique and >= 1", in.ID())
			}
			seen[in.ID()] = true
		})
	}
	wg.Wait()
}

func TestInstance_Close(t *testing.T) {
	in := instance(t, Rotate)
	noErr(t, runOp(testCtx, t, in), "rotate")
	size := in.MemorySize()
	noErr(t, in.Close(testCtx), "Close")
	noErr(t, in.Close(testCtx), "second Close")
	equal(t, in.Closed(), true, "Closed")
	equal(t, in.MemorySize(), size, "MemorySize after Close")
	if in.View() != nil {
		t.Fatal("View after Close is not nil")
	}
	wantErr(t, runOp(testCtx, t, in), ErrClosed)
	wantErr(t, in.InjectTrap(testCtx), ErrClosed)
	var nilIn *Instance
	noErr(t, nilIn.Close(testCtx), "Close of a nil *Instance")
}

// TestInstance_ViewOutlivesClose proves what the engine's leak models rely
// on: a View is wazero's own memory, not a copy, and stays readable, at its
// old length, after the instance is closed.
func TestInstance_ViewOutlivesClose(t *testing.T) {
	in := instance(t, Resize)
	noErr(t, runOp(testCtx, t, in), "resize")
	view := in.View()
	size := in.MemorySize()
	equal(t, uint64(len(view)), size, "len(View)")
	// Same backing array as the guest's memory.
	if !in.mem.WriteByte(7, 0xa5) || view[7] != 0xa5 {
		t.Fatal("View is not the guest's linear memory")
	}
	noErr(t, in.Close(testCtx), "Close")
	equal(t, uint64(len(view)), size, "len(View) after Close")
	sum := 0
	for _, b := range view {
		sum += int(b)
	}
	if sum == 0 {
		t.Fatal("the old View reads as all zeros after Close")
	}
	equal(t, view[7], byte(0xa5), "byte 7 after Close")
}

func TestInstance_InjectTrap(t *testing.T) {
	for op := range Op(NumOps) {
		t.Run(op.String(), func(t *testing.T) {
			in := instance(t, op)
			noErr(t, runOp(testCtx, t, in), "op before the trap")
			err := in.InjectTrap(testCtx)
			wantErr(t, err, ErrTrap, "lb_trap", "instance closed", "unreachable")
			equal(t, in.Closed(), true, "Closed after a trap")
			wantErr(t, runOp(testCtx, t, in), ErrClosed)
			if in.MemorySize() == 0 {
				t.Fatal("MemorySize lost after a trap")
			}
			fresh := instance(t, op)
			noErr(t, runOp(testCtx, t, fresh), "a fresh instance after a trap")
		})
	}
}

// doneCtx is done from the start, but reports no error to its first
// errChecks Err calls: it makes the guest call itself see the deadline,
// deterministically, as a deadline expiring mid-operation would.
type doneCtx struct {
	context.Context
	mu        sync.Mutex
	errChecks int
	done      chan struct{}
}

func newDoneCtx(errChecks int) *doneCtx {
	c := &doneCtx{Context: testCtx, errChecks: errChecks, done: make(chan struct{})}
	close(c.done)
	return c
}

func (c *doneCtx) Done() <-chan struct{} { return c.done }
func (c *doneCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.errChecks > 0 {
		c.errChecks--
		return nil
	}
	return context.DeadlineExceeded
}

func TestInstance_deadline(t *testing.T) {
	expired, cancel := context.WithTimeout(testCtx, time.Nanosecond)
	defer cancel()
	<-expired.Done()
	canceled, cancel2 := context.WithCancel(testCtx)
	cancel2()
	tests := []struct {
		name   string
		ctx    context.Context
		target error
	}{
		{"1ns timeout", expired, context.DeadlineExceeded},
		{"already canceled", canceled, context.Canceled},
		{"deadline inside the guest call", newDoneCtx(1), context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for op := range Op(NumOps) {
				if !testLibrary(t).Has(op) {
					continue
				}
				in := instance(t, op)
				err := runOp(tt.ctx, t, in)
				wantErr(t, err, tt.target, op.String(), "instance closed")
				if errors.Is(err, ErrTrap) {
					t.Fatalf("a deadline reported as a trap: %v", err)
				}
				equal(t, in.Closed(), true, "Closed after a deadline")
				wantErr(t, runOp(testCtx, t, in), ErrClosed)
				noErr(t, runOp(testCtx, t, instance(t, op)), "a fresh instance after a deadline")
			}
		})
	}
}

// TestInstance_deadlineDuringLongCall interrupts a call that runs long: a
// big resize under a short timeout. Timing decides whether the deadline
// lands inside the call; the test only checks that whatever happens is
// clean, and skips when the call won the race.
func TestInstance_deadlineDuringLongCall(t *testing.T) {
	in := instance(t, Resize)
	img := gradient(1500, 1000)
	ctx, cancel := context.WithTimeout(testCtx, 2*time.Millisecond)
	defer cancel()
	_, err := in.Resize(ctx, img, 3000)
	if err == nil {
		t.Skip("the resize finished within 2ms; nothing interrupted")
	}
	wantErr(t, err, context.DeadlineExceeded, "instance closed")
	equal(t, in.Closed(), true, "Closed")
}

func TestLibrary_basics(t *testing.T) {
	lib, err := New(testCtx, Options{CacheDir: testCacheDir})
	noErr(t, err, "New")
	equal(t, lib.Limits(), DefaultLimits(), "Limits")
	for op := range Op(NumOps) {
		if op != EncodeWebP {
			equal(t, lib.Has(op), true, "Has("+op.String()+")")
		}
	}
	equal(t, lib.Has(Op(NumOps)), false, "Has(invalid)")
	_, err = lib.Instantiate(testCtx, Op(NumOps))
	wantErr(t, err, ErrInvalid, "unknown operation")
	if !lib.Has(EncodeWebP) {
		_, err := lib.Instantiate(testCtx, EncodeWebP)
		wantErr(t, err, ErrUnavailable, "encode_webp.wasm is not embedded")
		wantErr(t, err, fs.ErrNotExist)
	}
	open := instanceOf(t, lib, Rotate)
	noErr(t, lib.Close(testCtx), "Close")
	noErr(t, lib.Close(testCtx), "second Close")
	_, err = lib.Instantiate(testCtx, Rotate)
	wantErr(t, err, ErrClosed, "library is closed")
	// Closing the library closed its instances.
	equal(t, open.Closed(), true, "instance Closed after the Library's Close")
	wantErr(t, runOp(testCtx, t, open), ErrClosed)
	var nilLib *Library
	noErr(t, nilLib.Close(testCtx), "Close of a nil *Library")
}

func TestNew_limits(t *testing.T) {
	tests := []struct {
		name      string
		limits    Limits
		fragments []string
	}{
		{"negative input", Limits{MaxInputBytes: -1}, []string{"MaxInputBytes is -1"}},
		{"negative pixels", Limits{MaxPixels: -2}, []string{"MaxPixels is -2"}},
		{"memory under a page", Limits{MaxMemoryBytes: 100}, []string{"MaxMemoryBytes is 100"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(testCtx, Options{Limits: tt.limits})
			wantErr(t, err, ErrInvalid, tt.fragments...)
		})
	}
	l, err := Limits{MaxPixels: 5}.resolve()
	noErr(t, err, "resolve")
	equal(t, l, Limits{MaxInputBytes: DefaultMaxInputBytes, MaxPixels: 5, MaxMemoryBytes: DefaultMaxMemoryBytes}, "resolved limits")
	equal(t, Limits{MaxMemoryBytes: 1 << 40}.Pages(), uint32(maxPages), "pages of a huge cap")
}

// TestNew_cacheDir: the shared test library wrote the compilation cache in
// testCacheDir (compiling into a fresh directory would cost a full
// compile); another Library reads it.
func TestNew_cacheDir(t *testing.T) {
	testLibrary(t)
	entries, err := os.ReadDir(testCacheDir)
	noErr(t, err, "reading the cache dir")
	if len(entries) == 0 {
		t.Fatalf("compilation cache %s is empty", testCacheDir)
	}
	lib, err := New(testCtx, Options{CacheDir: testCacheDir})
	noErr(t, err, "New from the cache")
	noErr(t, runOp(testCtx, t, instanceOf(t, lib, Rotate)), "rotate")
	noErr(t, lib.Close(testCtx), "Close")
	_, err = New(testCtx, Options{CacheDir: "/dev/null/not-a-dir"})
	wantErr(t, err, nil, "compilation cache in /dev/null/not-a-dir")
}

func TestLibrary_uninterruptible(t *testing.T) {
	lib, err := New(testCtx, Options{Uninterruptible: true, CacheDir: testCacheDir})
	noErr(t, err, "New")
	defer lib.Close(testCtx)
	equal(t, lib.Interruptible(), false, "Interruptible")
	equal(t, testLibrary(t).Interruptible(), true, "Interruptible of the default")
	in := instanceOf(t, lib, Rotate)
	noErr(t, runOp(testCtx, t, in), "rotate")
	// A context already done is still refused before the guest runs.
	canceled, cancel := context.WithCancel(testCtx)
	cancel()
	wantErr(t, runOp(canceled, t, in), context.Canceled, "instance closed")
	equal(t, in.Closed(), true, "Closed")
	// Traps still close the instance.
	in = instanceOf(t, lib, Rotate)
	wantErr(t, in.InjectTrap(testCtx), ErrTrap)
	equal(t, in.Closed(), true, "Closed after a trap")
}
