package target

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Factory builds one kind of target from a scenario's options. NewFactory
// makes one from a function of the target's own options type; the parent
// checks a scenario's options with Check before any child starts, and the
// child builds the target with New from the same options.
type Factory struct {
	decode func(options *yaml.Node) (any, []error)
	build  func(ctx context.Context, cfg Config, opts any) (Target, error)
}

// Validator is implemented by an options type that checks its values
// beyond their types (a range, a combination). Check and New call it after
// decoding.
type Validator interface {
	Validate() error
}

// NewFactory returns the Factory of the targets f builds. The options of
// a scenario (its options: mapping) are decoded strictly into a new O:
// every key must name a field of O (by its yaml tag, or its lower-cased
// name), every value must fit its field's type, and if O (or *O) is a
// Validator its Validate must pass. A scenario without options gives f
// the zero O. A target without options uses struct{}.
func NewFactory[O any](f func(ctx context.Context, cfg Config, opts O) (Target, error)) Factory {
	return Factory{
		decode: func(n *yaml.Node) (any, []error) {
			var o O
			if n != nil {
				if errs := decodeStrict(n, reflect.ValueOf(&o).Elem(), ""); len(errs) > 0 {
					return o, errs
				}
			}
			if err := validate(&o); err != nil {
				e := &OptionError{Msg: err.Error()}
				if n != nil {
					e.Line, e.Column = n.Line, n.Column
				}
				return o, []error{e}
			}
			return o, nil
		},
		build: func(ctx context.Context, cfg Config, opts any) (Target, error) {
			return f(ctx, cfg, opts.(O))
		},
	}
}

// validate calls Validate on *o or o when their type has it.
func validate(p any) error {
	if v, ok := p.(Validator); ok {
		return v.Validate()
	}
	if v, ok := reflect.ValueOf(p).Elem().Interface().(Validator); ok {
		return v.Validate()
	}
	return nil
}

// Check decodes a scenario's options (a YAML node; nil when the scenario
// has none) as New would, and returns every problem found, each an
// *OptionError with its line and column. It builds nothing.
func (f Factory) Check(options *yaml.Node) []error {
	if f.decode == nil {
		return []error{errors.New("not a factory made by NewFactory")}
	}
	_, errs := f.decode(options)
	return errs
}

// New builds a target from options, the YAML text of a scenario's options
// mapping ("" for none), with cfg. The options were checked in the parent;
// an error here is one the options' text can't have had there, or the
// factory's own.
func (f Factory) New(ctx context.Context, cfg Config, options string) (Target, error) {
	if f.decode == nil {
		return nil, errors.New("not a factory made by NewFactory")
	}
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
	opts, errs := f.decode(node)
	if len(errs) > 0 {
		return nil, fmt.Errorf("options: %w", errors.Join(errs...))
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
