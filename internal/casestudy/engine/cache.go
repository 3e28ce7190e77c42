package engine

import (
	"container/list"
	"hash/maphash"
	"sync"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
	"github.com/leakbench/leakbench/internal/memprofile"
)

// responseCache is Strategy.Cache: an in-memory cache of the last n
// outputs and the last n decoded sources, each kept LRU, as an image
// server keeps them. Under ResultsCopied its entries own their bytes (the
// copies codecs made); under ResultsAliased they are slices of the linear
// memory of the instances that produced them, and each entry keeps that
// instance's whole memory reachable until it is evicted (or the engine
// closes). It is goroutine-safe.
type responseCache struct {
	mu      sync.Mutex
	n       int
	seed    maphash.Seed
	outputs lru[outputKey, cachedOutput]
	sources lru[sourceKey, cachedSource]
	pins    map[int]*pinned // by instance id: the instances aliased entries reference
	bytes   uint64          // bytes of the entries' outputs and pixels
	pinned  uint64          // sum of pins' sizes
	hits    int             // requests answered from outputs
	decHits int             // requests whose decode a cached source saved

	book *memprofile.Book // Config.Memories: a closed instance the cache pins is its holder
}

// sourceKey identifies an encoded source: its hash and length.
type sourceKey struct {
	hash uint64
	size int
}

// outputKey identifies a request's output: its source and parameters.
type outputKey struct {
	src     sourceKey
	rotate  int
	width   int
	format  codecs.Format
	quality int
}

// pin is what an aliased result keeps reachable: the memory of the
// instance it is a slice of. size is 0 for a copied result. Under
// allocator v8, owner is that instance: a result travels with its pin
// (stepResult, step, the cache's entries), so whatever holds the bytes
// holds their owner, which keeps them mapped (see memView). Under
// allocator go the slice keeps its Go array by itself, and owner stays
// nil so that an aliased result keeps exactly what it did before v8
// existed.
type pin struct {
	instance int           // codecInstance.ID
	size     int64         // heldBytes of the instance when the result was read
	owner    codecInstance // allocator v8: the instance; else nil
}

// pinned counts the entries that keep one instance's memory.
type pinned struct {
	size int64
	refs int
}

// cachedOutput is one cached response.
type cachedOutput struct {
	out           []byte
	width, height int
	pin           pin
}

// cachedSource is one cached decoded source.
type cachedSource struct {
	img codecs.Image
	pin pin
}

// cacheStats is what Snapshot reports of the cache.
type cacheStats struct {
	entries, hits, decodeHits int
	bytes, pinned             uint64
}

func newResponseCache(n int) *responseCache {
	return &responseCache{n: n, seed: maphash.MakeSeed(), pins: map[int]*pinned{}}
}

// keys returns the cache keys of a prepared request.
func (c *responseCache) keys(p *plan) (outputKey, sourceKey) {
	src := sourceKey{hash: maphash.Bytes(c.seed, p.Source), size: len(p.Source)}
	return outputKey{src: src, rotate: p.Rotate, width: p.Width, format: p.Format, quality: p.quality}, src
}

// lookup returns the cached response of p, or failing that its cached
// decoded source, with its pin.
func (c *responseCache) lookup(p *plan) (out processed, hit bool, src *stepResult) {
	ok, sk := c.keys(p)
	c.mu.Lock()
	defer c.mu.Unlock()
	if o, found := c.outputs.get(ok); found {
		c.hits++
		return processed{resp: Response{ID: p.ID, Output: o.out, Format: p.Format, Width: o.width, Height: o.height}, outPin: o.pin}, true, nil
	}
	if s, found := c.sources.get(sk); found {
		c.decHits++
		return processed{}, false, &stepResult{img: s.img, pin: s.pin}
	}
	return processed{}, false, nil
}

// add caches p's response and, if it was decoded (not taken from the
// cache), its decoded source, evicting the least recently used entries
// beyond n.
func (c *responseCache) add(p *plan, r processed) {
	ok, sk := c.keys(p)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, found := c.outputs.get(ok); !found {
		o := cachedOutput{out: r.resp.Output, width: r.resp.Width, height: r.resp.Height, pin: r.outPin}
		c.hold(len(o.out), o.pin)
		for _, old := range c.outputs.put(ok, o, c.n) {
			c.release(len(old.out), old.pin)
		}
	}
	if r.decoded == nil {
		return
	}
	if _, found := c.sources.get(sk); !found {
		s := cachedSource{img: r.decoded.img, pin: r.decoded.pin}
		c.hold(len(s.img.Pix), s.pin)
		for _, old := range c.sources.put(sk, s, c.n) {
			c.release(len(old.img.Pix), old.pin)
		}
	}
}

// hold accounts for a new entry of n bytes and its pin.
func (c *responseCache) hold(n int, p pin) {
	c.bytes += uint64(n)
	if p.size == 0 {
		return
	}
	pn := c.pins[p.instance]
	if pn == nil {
		pn = &pinned{size: p.size}
		c.pins[p.instance] = pn
		c.pinned += uint64(p.size)
	}
	pn.refs++
}

// release accounts for an evicted entry.
func (c *responseCache) release(n int, p pin) {
	c.bytes -= uint64(n)
	if p.size == 0 {
		return
	}
	if pn := c.pins[p.instance]; pn != nil {
		if pn.refs--; pn.refs == 0 {
			delete(c.pins, p.instance)
			c.book.Release(p.instance, HolderCache)
			c.pinned -= uint64(pn.size)
		}
	}
}

// clear empties the cache: everything it pinned becomes garbage.
func (c *responseCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.outputs = lru[outputKey, cachedOutput]{}
	c.sources = lru[sourceKey, cachedSource]{}
	clear(c.pins)
	c.bytes, c.pinned = 0, 0
}

// stats returns the cache's figures.
func (c *responseCache) stats() cacheStats {
	if c == nil {
		return cacheStats{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return cacheStats{
		entries: c.outputs.len() + c.sources.len(), hits: c.hits, decodeHits: c.decHits,
		bytes: c.bytes, pinned: c.pinned,
	}
}

// lru is a least-recently-used map of at most a given number of entries.
// Its zero value is empty and ready; it is not goroutine-safe.
type lru[K comparable, V any] struct {
	order *list.List          // front: most recent; elements hold *lruEntry
	index map[K]*list.Element // by key
}

type lruEntry[K comparable, V any] struct {
	key K
	val V
}

func (l *lru[K, V]) len() int {
	if l.order == nil {
		return 0
	}
	return l.order.Len()
}

// get returns k's value and makes it the most recent.
func (l *lru[K, V]) get(k K) (V, bool) {
	if el, ok := l.index[k]; ok {
		l.order.MoveToFront(el)
		return el.Value.(*lruEntry[K, V]).val, true
	}
	var zero V
	return zero, false
}

// put adds k (not present) as the most recent and returns the values it
// evicted to keep at most n.
func (l *lru[K, V]) put(k K, v V, n int) (evicted []V) {
	if l.order == nil {
		l.order, l.index = list.New(), map[K]*list.Element{}
	}
	l.index[k] = l.order.PushFront(&lruEntry[K, V]{key: k, val: v})
	for l.order.Len() > n {
		el := l.order.Back()
		e := l.order.Remove(el).(*lruEntry[K, V])
		delete(l.index, e.key)
		evicted = append(evicted, e.val)
	}
	return evicted
}
