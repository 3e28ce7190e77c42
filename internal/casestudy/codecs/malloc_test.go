package codecs

import (
	"errors"
	"testing"
)

func TestMalloc_Names(t *testing.T) {
	for _, m := range []Malloc{MallocLibc, MallocOriginal} {
		b, err := m.MarshalText()
		noErr(t, err, "MarshalText")
		var back Malloc
		noErr(t, back.UnmarshalText(b), "UnmarshalText")
		equal(t, back, m, "round trip of "+string(b))
	}
	equal(t, MallocLibc.String()+" "+MallocOriginal.String(), "libc original", "names")
	_, err := ParseMalloc("wee_alloc")
	wantErr(t, err, ErrInvalid, `"wee_alloc"`, "libc, original")
	_, err = New(testCtx, Options{Malloc: 7})
	wantErr(t, err, ErrInvalid, "Options.Malloc 7")
	equal(t, MallocOriginal.ModuleFor(Resize), "resize_original", "resize under original")
	equal(t, MallocOriginal.ModuleFor(Decode), "decode", "decode under original (no variant)")
	equal(t, MallocLibc.ModuleFor(Resize), "resize", "resize under libc")
}

// wasmPage is the WebAssembly page, the unit wee_alloc grows memory by.
const wasmPage = 65536

// refill is what wee_alloc 0.4.5 takes from memory.grow for an allocation
// of n bytes that no free cell holds: whole pages for n rounded up to
// words plus a two-word cell header (lib.rs
// LargeAllocPolicy::new_cell_for_free_list; n here is far above its
// minimum).
func refill(n int64) int64 {
	words := (n + 3) / 4
	return (words*4 + 8 + wasmPage - 1) / wasmPage * wasmPage
}

// squooshResizeGrowth is how much squoosh_resize's linear memory grew in a
// call resizing w x h to dw x dh, by the mechanism read in its sources
// (codecs/resize/src/lib.rs; resize 0.5.5; wee_alloc 0.4.5): the input
// (the glue's __wbindgen_malloc), output_image, the f32 input and output
// and the resizer's tmp, in that order, each from a fresh refill unless it
// fits in a free cell; the call frees tmp last and whole (its pages merged
// back into one cell, at the head of the free list), the others into
// cells its walks have already dropped. So the next call's input, then its
// output_image, are cut from the end of tmp's pages if they fit; the first
// that does not fit drops them, and the rest is fresh. prevTmp is the
// previous call's tmp cell (0 before the first call); it returns the
// growth and this call's tmp cell. Coefficient tables (a few KiB) are left
// out.
func squooshResizeGrowth(prevTmp int64, w, h, dw, dh int) (growth, tmpCell int64) {
	in, out := int64(4*w*h), int64(4*dw*dh)
	free := prevTmp - 8 // data bytes of the cell tmp's pages form
	for _, n := range []int64{in, out} {
		// LargeAllocPolicy keeps a split-off rest of at least 512 words;
		// else the whole cell is taken. Either way n fits if n <= free.
		if free >= n {
			free -= (n + 3) / 4 * 4
			if free >= 8+2048 {
				free -= 8 // the split-off cell's header
			} else {
				free = 0
			}
			continue
		}
		free = -1 // dropped by the walk, with whatever is left
		growth += refill(n)
	}
	tmp := int64(16 * dw * h)
	growth += refill(16*int64(w*h)) + refill(16*int64(dw*dh)) + refill(tmp)
	return growth, refill(tmp)
}

