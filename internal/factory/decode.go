package factory

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// OptionError is one problem of a target's options, at its place in the
// scenario file (Line and Column 1-based; 0 when unknown).
type OptionError struct {
	Line, Column int
	Field        string // the key's path inside options: "keep", "cache.size", "sizes[2]"; "" for the mapping
	Msg          string
}

// Error renders "line:col: field: message".
func (e *OptionError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:%d: ", e.Line, e.Column)
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

var (
	unmarshalerType     = reflect.TypeFor[yaml.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	durationType        = reflect.TypeFor[time.Duration]()
	typeErrLineRE       = regexp.MustCompile(`^line \d+: `)
)

// Decode decodes the YAML node n strictly into *v (v a non-nil pointer)
// and returns every problem found, each an *OptionError at its line and
// column whose Field is the key's path from n. It is the one decoder of
// settings: a Factory's options, and the scenario keys that share their
// types (durations, integers), go through it.
//
// Structs are decoded key by key, so that an unknown or duplicate key and
// a value of the wrong type each get their own position and the allowed
// keys; integers and durations get messages of their own ("must be an
// integer", "must be a duration with a unit such as "30s""), and a name
// an enum's UnmarshalText refuses, the key being named already, reads
// `unknown value "x" (allowed: a, b)` (an error with an Unknown method,
// as internal/enum's); a type with
// its own UnmarshalYAML or UnmarshalText decodes itself, and an
// UnmarshalYAML that returns *OptionErrors (joined, as from Decode) keeps
// their positions; everything else goes through yaml's own Decode.
// yaml.v3's Decoder.KnownFields would reject unknown keys too, but with a
// line only, one error at a time, and never for a yaml.Node.
func Decode(n *yaml.Node, v any) []error {
	p := reflect.ValueOf(v)
	if p.Kind() != reflect.Pointer || p.IsNil() {
		return []error{fmt.Errorf("target: Decode into %T, want a non-nil pointer", v)}
	}
	return decodeStrict(n, p.Elem(), "")
}

func decodeStrict(n *yaml.Node, v reflect.Value, path string) []error {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	fail := func(format string, args ...any) []error {
		return []error{&OptionError{Line: n.Line, Column: n.Column, Field: path, Msg: fmt.Sprintf(format, args...)}}
	}
	t := v.Type()
	pt := reflect.PointerTo(t)
	switch {
	case pt.Implements(unmarshalerType):
		return unmarshalYAML(n, v.Addr().Interface().(yaml.Unmarshaler), path)
	case pt.Implements(textUnmarshalerType) && (n.Kind != yaml.ScalarNode || n.Tag == "!!null"):
		return fail("must be a string, got %s", Describe(n))
	case pt.Implements(textUnmarshalerType):
	case t == durationType:
		return decodeDuration(n, v, fail)
	case t.Kind() == reflect.Struct:
		return decodeStruct(n, v, path)
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct:
		if n.Tag == "!!null" {
			return nil
		}
		p := reflect.New(t.Elem())
		errs := decodeStrict(n, p.Elem(), path)
		v.Set(p)
		return errs
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		var errs []error
		for i, item := range n.Content {
			errs = append(errs, decodeStrict(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
		v.Set(s)
		return errs
	case isInteger(t.Kind()) && (n.Kind != yaml.ScalarNode || n.Tag != "!!int"):
		return fail("must be an integer, got %s", Describe(n))
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		var unknown interface {
			Unknown() (value string, allowed []string, ok bool)
		}
		if errors.As(err, &unknown) {
			if value, allowed, ok := unknown.Unknown(); ok {
				return fail("unknown value %q (allowed: %s)", value, strings.Join(allowed, ", "))
			}
		}
		var te *yaml.TypeError
		if errors.As(err, &te) && len(te.Errors) > 0 {
			return fail("%s", typeErrLineRE.ReplaceAllString(te.Errors[0], ""))
		}
		return fail("%v", err)
	}
	return nil
}

// unmarshalYAML runs a type's own UnmarshalYAML: the *OptionErrors it
// returns (one, or joined) keep their positions, their fields taken as
// paths under path; any other error is placed at n.
func unmarshalYAML(n *yaml.Node, u yaml.Unmarshaler, path string) []error {
	err := u.UnmarshalYAML(n)
	if err == nil {
		return nil
	}
	list := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	}
	var errs []error
	for _, e := range list {
		var oe *OptionError
		if !errors.As(e, &oe) {
			oe = &OptionError{Line: n.Line, Column: n.Column, Msg: e.Error()}
		}
		errs = append(errs, &OptionError{Line: oe.Line, Column: oe.Column, Field: join(path, oe.Field), Msg: oe.Msg})
	}
	return errs
}

func isInteger(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// decodeDuration reads a time.Duration: a string with a unit ("30s",
// "1m30s"), or the integer 0, never negative.
func decodeDuration(n *yaml.Node, v reflect.Value, fail func(string, ...any) []error) []error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" && n.Value == "0" {
		v.SetInt(0)
		return nil
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		return fail("must be a duration with a unit such as \"30s\" or \"100ms\", got %s", Describe(n))
	}
	d, err := time.ParseDuration(n.Value)
	switch {
	case err != nil:
		return fail("invalid duration %q: want a number and a unit (ns, us, ms, s, m, h) such as \"30s\" or \"1m30s\"", n.Value)
	case d < 0:
		return fail("must not be negative, got %s", n.Value)
	}
	v.SetInt(int64(d))
	return nil
}

// decodeStruct decodes a mapping into the struct v.
func decodeStruct(n *yaml.Node, v reflect.Value, path string) []error {
	if n.Tag == "!!null" {
		return nil
	}
	fields := map[string]reflect.Value{}
	var names []string
	structFields(v, fields, &names)
	allowed := "none"
	if len(names) > 0 {
		allowed = strings.Join(names, ", ")
	}
	if n.Kind != yaml.MappingNode {
		return []error{&OptionError{Line: n.Line, Column: n.Column, Field: path,
			Msg: fmt.Sprintf("must be a mapping of keys (%s), got %s", allowed, Describe(n))}}
	}
	var errs []error
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key := k.Value
		at := func(msg string) {
			errs = append(errs, &OptionError{Line: k.Line, Column: k.Column, Field: path, Msg: msg})
		}
		if k.Kind != yaml.ScalarNode {
			at(fmt.Sprintf("keys must be plain names (allowed: %s)", allowed))
			continue
		}
		if line, dup := seen[key]; dup {
			at(fmt.Sprintf("duplicate key %q (first set at line %d)", key, line))
			continue
		}
		seen[key] = k.Line
		f, ok := fields[key]
		if !ok {
			at(fmt.Sprintf("unknown field %q (allowed: %s)", key, allowed))
			continue
		}
		errs = append(errs, decodeStrict(val, f, join(path, key))...)
	}
	return errs
}

// Fields returns the keys a mapping decoded into a value of type t (a
// struct, or a pointer to one) may hold, in the order of t's fields: the
// yaml tags' names, or the fields' names lower-cased; fields of ",inline"
// structs promoted, "-" fields skipped. A field added to t with a yaml
// tag is a key of the settings it decodes, with no other change.
func Fields(t reflect.Type) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var names []string
	structFields(reflect.New(t).Elem(), map[string]reflect.Value{}, &names)
	return names
}

// structFields collects the settable fields of struct v by the key yaml
// gives them: the tag's name, or the field's name lower-cased; fields of
// ",inline" structs are promoted, "-" fields skipped.
func structFields(v reflect.Value, into map[string]reflect.Value, names *[]string) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",inline,") && sf.Type.Kind() == reflect.Struct {
			structFields(v.Field(i), into, names)
			continue
		}
		if name == "" {
			name = strings.ToLower(sf.Name)
		}
		into[name] = v.Field(i)
		*names = append(*names, name)
	}
}

func join(path, key string) string {
	switch {
	case path == "":
		return key
	case key == "":
		return path
	}
	return path + "." + key
}

// Describe names a node's type and value for error messages: "a list",
// "a mapping", "nothing (null)", "\"text\"", "the integer 3", "the number
// 2.5", "the boolean true".
func Describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	switch n.Tag {
	case "!!null":
		return "nothing (null)"
	case "!!str":
		return strconv.Quote(n.Value)
	case "!!int":
		return "the integer " + n.Value
	case "!!float":
		return "the number " + n.Value
	case "!!bool":
		return "the boolean " + n.Value
	}
	return n.Tag + " " + strconv.Quote(n.Value)
}
