package engine

// The holders of this engine's memory after an instance is closed: the
// names its Snapshot's Held and its linear memory profile give them
// (beside the profile's "live"; see target.HolderLive).
const (
	// HolderViews is a closed instance kept by a wasm-bindgen-style glue
	// view of its memory (views: leaked; cause 3).
	HolderViews = "views"
	// HolderListeners is a closed instance kept by an emscripten-style
	// process-global listener (listeners: leaked; cause 4).
	HolderListeners = "listeners"
	// HolderPool is an instance a sync.Pool dropped at a GC without
	// closing it (lifetime pool): only wazero's store references it, whole
	// linear memory and all, until the engine closes. Its refs count the
	// instances.
	HolderPool = "pool"
	// HolderCache is what the response cache keeps: under results aliased
	// the whole linear memory of every closed instance a cached entry is a
	// slice of (counted once per instance), under results copied the
	// entries' bytes. Its refs count the entries.
	HolderCache = "cache"
)
