package engine

import (
	"fmt"
	"strings"
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

var (
	topologyNames  = []string{PerWorker: "per-worker", Pipeline: "pipeline"}
	lifetimeNames  = []string{Reuse: "reuse", Fresh: "fresh"}
	viewsNames     = []string{ViewsLeaked: "leaked", ViewsCleared: "cleared"}
	listenersNames = []string{ListenersLeaked: "leaked", ListenersRemoved: "removed"}
)

// String returns "per-worker" or "pipeline".
func (t Topology) String() string { return enumString(topologyNames, uint8(t), "Topology") }

// String returns "reuse" or "fresh".
func (l Lifetime) String() string { return enumString(lifetimeNames, uint8(l), "Lifetime") }

// String returns "leaked" or "cleared".
func (v Views) String() string { return enumString(viewsNames, uint8(v), "Views") }

// String returns "leaked" or "removed".
func (l Listeners) String() string { return enumString(listenersNames, uint8(l), "Listeners") }

// ParseTopology returns the Topology named s: "per-worker" or "pipeline".
func ParseTopology(s string) (Topology, error) {
	v, err := parseEnum(topologyNames, s, "topology")
	return Topology(v), err
}

// ParseLifetime returns the Lifetime named s: "reuse" or "fresh".
func ParseLifetime(s string) (Lifetime, error) {
	v, err := parseEnum(lifetimeNames, s, "lifetime")
	return Lifetime(v), err
}

// ParseViews returns the Views named s: "leaked" or "cleared".
func ParseViews(s string) (Views, error) {
	v, err := parseEnum(viewsNames, s, "views")
	return Views(v), err
}

// ParseListeners returns the Listeners named s: "leaked" or "removed".
func ParseListeners(s string) (Listeners, error) {
	v, err := parseEnum(listenersNames, s, "listeners")
	return Listeners(v), err
}

// MarshalText implements encoding.TextMarshaler; an undefined value is an
// error.
func (t Topology) MarshalText() ([]byte, error) {
	return marshalEnum(topologyNames, uint8(t), "topology")
}

// MarshalText implements encoding.TextMarshaler; an undefined value is an
// error.
func (l Lifetime) MarshalText() ([]byte, error) {
	return marshalEnum(lifetimeNames, uint8(l), "lifetime")
}

// MarshalText implements encoding.TextMarshaler; an undefined value is an
// error.
func (v Views) MarshalText() ([]byte, error) { return marshalEnum(viewsNames, uint8(v), "views") }

// MarshalText implements encoding.TextMarshaler; an undefined value is an
// error.
func (l Listeners) MarshalText() ([]byte, error) {
	return marshalEnum(listenersNames, uint8(l), "listeners")
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseTopology;
// the error lists the allowed values.
func (t *Topology) UnmarshalText(b []byte) error {
	v, err := ParseTopology(string(b))
	if err == nil {
		*t = v
	}
	return err
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseLifetime;
// the error lists the allowed values.
func (l *Lifetime) UnmarshalText(b []byte) error {
	v, err := ParseLifetime(string(b))
	if err == nil {
		*l = v
	}
	return err
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseViews; the
// error lists the allowed values.
func (v *Views) UnmarshalText(b []byte) error {
	x, err := ParseViews(string(b))
	if err == nil {
		*v = x
	}
	return err
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseListeners;
// the error lists the allowed values.
func (l *Listeners) UnmarshalText(b []byte) error {
	v, err := ParseListeners(string(b))
	if err == nil {
		*l = v
	}
	return err
}

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
	case int(s.Topology) >= len(topologyNames):
		return fmt.Errorf("engine: invalid topology %d (allowed: %s)", s.Topology, strings.Join(topologyNames, ", "))
	case int(s.Lifetime) >= len(lifetimeNames):
		return fmt.Errorf("engine: invalid lifetime %d (allowed: %s)", s.Lifetime, strings.Join(lifetimeNames, ", "))
	case int(s.Views) >= len(viewsNames):
		return fmt.Errorf("engine: invalid views %d (allowed: %s)", s.Views, strings.Join(viewsNames, ", "))
	case int(s.Listeners) >= len(listenersNames):
		return fmt.Errorf("engine: invalid listeners %d (allowed: %s)", s.Listeners, strings.Join(listenersNames, ", "))
	}
	return nil
}

func enumString(names []string, v uint8, typ string) string {
	if int(v) < len(names) {
		return names[v]
	}
	return fmt.Sprintf("%s(%d)", typ, v)
}

func marshalEnum(names []string, v uint8, what string) ([]byte, error) {
	if int(v) >= len(names) {
		return nil, fmt.Errorf("engine: invalid %s %d (allowed: %s)", what, v, strings.Join(names, ", "))
	}
	return []byte(names[v]), nil
}

func parseEnum(names []string, s, what string) (uint8, error) {
	for i, n := range names {
		if s == n {
			return uint8(i), nil
		}
	}
	return 0, fmt.Errorf("engine: unknown %s %q (allowed: %s)", what, s, strings.Join(names, ", "))
}
