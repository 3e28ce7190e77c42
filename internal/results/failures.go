package results

import (
	"cmp"
	"slices"
)

// ErrorClass says why a request failed, from its error's errors.Is chain:
// the child classifies each failed request (package failure) and the
// summary counts them by class, so that corrupt input, input over a
// limit and a guest out of memory are told apart.
type ErrorClass string

// The classes of request errors.
const (
	ClassCorrupt     ErrorClass = "corrupt"       // the input is corrupt or not a supported format (target.ErrCorrupt)
	ClassLimit       ErrorClass = "limit"         // an input, an image or a buffer is over a limit (target.ErrLimit)
	ClassOutOfMemory ErrorClass = "out-of-memory" // the guest's malloc failed at its memory limit (target.ErrOutOfMemory)
	ClassInvalid     ErrorClass = "invalid"       // an argument out of range (target.ErrInvalid)
	ClassTrap        ErrorClass = "trap"          // the guest trapped (target.ErrTrap)
	ClassTimeout     ErrorClass = "timeout"       // a deadline passed (context.DeadlineExceeded)
	ClassCanceled    ErrorClass = "canceled"      // the run was stopped (context.Canceled)
	ClassUnreadable  ErrorClass = "unreadable"    // the source file could not be opened or read
	ClassOther       ErrorClass = "other"         // anything else
)

// OpLoad is the operation (Event.Codec) of a request that failed because
// its source was rejected when the workload was loaded, before the child
// started: its header is unreadable, it is over the input limit, or it
// can't be read. Such requests never reach the target.
const OpLoad = "load"

// MaxFailureMessages is how many failed requests SourceFailures keeps per
// file; the rest are counted only.
const MaxFailureMessages = 3

// SourceFailures is the failed requests of one source file.
type SourceFailures struct {
	Source  string             `json:"source"`  // the file's path
	Failed  int                `json:"failed"`  // its requests that failed
	Classes map[ErrorClass]int `json:"classes"` // Failed by class
	// First is its first MaxFailureMessages failed requests, in the
	// order they failed.
	First []RequestFailure `json:"first"`
}

// RequestFailure is one failed request: which, in which operation, why.
type RequestFailure struct {
	Request int        `json:"request"`
	Op      string     `json:"op,omitempty"` // the operation that failed, "" when the target did not say
	Class   ErrorClass `json:"class"`
	Err     string     `json:"err"` // the error as the target (and the codec) gave it
}

// Unfinished is a request that had started and not finished when the run
// ended: the request in progress when a run was killed (time limit, RSS
// cap, a crash).
type Unfinished struct {
	Request int    `json:"request"`
	Round   int    `json:"round,omitempty"`
	Source  string `json:"source,omitempty"` // the file's path
	// Op is the operation that had started and not finished (an op_start
	// without its op event), "" when the target reports no starts or
	// was between operations.
	Op string `json:"op,omitempty"`
	// Seconds is how long it had been running when the run ended, at
	// least: from its request_start event to the end of the run (or to
	// the child's last event when the end is unknown).
	Seconds float64 `json:"seconds"`
}

// SkippedFile is a file of the user's images directory that the run did
// not use, and why ("not a PNG or JPEG image", "a directory").
type SkippedFile struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// failures derives the failure figures of a summary from the events:
// failed requests by class and by source file, and the requests still
// running at end (Unix nanoseconds; 0 means the last event's time).
func failures(events []Event, end int64) (map[ErrorClass]int, []SourceFailures, []Unfinished) {
	var (
		classes  map[ErrorClass]int
		bySource []SourceFailures
		index    = map[string]int{}
		started  = map[int]*Event{} // request id -> its request_start, while running
		opStart  = map[int]*Event{} // request id -> its op_start, while that op runs
		last     int64
	)
	for i := range events {
		ev := &events[i]
		last = max(last, ev.Time)
		switch ev.Kind {
		case EventRequestStart:
			started[ev.Request] = ev
		case EventOpStart:
			opStart[ev.Request] = ev
		case EventOp:
			if s, ok := opStart[ev.Request]; ok && s.Codec == ev.Codec {
				delete(opStart, ev.Request)
			}
		case EventRequest:
			delete(started, ev.Request)
			delete(opStart, ev.Request)
			if ev.Err == "" {
				continue
			}
			class := cmp.Or(ev.Class, ClassOther)
			if classes == nil {
				classes = map[ErrorClass]int{}
			}
			classes[class]++
			j, ok := index[ev.Source]
			if !ok {
				j = len(bySource)
				index[ev.Source] = j
				bySource = append(bySource, SourceFailures{Source: ev.Source, Classes: map[ErrorClass]int{}})
			}
			f := &bySource[j]
			f.Failed++
			f.Classes[class]++
			if len(f.First) < MaxFailureMessages {
				f.First = append(f.First, RequestFailure{Request: ev.Request, Op: ev.Codec, Class: class, Err: ev.Err})
			}
		}
	}
	if end <= 0 {
		end = last
	}
	var unfinished []Unfinished
	for id, s := range started {
		u := Unfinished{Request: id, Round: s.Round, Source: s.Source, Seconds: max(0, float64(end-s.Time)/1e9)}
		if op, ok := opStart[id]; ok {
			u.Op = op.Codec
		}
		unfinished = append(unfinished, u)
	}
	slices.SortFunc(unfinished, func(a, b Unfinished) int { return cmp.Compare(a.Request, b.Request) })
	return classes, bySource, unfinished
}
