package builtin

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/leakbench/leakbench/internal/casestudy/engine"
	"github.com/leakbench/leakbench/internal/factory"
)

// node returns the mapping of text.
func node(t *testing.T, text string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}

// decode decodes text with the builtin's Factory, as the parent does.
func decode(t *testing.T, text string) (Options, string) {
	t.Helper()
	v, errs := Factory().Decode(node(t, text))
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	o, _ := v.(Options)
	return o, strings.Join(msgs, "\n")
}

func TestOptions_Decode(t *testing.T) {
	o, errs := decode(t, "topology: pipeline\nlifetime: fresh\nviews: cleared\nlisteners: removed\nop_timeout: 30s\nmemory_limit: 64MiB\n")
	want := engine.Strategy{Topology: engine.Pipeline, Lifetime: engine.Fresh, Views: engine.ViewsCleared, Listeners: engine.ListenersRemoved, MemoryLimit: 64 << 20}
	if errs != "" || o.Strategy != want || o.OpTimeout != 30*time.Second || o.Preset != "" {
		t.Errorf("the builtin's keys: %+v, %s", o, errs)
	}
	// The preset is the base whatever the keys' order; keys override it.
	o, errs = decode(t, "listeners: leaked\npreset: fixed\n")
	fixed, _ := engine.Preset("fixed")
	fixed.Listeners = engine.ListenersLeaked
	if errs != "" || o.Strategy != fixed || o.Preset != "fixed" || o.Description() != "" {
		t.Errorf("preset under a key: %+v, %s", o, errs)
	}
	if o, _ := decode(t, "preset: recycle-512\n"); o.Description() == "" || o.Strategy.RecycleAfter != 512 {
		t.Errorf("a preset as it is: %+v, description %q", o, o.Description())
	}

	_, errs = decode(t, "topology: star\npreset: fixed\nop_timeout: -1s\nkeep: 1\nmemory_limit: 384\n")
	for _, want := range []string{
		`1:11: topology: unknown value "star" (allowed: per-worker, pipeline)`,
		`3:13: op_timeout: must not be negative, got -1s`,
		`4:1: unknown field "keep" (allowed: ` + strings.Join(Fields(), ", ") + `)`,
		`5:15: memory_limit: invalid size "384": missing unit`,
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors lack %q:\n%s", want, errs)
		}
	}
}

// TestOptions_Validate: every problem at once, each at the key it is
// about, a combination at the key the file set.
func TestOptions_Validate(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"the four switches without a preset", "topology: pipeline\nviews: cleared\n",
			"1:1: lifetime: required when no preset is given (presets: before, fix1, fix1+2, fixed, pool-unclosed, pool-bounded-capped, recycle-512, mmap-fixed, aliased-cache)\n" +
				"1:1: listeners: required when no preset is given (presets: before, fix1, fix1+2, fixed, pool-unclosed, pool-bounded-capped, recycle-512, mmap-fixed, aliased-cache)"},
		{"a preset overridden entirely", "preset: fixed\ntopology: per-worker\nlifetime: reuse\nviews: leaked\nlisteners: leaked\n",
			`1:9: preset: preset "fixed" conflicts with topology, lifetime, views and listeners, which override all of it: drop the preset or one of the keys`},
		{"a combination at the key the file set", "preset: aliased-cache\nlifetime: reuse\n",
			"2:11: lifetime: results: aliased with lifetime: reuse: an aliased result stays allocated inside its instance's memory while it is referenced, so an instance that runs more operations would pile them up in its own heap; aliased needs lifetime: fresh"},
		{"two problems", "preset: fixed\nrecycle_after: 8\npool_size: 2\n",
			"2:16: recycle_after: 8 with lifetime: fresh: only lifetime recycle replaces an instance after N operations\n" +
				"3:12: pool_size: 2 with lifetime: fresh: fresh closes every instance after its one operation, so there is no set of instances to bound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, errs := decode(t, tc.yaml); errs != tc.want {
				t.Errorf("errors\n%s\nwant\n%s", errs, tc.want)
			}
		})
	}
	// Built in Go: no positions, every field named.
	fixed, _ := engine.Preset("fixed")
	fixed.Results, fixed.Lifetime = engine.ResultsAliased, engine.Reuse
	fixed.Topology = engine.Topology(9)
	var fields []string
	for _, err := range (Options{Preset: "fix9", Strategy: fixed, OpTimeout: -1}).Validate() {
		var oe *factory.OptionError
		if !errors.As(err, &oe) {
			t.Fatalf("%v is not an *OptionError", err)
		}
		fields = append(fields, oe.Field)
	}
	if got := strings.Join(fields, " "); got != "preset op_timeout topology results" {
		t.Errorf("fields %q, want the preset, the deadline, the undefined switch and the combination", got)
	}
}

