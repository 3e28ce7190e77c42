package engine

// The engine's part of the linear memory profile (Config.Memories): the
// Book lists every instance from its instantiation (memprofile.Callers at
// worker.instantiate, held live, resized in worker.account, still live
// while idle in a pool) to the moment nothing holds its memory. After
// discard closes it, the holders are those the Snapshot counts, decided
// in the same order: the glue's view (ViewsLeaked: views, until the glue
// moves on, bindgenGlue.release), a listener (ListenersLeaked:
// listeners, for good), an aliased cache entry (cache, until its last
// entry is evicted, responseCache.release); under allocator mmap a closed
// instance holds no memory. A Pool instance a sync.Pool dropped is held
// by the pool (poolDropped). An instance both a view and a cache entry
// keep is listed under views and leaves the book with the view. Not
// listed: an instance closed before its aliased result was cached
// (lifetime fresh closes it before the request ends), whose memory the
// cache then keeps; the Snapshot's cache figure counts it.

// memoryClosed moves in, just closed by w, to the holder that keeps its
// memory, or out of the book: views is whether w's glue counted it
// (bindgenGlue.instanceClosed).
func (e *Engine) memoryClosed(w *worker, in *instance, views bool) {
	b := e.cfg.Memories
	if b == nil {
		return
	}
	id := in.inst.ID()
	switch {
	case e.alloc != nil: // unmapped at Close: dead views and listeners hold nothing
		b.Release(id, "")
	case views:
		b.Hold(id, HolderViews, w.glue[in.op].retained)
	case in.em != nil:
		b.Hold(id, HolderListeners, heldBytes(in.em.heap))
	case e.cache.aliases(id):
		b.Hold(id, HolderCache, 0)
	default:
		b.Release(id, "")
	}
}

// aliases reports whether an aliased cache entry keeps instance id's memory.
func (c *responseCache) aliases(id int) bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pins[id] != nil
}
