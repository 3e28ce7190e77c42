package builtin

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/leakbench/leakbench/internal/casestudy/engine"
	"github.com/leakbench/leakbench/internal/casestudy/idlegc"
	"github.com/leakbench/leakbench/internal/compare/factorial"
	"github.com/leakbench/leakbench/internal/enum"
	"github.com/leakbench/leakbench/internal/factory"
	"github.com/leakbench/leakbench/internal/results"
)

// Options are the builtin target's settings, one typed config: a preset
// (a name, resolved to the engine's Strategy as it is decoded), the
// Strategy (the four switches and the settings from the field) the
// file's keys set over the preset, and the per-operation deadline. A
// scenario writes them as top-level keys; the parent decodes them with
// factory.Decode (through Factory) and Validate once, the child decodes
// the Strategy and OpTimeout it is sent the same way.
//
// A setting is a field with a yaml tag, here or in engine.Strategy, of a
// type that decodes itself (an enum's UnmarshalText, metric.Size,
// time.Duration, an integer): adding one needs no other code for the
// scenario key, its errors or the child (see TestOptions_NewFieldNeedsNoParser).
type Options struct {
	// Preset names a published stage or a pattern from the field
	// (engine.Preset): the Strategy the other keys start from. It is a
	// label once decoded: the child is sent the Strategy it resolved to.
	Preset          Preset `yaml:"preset,omitempty" json:"preset,omitempty"`
	engine.Strategy `yaml:",inline"`
	// OpTimeout is the deadline of each codec call; 0 means none. Setting
	// it makes wasm calls interruptible (wazero's WithCloseOnContextDone),
	// which makes every codec 4-35x slower under wazero 1.12; without it a
	// runaway call is still bounded by the run's wall-clock limit.
	OpTimeout time.Duration `yaml:"op_timeout,omitempty" json:"op_timeout,omitempty"`
	// IdleGC is what the server's runtime does while it is idle: go (the
	// default: nothing, the Go runtime alone) or v8 (V8's memory reducer,
	// package idlegc, which the published curves show bringing a fixed
	// run down). The target runs it in the idle phase (target.Idler).
	IdleGC idlegc.Mode `yaml:"idle_gc,omitempty" json:"idle_gc,omitempty"`

	// Set by UnmarshalYAML: the keys the file set, in file order (nil for
	// Options built in Go), and whether those keys override the whole of
	// the preset, which then has no effect.
	keys         []string
	presetUnused bool
}

// Preset is the name of a preset: one of engine.Presets or
// engine.FieldPresets.
type Preset string

// PresetNames returns every preset a scenario may name: the published
// stages, then the patterns from the field.
func PresetNames() []string { return append(engine.Presets(), engine.FieldPresets()...) }

// UnmarshalText accepts the name of a preset; the error lists them all.
func (p *Preset) UnmarshalText(b []byte) error {
	if _, ok := engine.Preset(string(b)); !ok {
		return fmt.Errorf("unknown preset %q (allowed: %s)", b, strings.Join(PresetNames(), ", "))
	}
	*p = Preset(b)
	return nil
}

// Fields returns the keys of the builtin target's settings, in order:
// preset, the Strategy's, op_timeout, idle_gc.
func Fields() []string { return factory.Fields(reflect.TypeFor[Options]()) }

// switches are the four published causes' keys, which a file without a
// preset must all set.
var switches = []string{"topology", "lifetime", "views", "listeners"}

// strategyKeys are the keys of engine.Strategy, the settings a preset
// gives: every key but preset and the target's own (op_timeout, idle_gc).
var strategyKeys = factory.Fields(reflect.TypeFor[engine.Strategy]())

// plain is Options without its methods, for factory.Decode to fill field
// by field.
type plain Options

// UnmarshalYAML decodes the settings strictly (factory.Decode: every
// unknown key, wrong type and unknown name an error at its line and
// column) over the preset's Strategy, whatever the order of the keys.
func (o *Options) UnmarshalYAML(n *yaml.Node) error {
	var base engine.Strategy
	var p struct {
		Preset Preset `yaml:"preset"`
	}
	if n.Kind == yaml.MappingNode && n.Decode(&p) == nil {
		base, _ = engine.Preset(string(p.Preset)) // a bad name is reported below
	}
	*o = Options{Strategy: base}
	errs := factory.Decode(n, (*plain)(o))
	if n.Kind == yaml.MappingNode {
		o.keys = []string{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			o.keys = append(o.keys, n.Content[i].Value)
		}
	}
	if len(errs) > 0 {
		return joined(errs)
	}
	if o.Preset != "" {
		var without plain
		factory.Decode(n, &without) // decoded above without an error
		o.presetUnused = without.Strategy == o.Strategy && o.setAll(switches)
	}
	return nil
}

