package engine

import (
	"context"
	"fmt"

	"github.com/tetratelabs/wazero/api"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
	"github.com/leakbench/leakbench/internal/enum"
)

// Codecs says which WebAssembly modules run the operations: the codec
// set, a scenario's `codecs` key.
type Codecs uint8

// The codec sets.
const (
	// CodecsEmbedded runs leakbench's own C codecs (package codecs), one
	// module per operation (the default).
	CodecsEmbedded Codecs = iota
	// CodecsSquoosh runs next@10.1.0's own squoosh modules (package
	// squoosh), read from the npm install at the engine's start, each
	// operation on the module(s) the published optimizer ran it on (see
	// squooshSet).
	CodecsSquoosh
)

var codecSets = enum.New[Codecs]("codecs", "embedded", "squoosh")

// String returns "embedded" or "squoosh".
func (c Codecs) String() string { return codecSets.String(c) }

// MarshalText implements encoding.TextMarshaler; an undefined value is an
// error.
func (c Codecs) MarshalText() ([]byte, error) { return codecSets.Marshal(c) }

// UnmarshalText implements encoding.TextUnmarshaler: an unknown name is
// an error listing the allowed values.
func (c *Codecs) UnmarshalText(b []byte) error { return codecSets.Unmarshal(b, c) }

// codecSet is where an engine's instances come from: the embedded modules
// (embeddedSet) or the squoosh ones (squooshSet). The engine's switches
// and accounting see only codecInstance, so they apply to both alike.
type codecSet interface {
	// has reports whether the set runs op.
	has(op codecs.Op) bool
	// perCall reports whether op on a source of format src (Decode; 0 for
	// the other operations) runs on a module the set instantiates for that
	// call alone, whatever the lifetime, because the original optimizer
	// did: the worker makes an instance for the step and closes it after.
	perCall(op codecs.Op, src codecs.Format) bool
	// instantiate makes an instance that runs op (on sources of format
	// src, for Decode). ctx carries the engine's memory allocator, if any.
	instantiate(ctx context.Context, op codecs.Op, src codecs.Format) (codecInstance, error)
}

// codecInstance is one instance of the codec that runs an operation: one
// module of the embedded set, or one or two of the squoosh set (its PNG
// encoder is squoosh_png and oxipng). It is used by one goroutine at a
// time, as *codecs.Instance is.
type codecInstance interface {
	// ID is the instance's number, unique in its set, from 1.
	ID() int
	// Glue is the style of the JavaScript glue its module(s) had, which
	// says which of the engine's glue leaks apply to it.
	Glue() codecs.Glue
	// MemorySize is the sum of its linear memories in bytes, as of the
	// end of its last call; after Close, as it was when it closed.
	MemorySize() uint64
	// Views are its whole linear memories, one slice per module, without
	// copying (what the glue's cachegetUint8Memory0 or HEAPU8 views): nil
	// after Close.
	Views() [][]byte
	// Memories are its modules' api.Memory objects, which allocator v8
	// adopts.
	Memories() []api.Memory
	// Closed reports whether it is closed, by Close, a trap or its
	// runtime's Close.
	Closed() bool
	// Close closes its modules.
	Close(ctx context.Context) error
	// run runs the step's operation (never its trap) on the instance.
	run(ctx context.Context, s step) (stepResult, error)
}

// trapper is an instance that can trap on purpose: the embedded set's
// lb_trap, for the engine's fault-injection tests.
type trapper interface {
	InjectTrap(ctx context.Context) error
}

// embeddedSet is the embedded codecs of a codecs.Library.
type embeddedSet struct {
	lib   *codecs.Library
	alias bool // results aliased: instances hand out slices of their memory
}

func (s embeddedSet) has(op codecs.Op) bool                 { return s.lib.Has(op) }
func (s embeddedSet) perCall(codecs.Op, codecs.Format) bool { return false }

func (s embeddedSet) instantiate(ctx context.Context, op codecs.Op, _ codecs.Format) (codecInstance, error) {
	inst, err := s.lib.Instantiate(ctx, op)
	if err != nil {
		return nil, err
	}
	inst.AliasResults(s.alias)
	return embeddedInstance{inst}, nil
}

// embeddedInstance is a *codecs.Instance as a codecInstance: one module,
// one memory, its operation's glue.
type embeddedInstance struct{ *codecs.Instance }

// Glue is the glue of the original codec the module stands for.
func (in embeddedInstance) Glue() codecs.Glue { return in.Op().Glue() }

// Views is the module's View, or nil once closed.
func (in embeddedInstance) Views() [][]byte {
	if v := in.View(); v != nil {
		return [][]byte{v}
	}
	return nil
}

// Memories is the module's api.Memory.
func (in embeddedInstance) Memories() []api.Memory { return []api.Memory{in.Memory()} }

func (in embeddedInstance) run(ctx context.Context, s step) (res stepResult, err error) {
	switch s.op {
	case codecs.Decode:
		res.img, err = in.Decode(ctx, s.src)
	case codecs.Rotate:
		res.img, err = in.Rotate(ctx, s.img, s.arg)
	case codecs.Resize:
		res.img, err = in.Resize(ctx, s.img, s.arg)
	case codecs.EncodeJPEG:
		res.out, err = in.EncodeJPEG(ctx, s.img, s.arg)
	case codecs.EncodePNG:
		res.out, err = in.EncodePNG(ctx, s.img, s.arg)
	case codecs.EncodeWebP:
		res.out, err = in.EncodeWebP(ctx, s.img, s.arg)
	default:
		err = fmt.Errorf("unknown operation %d", s.op)
	}
	return res, err
}