// TestMalloc_ResizeGrowsAsTheOriginal: one reused resize instance per
// setting over a small workload. Under MallocOriginal each call grows
// linear memory by what squoosh_resize's allocations cost under wee_alloc
// 0.4.5 (squooshResizeGrowth), within 10%; under MallocLibc a second pass
// over the same images never grows it past the first pass's high-water
// mark. Both give the same pixels.
func TestMalloc_ResizeGrowsAsTheOriginal(t *testing.T) {
	type job struct{ w, h, width int }
	// Shrinking more than 4x (the input is larger than tmp: nothing is
	// reused) and less (the next input and output fit in tmp's pages).
	work := []job{{640, 480, 100}, {800, 600, 120}, {480, 640, 100}, {400, 300, 200}, {400, 300, 200}, {480, 360, 200}, {640, 480, 100}}
	libs := map[Malloc]*Library{}
	for _, m := range []Malloc{MallocLibc, MallocOriginal} {
		lib, err := New(testCtx, Options{Malloc: m, CacheDir: testCacheDir, Uninterruptible: true})
		noErr(t, err, "New "+m.String())
		t.Cleanup(func() { _ = lib.Close(testCtx) })
		libs[m] = lib
	}
	orig := instanceOf(t, libs[MallocOriginal], Resize)
	libc := instanceOf(t, libs[MallocLibc], Resize)

	var prevTmp int64
	for i, j := range work {
		img := testPattern(j.w, j.h, true)
		before := int64(orig.MemorySize())
		got, err := orig.Resize(testCtx, img, j.width)
		noErr(t, err, "resize under original")
		grew := int64(orig.MemorySize()) - before
		want, tmp := squooshResizeGrowth(prevTmp, j.w, j.h, got.Width, got.Height)
		prevTmp = tmp
		if d := float64(grew-want) / float64(want); d < -0.10 || d > 0.10 {
			t.Errorf("call %d, %dx%d to %dx%d: linear memory grew by %d bytes, squoosh_resize's allocations under wee_alloc cost %d (%+.1f%%, want within 10%%)",
				i+1, j.w, j.h, got.Width, got.Height, grew, want, 100*d)
		} else {
			t.Logf("call %d, %dx%d to %dx%d: grew %d bytes, the original's mechanism %d (%+.1f%%)", i+1, j.w, j.h, got.Width, got.Height, grew, want, 100*d)
		}
		same, err := libc.Resize(testCtx, img, j.width)
		noErr(t, err, "resize under libc")
		if string(same.Pix) != string(got.Pix) {
			t.Errorf("call %d: resize_original's pixels differ from resize's", i+1)
		}
	}

	high := libc.MemorySize()
	for i, j := range work {
		_, err := libc.Resize(testCtx, testPattern(j.w, j.h, true), j.width)
		noErr(t, err, "resize under libc, second pass")
		if m := libc.MemorySize(); m > high {
			t.Errorf("libc, second pass, call %d: linear memory %d bytes, past the first pass's high-water mark %d", i+1, m, high)
		}
	}
}

// TestMalloc_OriginalRunsOutLikeTheOriginal: under MallocOriginal a reused
// resize instance whose growth reaches the memory limit fails cleanly with
// ErrOutOfMemory, as the original failed at its 2 GiB, and does not
// recover: what its walks dropped is never reused.
func TestMalloc_OriginalRunsOutLikeTheOriginal(t *testing.T) {
	lib, err := New(testCtx, Options{Malloc: MallocOriginal, CacheDir: testCacheDir, Uninterruptible: true,
		Limits: Limits{MaxMemoryBytes: 64 << 20}})
	noErr(t, err, "New")
	t.Cleanup(func() { _ = lib.Close(testCtx) })
	in := instanceOf(t, lib, Resize)
	img := testPattern(1000, 750, false) // ~14 MiB of buffers per call
	var failed error
	for i := 0; i < 10 && failed == nil; i++ {
		_, failed = in.Resize(testCtx, img, 100)
	}
	if !errors.Is(failed, ErrOutOfMemory) {
		t.Fatalf("after 10 resizes under a 64 MiB limit: %v, want ErrOutOfMemory", failed)
	}
	_, err = in.Resize(testCtx, testPattern(100, 75, false), 50)
	if !errors.Is(err, ErrOutOfMemory) && !errors.Is(err, ErrClosed) {
		t.Errorf("a small resize after running out: %v, want it to fail too", err)
	}
}
