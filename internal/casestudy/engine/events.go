package engine

import (
	"fmt"
	"time"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
)

// EventKind says what an Event reports.
type EventKind uint8

// The kinds of event.
const (
	InstanceCreated EventKind = iota // a codec instance was instantiated
	InstanceClosed                   // a codec instance was closed
	OpDone                           // a codec operation finished, well or not
	// InstanceDropped: a sync.Pool (lifetime pool) dropped an idle
	// instance at a GC without closing it; it stays in the runtime, live,
	// until the engine closes (an InstanceClosed follows then).
	InstanceDropped
	// OpStarted: a codec operation is about to be called (Op, Worker,
	// Instance, Request); its OpDone follows when it returns.
	OpStarted
	// ExternalGC: allocator v8 started a collection because the linear
	// memory committed outside the Go heap grew past V8's external-memory
	// limit (package backingstore). Time is its start, Duration how long
	// runtime.GC took, Memory the committed bytes that triggered it, GC
	// its number from 1. It comes from the collection's goroutine once
	// runtime.GC has returned.
	ExternalGC
)

// String returns "instance_created", "instance_closed", "op",
// "instance_dropped", "op_start" or "external_gc", the spelling of the
// results event stream.
func (k EventKind) String() string {
	switch k {
	case InstanceCreated:
		return "instance_created"
	case InstanceClosed:
		return "instance_closed"
	case OpDone:
		return "op"
	case InstanceDropped:
		return "instance_dropped"
	case OpStarted:
		return "op_start"
	case ExternalGC:
		return "external_gc"
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event reports one instance lifecycle step or one operation. Fields that
// do not apply to a kind are zero. InstanceDropped events come from the
// Go runtime's cleanup goroutine.
type Event struct {
	Kind     EventKind
	Time     time.Time     // when it happened (for OpDone: when the op ended)
	Op       codecs.Op     // the codec
	Worker   int           // worker index, from 1; pipeline workers are numbered by Op+1
	Instance int           // codecs.Instance.ID
	Request  int           // Request.ID (OpDone and OpStarted only)
	Memory   uint64        // the instance's linear memory after the event, bytes
	Duration time.Duration // OpDone: the codec call's duration; ExternalGC: the collection's
	GC       int           // ExternalGC: which of the allocator's collections, from 1
	BytesIn  int           // OpDone: encoded input (decode) or input pixels
	BytesOut int           // OpDone: output pixels or encoded output (encoders)
	Err      error         // OpDone: the op's error; InstanceClosed: Close's error
}

// emit sends ev to Config.Events, if set.
func (e *Engine) emit(ev Event) {
	if e.cfg.Events != nil {
		e.cfg.Events(ev)
	}
}
