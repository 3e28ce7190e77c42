package memprofile

import (
	"maps"
	"slices"
	"sync"

	"github.com/leakbench/leakbench/harness/target"
)

// Book is the list of linear memories of a target that knows its
// instances and their holders (the builtin engine): it adds each instance
// when it is instantiated, keeps its size, moves it to another holder
// when the target's code hands it over, and drops it when nothing holds
// it any more. It is goroutine-safe, and its methods are no-ops on a nil
// *Book, so a target without profiles pays one nil check per call.
type Book struct {
	mu   sync.Mutex
	mems map[int]*target.LinearMemory // by instance id
}

// NewBook returns an empty Book.
func NewBook() *Book { return &Book{mems: map[int]*target.LinearMemory{}} }

// Add records a new instance, held live, instantiated by stack on worker.
func (b *Book) Add(instance, worker int, codec string, bytes int64, stack []uintptr) {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.mems[instance] = &target.LinearMemory{Codec: codec, Holder: target.HolderLive, Instance: instance, Worker: worker, Bytes: bytes, Stack: stack}
	b.mu.Unlock()
}

// Resize records an instance's new size.
func (b *Book) Resize(instance int, bytes int64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	if m := b.mems[instance]; m != nil {
		m.Bytes = bytes
	}
	b.mu.Unlock()
}

// Hold records that holder now keeps the instance, bytes of it (bytes <=
// 0 keeps the size as it is).
func (b *Book) Hold(instance int, holder string, bytes int64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	if m := b.mems[instance]; m != nil {
		m.Holder = holder
		if bytes > 0 {
			m.Bytes = bytes
		}
	}
	b.mu.Unlock()
}

// Release forgets the instance if holder holds it (any holder if holder
// is ""): nothing keeps its memory any more.
func (b *Book) Release(instance int, holder string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	if m := b.mems[instance]; m != nil && (holder == "" || m.Holder == holder) {
		delete(b.mems, instance)
	}
	b.mu.Unlock()
}

// Holder returns the holder of the instance, "" if the book has none.
func (b *Book) Holder(instance int) string {
	if b == nil {
		return ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if m := b.mems[instance]; m != nil {
		return m.Holder
	}
	return ""
}

// LinearMemories returns the memories in the book, by instance id. It
// makes a Book implement target.LinearMemories.
func (b *Book) LinearMemories() []target.LinearMemory {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]target.LinearMemory, 0, len(b.mems))
	for _, id := range slices.Sorted(maps.Keys(b.mems)) {
		out = append(out, *b.mems[id])
	}
	return out
}
