// Package enum turns small integer enumerations into text and back, the one
// way every enum of leakbench does it: a Set of names indexed by value, from
// which a type's String, Parse, MarshalText and UnmarshalText are one line
// each.
//
// An enum type declares its values as constants and its names once:
//
//	type Lifetime uint8
//
//	const (
//		Reuse Lifetime = iota
//		Fresh
//	)
//
//	var lifetimes = enum.New[Lifetime]("lifetime", "reuse", "fresh")
//
//	func (l Lifetime) String() string                { return lifetimes.String(l) }
//	func (l Lifetime) MarshalText() ([]byte, error)  { return lifetimes.Marshal(l) }
//	func (l *Lifetime) UnmarshalText(b []byte) error { return lifetimes.Unmarshal(b, l) }
//
// The package owns nothing else: which values exist and what they mean
// stay with the type.
package enum

import (
	"fmt"
	"strconv"
	"strings"
)

// Set is the names of the values of an enum type T, indexed by value. The
// empty name marks a value that has none (an invalid zero, say). A Set is
// immutable once built; its methods are safe for concurrent use.
type Set[T ~uint8] struct {
	kind    string
	names   []string
	aliases map[string]T
}

// New returns the Set of kind (the enum's name in messages, "lifetime")
// whose value i is called names[i]. An empty name leaves that value
// unnamed: it does not parse and does not marshal.
func New[T ~uint8](kind string, names ...string) Set[T] {
	return Set[T]{kind: kind, names: names}
}

// WithAlias returns a copy of s that also parses alias as v ("jpg" for
// jpeg). String and Marshal still give v's own name.
func (s Set[T]) WithAlias(alias string, v T) Set[T] {
	a := make(map[string]T, len(s.aliases)+1)
	for k, x := range s.aliases {
		a[k] = x
	}
	a[alias] = v
	s.aliases = a
	return s
}

// Valid reports whether v is a named value.
func (s Set[T]) Valid(v T) bool { return int(v) < len(s.names) && s.names[v] != "" }

// String returns v's name, or for a value without one the type's name and
// the number, as stringer does: "Lifetime(9)".
func (s Set[T]) String(v T) string {
	if s.Valid(v) {
		return s.names[v]
	}
	typ := fmt.Sprintf("%T", v)
	if i := strings.LastIndexByte(typ, '.'); i >= 0 {
		typ = typ[i+1:]
	}
	return typ + "(" + strconv.Itoa(int(v)) + ")"
}

// Names returns the names of the named values, in value order.
func (s Set[T]) Names() []string {
	out := make([]string, 0, len(s.names))
	for _, n := range s.names {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// Values returns the named values, in order.
func (s Set[T]) Values() []T {
	out := make([]T, 0, len(s.names))
	for i, n := range s.names {
		if n != "" {
			out = append(out, T(i))
		}
	}
	return out
}

// Allowed returns the names joined for a message: "reuse, fresh".
func (s Set[T]) Allowed() string { return strings.Join(s.Names(), ", ") }

// Parse returns the value named name (or aliased by it). Its error is an
// *Error that lists the allowed names.
func (s Set[T]) Parse(name string) (T, error) {
	for i, n := range s.names {
		if n != "" && n == name {
			return T(i), nil
		}
	}
	if v, ok := s.aliases[name]; ok {
		return v, nil
	}
	return 0, &Error{Kind: s.kind, Value: name, Allowed: s.Names()}
}

// Marshal implements a type's MarshalText: its name, or an *Error for a
// value without one.
func (s Set[T]) Marshal(v T) ([]byte, error) {
	if !s.Valid(v) {
		return nil, &Error{Kind: s.kind, Value: strconv.Itoa(int(v)), Allowed: s.Names(), invalid: true}
	}
	return []byte(s.names[v]), nil
}

// Unmarshal implements a type's UnmarshalText with Parse; *v is left
// unchanged on error.
func (s Set[T]) Unmarshal(b []byte, v *T) error {
	x, err := s.Parse(string(b))
	if err == nil {
		*v = x
	}
	return err
}

// Error is an unknown name (or, from Marshal, a value without a name).
type Error struct {
	Kind    string   // the enum: "lifetime"
	Value   string   // what was given
	Allowed []string // the names that would have parsed

	invalid bool // a value without a name, from Marshal
}

// Unknown returns the name given and the names allowed, for a decoder
// that words the error itself (at a key that already names the enum:
// `lifetime: unknown value "forever" (allowed: reuse, fresh)`); ok is
// false for a value without a name, from Marshal.
func (e *Error) Unknown() (value string, allowed []string, ok bool) {
	return e.Value, e.Allowed, !e.invalid
}

// Error reads `unknown lifetime "forever" (allowed: reuse, fresh)`, or for
// a value without a name `invalid lifetime 7 (allowed: reuse, fresh)`.
func (e *Error) Error() string {
	if e.invalid {
		return fmt.Sprintf("invalid %s %s (allowed: %s)", e.Kind, e.Value, strings.Join(e.Allowed, ", "))
	}
	return fmt.Sprintf("unknown %s %q (allowed: %s)", e.Kind, e.Value, strings.Join(e.Allowed, ", "))
}