// joined is errs as one error whose Unwrap gives them back, so that
// factory.Decode keeps each one's position.
type joined []error

func (j joined) Error() string {
	s := make([]string, len(j))
	for i, e := range j {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

func (j joined) Unwrap() []error { return j }

// set reports whether the file set key; false for Options built in Go.
func (o Options) set(key string) bool { return slices.Contains(o.keys, key) }

func (o Options) setAll(keys []string) bool {
	for _, k := range keys {
		if !o.set(k) {
			return false
		}
	}
	return true
}

// strategyKeyRE finds the keys an engine error names, as "key: ".
var strategyKeyRE = regexp.MustCompile(`\b([a-z_]+): `)

// Validate reports every problem of the settings at once, each an
// *factory.OptionError naming its key: the four switches missing without
// a preset, a preset the keys override entirely, a negative deadline, and
// every error of the engine's own Strategy.Validate (a value out of range,
// each refused combination), at the first key it names that the file set
// (a combination names both of its keys; when both come from the preset,
// at the preset). It returns nil for valid settings.
func (o Options) Validate() []error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &factory.OptionError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if o.keys != nil && o.Preset == "" && !o.set("preset") {
		for _, k := range switches {
			if !o.set(k) {
				bad(k, "required when no preset is given (presets: %s)", strings.Join(PresetNames(), ", "))
			}
		}
	}
	if o.presetUnused {
		keys := slices.Clone(switches)
		for _, k := range o.keys {
			if !slices.Contains(keys, k) && slices.Contains(strategyKeys, k) {
				keys = append(keys, k)
			}
		}
		last := len(keys) - 1
		bad("preset", "preset %q conflicts with %s and %s, which override all of it: drop the preset or one of the keys",
			o.Preset, strings.Join(keys[:last], ", "), keys[last])
	}
	if o.Preset != "" {
		var p Preset
		if err := p.UnmarshalText([]byte(o.Preset)); err != nil {
			bad("preset", "%v", err)
		}
	}
	if o.OpTimeout < 0 {
		bad("op_timeout", "must not be negative, got %s", o.OpTimeout)
	}
	if !o.IdleGC.Valid() {
		bad("idle_gc", "invalid value %d (allowed: %s)", o.IdleGC, strings.Join(idlegc.Names(), ", "))
	}
	return append(errs, o.strategyErrors()...)
}

// strategyErrors is Strategy.Validate's errors, each at its key, without
// the engine's "engine: " and the key's own name in front.
func (o Options) strategyErrors() []error {
	err := o.Strategy.Validate()
	if err == nil {
		return nil
	}
	list := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	}
	keys := Fields()
	var out []error
	for _, e := range list {
		msg := strings.TrimPrefix(e.Error(), "engine: ")
		var named []string
		for _, m := range strategyKeyRE.FindAllStringSubmatch(msg, -1) {
			if slices.Contains(keys, m[1]) {
				named = append(named, m[1])
			}
		}
		var undefined *enum.Error // a switch holding a value without a name
		if errors.As(e, &undefined) && slices.Contains(keys, undefined.Kind) {
			named = append([]string{undefined.Kind}, named...)
		}
		field := ""
		for _, k := range named {
			if o.set(k) {
				field = k
				break
			}
		}
		switch {
		case field == "" && o.Preset != "" && o.set("preset"):
			field, msg = "preset", fmt.Sprintf("%q sets %s", o.Preset, msg)
		case field == "" && len(named) > 0:
			field = named[0]
		}
		if len(named) > 0 && named[0] == field {
			msg = strings.TrimPrefix(msg, field+": ")
		}
		out = append(out, &factory.OptionError{Field: field, Msg: msg})
	}
	return out
}

