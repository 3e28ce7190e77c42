package flow

import (
	"image"
	"sync"
)

// Keep is a thumbnail cache of decoded images: it holds the last N images
// added and drops the oldest, and accounts for the bytes each keeps
// reachable. It is safe for concurrent use.
type Keep struct {
	mu    sync.Mutex
	imgs  []kept // a ring of at most n images
	next  int    // where the next image goes once the ring is full
	n     int
	bytes uint64 // the sum of the kept images' bytes
}

// kept is one kept image and what it keeps reachable.
type kept struct {
	img   image.Image
	bytes uint64
}

// NewKeep returns a cache of the last n images; n = 0 keeps none.
func NewKeep(n int) *Keep {
	return &Keep{n: max(n, 0)}
}

// Cap returns n, the most images kept.
func (k *Keep) Cap() int { return k.n }

// Add keeps img, which keeps bytes reachable, dropping the oldest image
// when n are kept.
func (k *Keep) Add(img image.Image, bytes uint64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	switch {
	case k.n == 0:
		return
	case len(k.imgs) < k.n:
		k.imgs = append(k.imgs, kept{img, bytes})
	default:
		k.bytes -= k.imgs[k.next].bytes
		k.imgs[k.next] = kept{img, bytes}
		k.next = (k.next + 1) % k.n
	}
	k.bytes += bytes
}

// Len returns how many images are kept.
func (k *Keep) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.imgs)
}

// Bytes returns the bytes the kept images keep reachable, as given to Add.
func (k *Keep) Bytes() uint64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.bytes
}

// Images returns the kept images, oldest first.
func (k *Keep) Images() []image.Image {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]image.Image, 0, len(k.imgs))
	for _, e := range k.imgs[k.next:] {
		out = append(out, e.img)
	}
	for _, e := range k.imgs[:k.next] {
		out = append(out, e.img)
	}
	return out
}

// Clear drops every kept image.
func (k *Keep) Clear() {
	k.mu.Lock()
	defer k.mu.Unlock()
	clear(k.imgs)
	k.imgs, k.next, k.bytes = nil, 0, 0
}
