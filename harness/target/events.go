package target

import (
	"context"
	"time"
)

// Recorder receives a target's events: every operation it ran and every
// instance it created and closed. The child's Recorder writes them to the
// run's event stream, where they give the summary its per-operation
// latencies and instance counts. Its methods are goroutine-safe and cheap
// (they hand the event over and return), so a target may call them from
// any goroutine, while it holds a lock.
type Recorder interface {
	// Op reports one finished operation.
	Op(Op)
	// InstanceCreated reports a new instance.
	InstanceCreated(Instance)
	// InstanceClosed reports a closed instance, with Close's error.
	InstanceClosed(Instance, error)
}

// Op is one operation a target ran for a request: a codec call, a guest
// function, a step of its pipeline. Fields that do not apply are zero.
type Op struct {
	Name     string        // what ran ("decode"); latencies are summarised per name
	Request  int           // the Request.ID it served
	Worker   int           // the target's worker that ran it, from 1
	Instance int           // the Instance.ID it ran in
	End      time.Time     // when it ended; zero means when it is reported
	Duration time.Duration // how long it ran
	BytesIn  int           // input size, as the target counts it
	BytesOut int           // output size
	Memory   uint64        // the instance's linear memory after the operation, bytes
	Err      error         // the operation's error
}

// Instance identifies one wasm instance (or whatever unit of memory the
// target creates and closes) at one step of its life.
type Instance struct {
	ID     int       // unique in the target, from 1
	Name   string    // what it instantiates ("decode")
	Worker int       // the worker it belongs to, from 1; 0 if none
	Memory uint64    // its linear memory at this step, bytes
	Time   time.Time // when; zero means when it is reported
}

// OpStarter is implemented by a Recorder that also takes the start of
// each operation, as the harness's does. Targets call StartOp rather than
// asserting it.
type OpStarter interface {
	// OpStarted reports an operation that begins: its Name, Request,
	// Worker and Instance (End, Duration, BytesOut and Err are zero).
	OpStarted(Op)
}

// GC is a collection a target started itself, such as one its allocator
// starts for external-memory pressure, as V8 does, or one its model of
// the idle server makes (Idler).
type GC struct {
	N        int           // which of the target's collections of its kind, from 1
	Start    time.Time     // when it started
	Duration time.Duration // how long it took
	// Memory is, for a pressure collection, the memory whose growth
	// started it; for an idle one, the memory it freed. Bytes.
	Memory uint64
	// Idle says the collection was made by the target's Idle (an
	// idle_gc event), not for memory pressure (an external_gc event).
	Idle bool
}

// Idler is implemented by a target that models what its runtime does
// while the server is idle, such as the builtin target's model of V8's
// memory reducer: the child calls Idle for the idle phase instead of
// waiting out its duration. Idle must return after d, or once ctx is
// done, with ctx's error; it reports each collection it makes with
// ReportGC and GC.Idle set.
type Idler interface {
	Idle(ctx context.Context, d time.Duration) error
}

// GCReporter is implemented by a Recorder that also takes the
// collections a target starts, as the harness's does (an external_gc
// event, marked on the plots). Targets call ReportGC rather than
// asserting it.
type GCReporter interface {
	// GC reports one collection the target started.
	GC(GC)
}

// ReportGC reports g to rec when rec takes collections (GCReporter), and
// does nothing otherwise.
func ReportGC(rec Recorder, g GC) {
	if r, ok := rec.(GCReporter); ok {
		r.GC(g)
	}
}

// StartOp reports to rec that op begins, when rec takes starts
// (OpStarter), and does nothing otherwise. The harness records it as an
// op_start event, so that an operation still running when the run is
// killed (at its time limit, say) is named in the summary with its
// request and file. Report the end as always, with Recorder.Op.
func StartOp(rec Recorder, op Op) {
	if s, ok := rec.(OpStarter); ok {
		s.OpStarted(op)
	}
}
