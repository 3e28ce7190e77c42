package target

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

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
	typeErrLineRE       = regexp.MustCompile(`^line \d+: `)
)

// decodeStrict decodes n into v: structs key by key, so that an unknown or
// duplicate key and a value of the wrong type each get their own position
// and the allowed keys; everything else (numbers, strings, durations,
// types with their own unmarshalers, maps) through yaml's own Decode.
// yaml.v3's Decoder.KnownFields would reject unknown keys too, but with a
// line only, one error at a time, and never for a yaml.Node.
func decodeStrict(n *yaml.Node, v reflect.Value, path string) []error {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	fail := func(format string, args ...any) []error {
		return []error{&OptionError{Line: n.Line, Column: n.Column, Field: path, Msg: fmt.Sprintf(format, args...)}}
	}
	t := v.Type()
	custom := reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType)
	switch {
	case !custom && t.Kind() == reflect.Struct:
		return decodeStruct(n, v, path)
	case !custom && t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct:
		if n.Tag == "!!null" {
			return nil
		}
		p := reflect.New(t.Elem())
		errs := decodeStrict(n, p.Elem(), path)
		v.Set(p)
		return errs
	case !custom && t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		var errs []error
		for i, item := range n.Content {
			errs = append(errs, decodeStrict(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
		v.Set(s)
		return errs
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) && len(te.Errors) > 0 {
			return fail("%s", typeErrLineRE.ReplaceAllString(te.Errors[0], ""))
		}
		return fail("%v", err)
	}
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
			Msg: fmt.Sprintf("must be a mapping of keys (%s), got %s", allowed, describe(n))}}
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
	if path == "" {
		return key
	}
	return path + "." + key
}

// describe names a node's type and value for error messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	switch n.Tag {
	case "!!null":
		return "nothing (null)"
	case "!!str":
		return strconv.Quote(n.Value)
	}
	return n.Tag + " " + n.Value
}
