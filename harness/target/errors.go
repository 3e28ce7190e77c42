package target

import "errors"

// The failure classes a target reports: an error from Do that wraps one
// of these (errors.Is, e.g. fmt.Errorf("%w: bad CRC", ErrCorrupt)) is
// counted in the summary under its class (package failure classifies it;
// the class names are package results'), so that a run tells corrupt
// input from input over a limit, a guest out of memory, a trap and a bad
// argument. An error that wraps none of them is classed by the context
// and io/fs errors it wraps, or as other. A target's own sentinels can
// wrap these to carry both names (package codecs' do).
var (
	// ErrCorrupt: the input is corrupt or in a format the target does not
	// support (class corrupt).
	ErrCorrupt = errors.New("corrupt or unsupported input")
	// ErrLimit: an input, an image or a buffer is over a limit of the
	// target (class limit).
	ErrLimit = errors.New("limit exceeded")
	// ErrOutOfMemory: the guest's allocator failed at its memory limit
	// (class out-of-memory). It is classed before ErrLimit, so an error
	// may wrap both.
	ErrOutOfMemory = errors.New("out of memory")
	// ErrTrap: the guest trapped (class trap). A deadline that caused it
	// is classed first, as a timeout.
	ErrTrap = errors.New("wasm trap")
	// ErrInvalid: an argument of the request is out of range (class
	// invalid).
	ErrInvalid = errors.New("invalid argument")
)
