package factory

import (
	"github.com/leakbench/leakbench/harness/target"

	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Factory builds one kind of target from a scenario's options. New
// makes one from a function of the target's own options type; the parent
// checks a scenario's options with Decode before any child starts, and the
// child decodes the same options with DecodeText, reports them, and builds
// the target with Build.
type Factory struct {
	decode func(options *yaml.Node) (any, []error)
	build  func(ctx context.Context, cfg target.Config, opts any) (target.Target, error)
	keys   []string
}

// New returns the Factory of the targets f builds. The options of
// a scenario (its options: mapping) are decoded strictly into a new O
// with Decode: every key must name a field of O (by its yaml tag, or its
// lower-cased name), every value must fit its field's type, and if O (or
// *O) is a target.Validator its Validate must pass. A scenario without options
// gives f the zero O. A target without options uses struct{}.
//
// It panics if O or *O has a Validate method that is not target.Validator's
// (Validate() error, say), which would otherwise never run: a mistake of
// the program, not of its input.
func New[O any](f func(ctx context.Context, cfg target.Config, opts O) (target.Target, error)) Factory {
	for _, t := range []reflect.Type{reflect.TypeFor[O](), reflect.TypeFor[*O]()} {
		if m, ok := t.MethodByName("Validate"); ok && !t.Implements(reflect.TypeFor[target.Validator]()) {
			panic(fmt.Sprintf("target: %v has Validate %v; an options type's Validate must be Validate() []error", t, m.Type))
		}
	}
	return Factory{
		keys: Fields(reflect.TypeFor[O]()),
		decode: func(n *yaml.Node) (any, []error) {
			var o O
			if n != nil {
				if errs := Decode(n, &o); len(errs) > 0 {
					return o, errs
				}
			}
			return o, place(n, validate(&o))
		},
		build: func(ctx context.Context, cfg target.Config, opts any) (target.Target, error) {
			o, ok := opts.(O)
			if !ok {
				return nil, fmt.Errorf("options of type %T, want %T", opts, o)
			}
			return f(ctx, cfg, o)
		},
	}
}

// validate calls Validate on *o or o when their type has it.
func validate(p any) []error {
	if v, ok := p.(target.Validator); ok {
		return v.Validate()
	}
	if v, ok := reflect.ValueOf(p).Elem().Interface().(target.Validator); ok {
		return v.Validate()
	}
	return nil
}

// keyPrefixRE finds the key a Validate error's message begins with.
var keyPrefixRE = regexp.MustCompile(`^([a-z][a-z0-9_]*): `)

// place returns Validate's errors as *OptionErrors at the key each names
// (the value's line and column in n), or at n when the key is not in it.
func place(n *yaml.Node, errs []error) []error {
	out := make([]error, 0, len(errs))
	for _, err := range errs {
		if err == nil {
			continue
		}
		var oe *OptionError
		if !errors.As(err, &oe) {
			oe = &OptionError{Msg: err.Error()}
			if m := keyPrefixRE.FindStringSubmatch(oe.Msg); m != nil && valueOf(n, m[1]) != nil {
				oe.Field, oe.Msg = m[1], strings.TrimPrefix(oe.Msg, m[0])
			}
		}
		e := *oe
		if e.Line == 0 {
			at := valueOf(n, e.Field)
			if at == nil {
				at = n
			}
			if at != nil {
				e.Line, e.Column = at.Line, at.Column
			}
		}
		out = append(out, &e)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// valueOf returns the value of the key path ("cache.size") in the mapping
// n, or nil.
func valueOf(n *yaml.Node, path string) *yaml.Node {
	if n == nil || path == "" {
		return nil
	}
	key, rest, _ := strings.Cut(path, ".")
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			if rest == "" {
				return n.Content[i+1]
			}
			return valueOf(n.Content[i+1], rest)
		}
	}
	return nil
}

// Keys returns the keys of the options, in the order of their fields
// (Fields of the factory's options type).
func (f Factory) Keys() []string { return slices.Clone(f.keys) }

// Decode decodes and validates options as New does and returns the
// options value (the factory's O) with every problem found. It builds
// nothing.
func (f Factory) Decode(options *yaml.Node) (any, []error) {
	if f.decode == nil {
		return nil, []error{errors.New("not a factory made by factory.New")}
	}
	return f.decode(options)
}

// DecodeText decodes and validates options given as YAML text ("" for
// none), as the child receives them, and returns the options value (the
// factory's O): the settings the target will run with.
func (f Factory) DecodeText(options string) (any, error) {
	var node *yaml.Node
	if strings.TrimSpace(options) != "" {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(options), &doc); err != nil {
			return nil, fmt.Errorf("options: %w", err)
		}
		node = &doc
		if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
			node = doc.Content[0]
		}
	}
	opts, errs := f.Decode(node)
	if len(errs) > 0 {
		return nil, fmt.Errorf("options: %w", errors.Join(errs...))
	}
	return opts, nil
}

// Build builds a target from opts, a value Decode or DecodeText returned.
func (f Factory) Build(ctx context.Context, cfg target.Config, opts any) (target.Target, error) {
	if f.build == nil {
		return nil, errors.New("not a factory made by factory.New")
	}
	t, err := f.build(ctx, cfg, opts)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, errors.New("the factory returned no target and no error")
	}
	return t, nil
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9+._-]*$`)

// ValidName reports whether s can name a target: lower-case letters,
// digits and + . _ -, starting with a letter or digit.
func ValidName(s string) bool { return nameRE.MatchString(s) }

// Targets is a set of factories by name, the targets a program can run.
type Targets map[string]Factory

// List returns the names, sorted, joined by ", "; "none" for no targets.
func (t Targets) List() string {
	if len(t) == 0 {
		return "none"
	}
	return strings.Join(t.Names(), ", ")
}

// Names returns the names, sorted.
func (t Targets) Names() []string {
	names := make([]string, 0, len(t))
	for n := range t {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
