package driver

import (
	"os"
	"sync"

	"github.com/leakbench/leakbench/internal/results"
)

// HolderInjected names, in the child's snapshots (results.Event.Held), the
// memory the leak injector retains: a holder of its own beside the
// target's, so that a run's figures say how much of what it kept was put
// there on purpose.
const HolderInjected = "injected"

// injector is the calibration's known leak (Spec.InjectLeak): after every
// request, whatever the target, it allocates PerRequest bytes, writes one
// byte in each page of them so that the kernel backs them with real
// pages (a fresh allocation of zeroed memory is only mapped, and RSS
// would not see it), and keeps them until the process exits. It is a
// deliberate leak, the only state here that grows without bound; it lives
// in the child's state, not in a global. The zero PerRequest injects
// nothing.
type injector struct {
	perRequest uint64

	mu    sync.Mutex
	kept  [][]byte
	bytes uint64
}

// newInjector returns the injector of perRequest bytes per request.
func newInjector(perRequest uint64) *injector { return &injector{perRequest: perRequest} }

// leak retains one request's bytes.
func (in *injector) leak() {
	if in == nil || in.perRequest == 0 {
		return
	}
	b := make([]byte, in.perRequest)
	page := os.Getpagesize()
	for i := 0; i < len(b); i += page {
		b[i] = 1
	}
	in.mu.Lock()
	in.kept = append(in.kept, b)
	in.bytes += uint64(len(b))
	in.mu.Unlock()
}

// holding is what the injector retains so far: bytes and allocations.
func (in *injector) holding() results.Holding {
	if in == nil {
		return results.Holding{}
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	return results.Holding{Bytes: in.bytes, Refs: len(in.kept)}
}

// addTo adds the injector's holding to a snapshot, as the holder
// HolderInjected; nothing when it injects nothing. It is left out of
// s.Held, and so of the leaked figures (results.Snapshot.Held,
// leaked_after_settle): the calibration measures what RSS shows of the
// leak, and a scenario limit on the target's own leaked memory must not
// see it.
func (in *injector) addTo(held *map[string]results.Holding) {
	if in == nil || in.perRequest == 0 {
		return
	}
	h := in.holding()
	if *held == nil {
		*held = map[string]results.Holding{}
	}
	sum := (*held)[HolderInjected]
	(*held)[HolderInjected] = results.Holding{Bytes: sum.Bytes + h.Bytes, Refs: sum.Refs + h.Refs}
}