// Description returns the engine's description of the preset when the
// settings run it unchanged, and "" otherwise.
func (o Options) Description() string {
	if st, ok := engine.Preset(string(o.Preset)); ok && st == o.Strategy {
		d, _ := engine.PresetDescription(string(o.Preset))
		return d
	}
	return ""
}

// Wire returns the settings the child is sent: the Strategy the preset
// resolved to with the file's keys over it, and the deadline, without
// the preset (a label: sent, it would be resolved again under keys that
// already override it).
func (o Options) Wire() Options {
	return Options{Strategy: o.Strategy, OpTimeout: o.OpTimeout, IdleGC: o.IdleGC}
}

// ResultsStrategy is the settings as a run records them in its summary,
// with the resolved worker count; its String is the strategy's one text.
// The settings from the field are left out at their defaults.
func (o Options) ResultsStrategy(workers int) results.Strategy {
	return results.Strategy{Preset: string(o.Preset), Switches: o.Strategy.Switches(workers), Workers: workers}
}

// Factory is the builtin target's Factory, for a program to register
// under Name.
func Factory() factory.Factory { return factory.New(New) }

// MarshalYAML encodes the settings as the child is sent them (Wire): the
// Strategy the preset resolved to, without the preset, a label that
// would be resolved again under keys that already override it.
func (o Options) MarshalYAML() (any, error) { return plain(o.Wire()), nil }

// IdleModel is the idle model a run records in its summary: "go" or
// "v8".
func (o Options) IdleModel() string { return o.IdleGC.String() }

// CanLeak reports whether the settings retain memory across operations,
// so that a run of them can be a leaky control (expect: leak), and if
// not what to set:
//   - instances kept for more than one operation: lifetime reuse and
//     recycle (at their high-water mark), and pool, whose sync.Pool drops
//     instances at a GC without closing them, so the runtime keeps them;
//   - leaked glue views or listeners, with allocators go and v8 (which
//     releases memory only when it is unreachable): under mmap a closed
//     instance's memory is unmapped, so they hold no memory (the leak mmap
//     hides);
//   - results aliased with a cache: each cached entry keeps its whole
//     instance's linear memory alive.
//
// The topology only multiplies instances; pool_size and memory_limit
// bound them; a copied cache holds only its entries' bytes.
func (o Options) CanLeak() (bool, string) {
	st := o.Strategy
	switch {
	case st.Lifetime == engine.Reuse, st.Lifetime == engine.Recycle, st.Lifetime == engine.Pool:
		return true, ""
	case st.Allocator != engine.AllocatorMmap && (st.Views == engine.ViewsLeaked || st.Listeners == engine.ListenersLeaked):
		return true, ""
	case st.Results == engine.ResultsAliased && st.Cache > 0:
		return true, ""
	}
	return false, "set lifetime: reuse, recycle or pool, views: leaked or listeners: leaked (with allocator: go), or results: aliased with a cache"
}

// ListColumns are the settings as bench list shows them: the four
// switches, the settings from the field that are set (as the engine's
// Strategy.String writes them after the switches, "recycle_after=512";
// "-" for none) and the idle model.
func (o Options) ListColumns() (names, values []string) {
	st := o.Strategy
	four := engine.Strategy{Topology: st.Topology, Lifetime: st.Lifetime, Views: st.Views, Listeners: st.Listeners}
	field := strings.TrimSpace(strings.TrimPrefix(st.String(), four.String()))
	if field == "" {
		field = "-"
	}
	return []string{"TOPOLOGY", "LIFETIME", "VIEWS", "LISTENERS", "FIELD", "IDLE_GC"},
		[]string{st.Topology.String(), st.Lifetime.String(), st.Views.String(), st.Listeners.String(), field, o.IdleGC.String()}
}

// Causes are the four published causes as two-level switches of the
// settings, in the published order: each one's key, its fix (Low) and
// the cause (High), so that an effect in a factorial is what the cause
// costs.
func Causes() []factorial.Switch {
	return []factorial.Switch{
		{Name: "topology", Low: engine.Pipeline.String(), High: engine.PerWorker.String()},
		{Name: "lifetime", Low: engine.Fresh.String(), High: engine.Reuse.String()},
		{Name: "views", Low: engine.ViewsCleared.String(), High: engine.ViewsLeaked.String()},
		{Name: "listeners", Low: engine.ListenersRemoved.String(), High: engine.ListenersLeaked.String()},
	}
}
