package flow

import (
	"image"
	"sync"
)

// Keep is a thumbnail cache of decoded images: it holds the last N images
// added and drops the oldest. It is safe for concurrent use.
type Keep struct {
	mu   sync.Mutex
	imgs []image.Image // a ring of at most n images
	next int           // where the next image goes once the ring is full
	n    int
}

// NewKeep returns a cache of the last n images; n = 0 keeps none.
func NewKeep(n int) *Keep {
	return &Keep{n: max(n, 0)}
}

// Add keeps img, dropping the oldest image when n are kept.
func (k *Keep) Add(img image.Image) {
	k.mu.Lock()
	defer k.mu.Unlock()
	switch {
	case k.n == 0:
	case len(k.imgs) < k.n:
		k.imgs = append(k.imgs, img)
	default:
		k.imgs[k.next] = img
		k.next = (k.next + 1) % k.n
	}
}

// Len returns how many images are kept.
func (k *Keep) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.imgs)
}

// Images returns the kept images, oldest first.
func (k *Keep) Images() []image.Image {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]image.Image, 0, len(k.imgs))
	out = append(out, k.imgs[k.next:]...)
	return append(out, k.imgs[:k.next]...)
}

// Clear drops every kept image.
func (k *Keep) Clear() {
	k.mu.Lock()
	defer k.mu.Unlock()
	clear(k.imgs)
	k.imgs, k.next = nil, 0
}
