package codecs

import (
	"errors"

	"github.com/leakbench/leakbench/harness/target"
)

// Errors returned by this package. Each error names the problem in its
// text and wraps one of these (errors.Is); some wrap two (a guest out of
// memory is both ErrOutOfMemory and ErrLimit). ErrTrap, ErrLimit,
// ErrCorrupt, ErrInvalid and ErrOutOfMemory are also the harness's
// failure class of the same name (errors.Is(err, target.ErrTrap) holds
// for every ErrTrap), so that a failed request is classed by them
// (package failure) while its text stays this package's.
var (
	// ErrClosed: the Instance or Library is closed, by Close or because a
	// trap or a context deadline closed it.
	ErrClosed = errors.New("codecs: closed")
	// ErrWrongOp: a method of another operation was called on an Instance.
	ErrWrongOp = errors.New("codecs: wrong operation for this instance")
	// ErrTrap: the guest trapped (or the host hit an internal error while
	// calling it); the instance has been closed.
	ErrTrap = alsoIs(errors.New("codecs: wasm trap"), target.ErrTrap)
	// ErrLimit: an input, an image or the guest's memory exceeds a Limit;
	// the text carries the numbers.
	ErrLimit = alsoIs(errors.New("codecs: limit exceeded"), target.ErrLimit)
	// ErrCorrupt: the input is corrupt or in an unsupported format; the text
	// carries the module's (or the header parser's) own message.
	ErrCorrupt = alsoIs(errors.New("codecs: corrupt or unsupported input"), target.ErrCorrupt)
	// ErrInvalid: an argument is out of range (width, degrees, level,
	// quality, an Image whose Pix doesn't match its size, unknown names).
	ErrInvalid = alsoIs(errors.New("codecs: invalid argument"), target.ErrInvalid)
	// ErrOutOfMemory: the guest's malloc failed (linear memory reached
	// Limits.MaxMemoryBytes); such errors also wrap ErrLimit.
	ErrOutOfMemory = alsoIs(errors.New("codecs: out of memory"), target.ErrOutOfMemory)
	// ErrBadModule: a wasm module doesn't follow the C ABI (missing export,
	// wrong ABI version, result out of bounds or of the wrong size).
	ErrBadModule = errors.New("codecs: bad wasm module")
	// ErrUnavailable: the operation's module is not embedded (yet); such
	// errors also wrap fs.ErrNotExist. See Library.Has.
	ErrUnavailable = errors.New("codecs: module not available")
)

// kindError adds one more sentinel to an error's errors.Is chain without
// changing its text.
type kindError struct {
	err  error
	kind error
}

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.err, e.kind} }
func alsoIs(err, kind error) error   { return &kindError{err: err, kind: kind} }
