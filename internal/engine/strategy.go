package engine

import (
	"fmt"

	"github.com/leakbench/leakbench/internal/enum"
)

// Topology says how requests meet workers: the first published cause.
type Topology uint8

// The topologies.
const (
	// PerWorker runs each whole request (decode, rotate, resize, encode) in
	// whichever of Config.Workers workers is idle, and every worker
	// instantiates each codec it meets: up to Workers×6 instances.
	PerWorker Topology = iota
	// Pipeline has one worker per operation type and routes each step of
	// a request to its operation's worker: at most 6 instances.
	Pipeline
)

// Lifetime says how long an instance lives: the second published cause.
type Lifetime uint8

// The lifetimes.
const (
	// Reuse creates an instance once per codec and worker and keeps it
	// forever, so its linear memory stays at its high-water mark.
	Reuse Lifetime = iota
	// Fresh creates a new instance for every operation and closes it right
	// after.
	Fresh
)

// Views says what wasm-bindgen-style glue does with its module-level
// references after an operation: the third published cause.
type Views uint8

// The view policies.
const (
	// ViewsLeaked keeps the glue's references to the last instance and to
	// a view of its whole memory until the worker next instantiates that
	// codec: one dead instance per bindgen module per worker.
	ViewsLeaked Views = iota
	// ViewsCleared drops them after every operation (the published
	// cleanup()).
	ViewsCleared
)

// Listeners says whether emscripten-style glue registers a process-global
// listener capturing the instance at every instantiation: the fourth
// published cause.
type Listeners uint8

// The listener policies.
const (
	// ListenersLeaked registers a listener per instantiation and never
	// removes it: with Fresh, every instance ever created stays reachable.
	ListenersLeaked Listeners = iota
	// ListenersRemoved registers nothing.
	ListenersRemoved
)

// The switches' names, as scenario files and results spell them.
var (
	topologies    = enum.New[Topology]("topology", "per-worker", "pipeline")
	lifetimes     = enum.New[Lifetime]("lifetime", "reuse", "fresh")
	viewPolicies  = enum.New[Views]("views", "leaked", "cleared")
	listenerKinds = enum.New[Listeners]("listeners", "leaked", "removed")
)

// String returns "per-worker" or "pipeline".
func (t Topology) String() string { return topologies.String(t) }

// String returns "reuse" or "fresh".
func (l Lifetime) String() string { return lifetimes.String(l) }

// String returns "leaked" or "cleared".
func (v Views) String() string { return viewPolicies.String(v) }

// String returns "leaked" or "removed".
func (l Listeners) String() string { return listenerKinds.String(l) }

// ParseTopology returns the Topology named s: "per-worker" or "pipeline".
func ParseTopology(s string) (Topology, error) { return topologies.Parse(s) }

// ParseLifetime returns the Lifetime named s: "reuse" or "fresh".
func ParseLifetime(s string) (Lifetime, error) { return lifetimes.Parse(s) }

// ParseViews returns the Views named s: "leaked" or "cleared".
func ParseViews(s string) (Views, error) { return viewPolicies.Parse(s) }

// ParseListeners returns the Listeners named s: "leaked" or "removed".
func ParseListeners(s string) (Listeners, error) { return listenerKinds.Parse(s) }

// TopologyNames returns the topologies' names, in order.
func TopologyNames() []string { return topologies.Names() }

// LifetimeNames returns the lifetimes' names, in order.
func LifetimeNames() []string { return lifetimes.Names() }

// ViewsNames returns the view policies' names, in order.
func ViewsNames() []string { return viewPolicies.Names() }

// ListenersNames returns the listener policies' names, in order.
func ListenersNames() []string { return listenerKinds.Names() }

// MarshalText implements encoding.TextMarshaler; an undefined value is an
// error.
func (t Topology) MarshalText() ([]byte, error) { return topologies.Marshal(t) }

// MarshalText implements encoding.TextMarshaler; an undefined value is an
// error.
func (l Lifetime) MarshalText() ([]byte, error) { return lifetimes.Marshal(l) }

// MarshalText implements encoding.TextMarshaler; an undefined value is an
// error.
func (v Views) MarshalText() ([]byte, error) { return viewPolicies.Marshal(v) }

// MarshalText implements encoding.TextMarshaler; an undefined value is an
// error.
func (l Listeners) MarshalText() ([]byte, error) { return listenerKinds.Marshal(l) }

// UnmarshalText implements encoding.TextUnmarshaler with ParseTopology;
// the error lists the allowed values.
func (t *Topology) UnmarshalText(b []byte) error { return topologies.Unmarshal(b, t) }

// UnmarshalText implements encoding.TextUnmarshaler with ParseLifetime;
// the error lists the allowed values.
func (l *Lifetime) UnmarshalText(b []byte) error { return lifetimes.Unmarshal(b, l) }

// UnmarshalText implements encoding.TextUnmarshaler with ParseViews; the
// error lists the allowed values.
func (v *Views) UnmarshalText(b []byte) error { return viewPolicies.Unmarshal(b, v) }

// UnmarshalText implements encoding.TextUnmarshaler with ParseListeners;
// the error lists the allowed values.
func (l *Listeners) UnmarshalText(b []byte) error { return listenerKinds.Unmarshal(b, l) }

// Strategy is one setting of the four switches, one per published leak
// cause. The zero Strategy is the leakiest: per-worker, reuse, views and
// listeners leaked (the "before" preset).
type Strategy struct {
	Topology  Topology  `json:"topology" yaml:"topology"`
	Lifetime  Lifetime  `json:"lifetime" yaml:"lifetime"`
	Views     Views     `json:"views" yaml:"views"`
	Listeners Listeners `json:"listeners" yaml:"listeners"`
}

// String returns the four switches as
// "topology=per-worker lifetime=reuse views=leaked listeners=leaked".
func (s Strategy) String() string {
	return fmt.Sprintf("topology=%s lifetime=%s views=%s listeners=%s",
		s.Topology, s.Lifetime, s.Views, s.Listeners)
}

// validate reports the first switch holding an undefined value.
func (s Strategy) validate() error {
	switch {
	case !topologies.Valid(s.Topology):
		_, err := s.Topology.MarshalText()
		return fmt.Errorf("engine: %w", err)
	case !lifetimes.Valid(s.Lifetime):
		_, err := s.Lifetime.MarshalText()
		return fmt.Errorf("engine: %w", err)
	case !viewPolicies.Valid(s.Views):
		_, err := s.Views.MarshalText()
		return fmt.Errorf("engine: %w", err)
	case !listenerKinds.Valid(s.Listeners):
		_, err := s.Listeners.MarshalText()
		return fmt.Errorf("engine: %w", err)
	}
	return nil
}