// TestOptions_WireRoundTrip: what the child is sent decodes, through the
// same Factory, to the settings the parent resolved, and Validate passes
// in the child as in the parent (the preset, a label, is not sent).
func TestOptions_WireRoundTrip(t *testing.T) {
	for _, text := range []string{"preset: fixed\n", "preset: recycle-512\nlifetime: recycle\n", "preset: pool-bounded-capped\n",
		"preset: aliased-cache\nop_timeout: 2m\n", "topology: per-worker\nlifetime: reuse\nviews: leaked\nlisteners: removed\ncache: 3\n"} {
		o, errs := decode(t, text)
		if errs != "" {
			t.Fatalf("%q: %s", text, errs)
		}
		b, err := yaml.Marshal(o.Wire())
		if err != nil {
			t.Fatal(err)
		}
		v, err := Factory().DecodeText(string(b))
		if err != nil {
			t.Fatalf("%q sent as %q: %v", text, b, err)
		}
		if got := v.(Options); got.Strategy != o.Strategy || got.OpTimeout != o.OpTimeout {
			t.Errorf("%q sent as %q: the child decodes %+v, want %+v", text, b, got, o)
		}
	}
}

// withMode is the settings with one more, as another change adds one
// (allocator v8, malloc, codecs) to engine.Strategy or Options: a field
// with a yaml tag and a type that decodes itself. Options.UnmarshalYAML
// decodes its own fields with factory.Decode, as here.
type withMode struct {
	engine.Strategy `yaml:",inline"`
	Mode            engine.Views `yaml:"mode"`
}

// TestOptions_NewFieldNeedsNoParser: a setting added as a field with a
// yaml tag is a key of the settings, decoded with its type's errors at
// its position, with no other code: the keys come from the fields.
func TestOptions_NewFieldNeedsNoParser(t *testing.T) {
	want := append(factory.Fields(reflect.TypeFor[engine.Strategy]()), "mode")
	if got := factory.Fields(reflect.TypeFor[withMode]()); !slices.Equal(got, want) || want[0] != "topology" {
		t.Errorf("fields %v, want %v: the inlined strategy's, then mode", got, want)
	}
	var o withMode
	errs := factory.Decode(node(t, "topology: pipeline\nmode: cleared\n"), &o)
	if len(errs) > 0 || o.Mode != engine.ViewsCleared || o.Topology != engine.Pipeline {
		t.Errorf("decoded %+v, %v", o, errs)
	}
	errs = factory.Decode(node(t, "mode: loud\n"), &o)
	if len(errs) != 1 || errs[0].Error() != `1:7: mode: unknown value "loud" (allowed: leaked, cleared)` {
		t.Errorf("a bad value: %v", errs)
	}
	// Every field of engine.Strategy and Options is a key of the builtin's
	// settings, decoded from a scenario's top-level keys.
	for _, typ := range []reflect.Type{reflect.TypeFor[engine.Strategy](), reflect.TypeFor[Options]()} {
		for i := range typ.NumField() {
			f := typ.Field(i)
			key, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if !f.IsExported() || opts == "inline" {
				continue
			}
			if !strings.Contains(" "+strings.Join(Fields(), " ")+" ", " "+key+" ") {
				t.Errorf("%s.%s (%q) is not a key of the builtin's settings", typ.Name(), f.Name, key)
			}
		}
	}
}
