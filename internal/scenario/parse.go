package scenario

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/leakbench/leakbench/internal/codecs"
	"github.com/leakbench/leakbench/internal/engine"
	"github.com/leakbench/leakbench/internal/enum"
	"github.com/leakbench/leakbench/internal/idlegc"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/target"
)

// Error is one problem in a scenario: where it is and which field it is
// about. Line and Column are 1-based and 0 when unknown (a Scenario built
// in Go, or a YAML syntax error, which has a line only).
type Error struct {
	File   string
	Line   int
	Column int
	Field  string // the YAML key, "limits[2]" for a list item; "" for the document
	Msg    string
}

// Error renders "file:line:col: field: message".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Column))
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// MaxErrors is how many problems of one scenario are kept and shown: the
// first MaxErrors in file order, then a count of the rest (Omitted), so
// that a file of megabytes of bad keys gives a screenful, not millions of
// lines.
const MaxErrors = 50

// ErrorList is the problems found in one scenario, in file order, at most
// MaxErrors of them followed, when there were more, by an *Omitted that
// counts the rest. Parse and Load return one (as error) when anything is
// wrong; errors.As finds each *Error through Unwrap.
type ErrorList []error

// Error renders one problem per line, at most MaxErrors of them, then
// "... and N more errors" for the rest.
func (l ErrorList) Error() string {
	var (
		b     strings.Builder
		shown int
		more  int
	)
	for _, e := range l {
		if o, ok := e.(*Omitted); ok {
			more += o.N
			continue
		}
		if shown == MaxErrors {
			more++
			continue
		}
		if shown > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
		shown++
	}
	if more > 0 {
		if shown > 0 {
			b.WriteByte('\n')
		}
		b.WriteString((&Omitted{N: more}).Error())
	}
	return b.String()
}

// Unwrap returns the problems, for errors.Is and errors.As.
func (l ErrorList) Unwrap() []error { return l }

// Omitted is the last item of an ErrorList that left problems out: N of
// them, after the first MaxErrors.
type Omitted struct{ N int }

// Error renders "... and N more errors".
func (o *Omitted) Error() string {
	if o.N == 1 {
		return "... and 1 more error"
	}
	return fmt.Sprintf("... and %d more errors", o.N)
}

// errorAt builds an *Error for a field, at the field's position when the
// scenario was parsed.
func (s Scenario) errorAt(field, msg string) *Error {
	p := s.pos[field]
	return &Error{File: s.File, Line: p.line, Column: p.col, Field: field, Msg: msg}
}

// Fields returns the keys a scenario file may contain, in documentation
// order.
func Fields() []string {
	return []string{
		"name", "description", "target", "options", "workload", "images", "preset",
		"topology", "lifetime", "views", "listeners",
		"recycle_after", "pool_size", "memory_limit", "allocator", "results", "cache", "malloc",
		"workers", "rounds", "in_flight", "idle", "idle_gc", "interval",
		"rss_cap", "gogc", "gomemlimit", "op_timeout", "expect", "limits",
		"exec", "setup",
	}
}

// MaxFileBytes bounds the size of a scenario file. A scenario is a few
// hundred bytes; the bound keeps a file of megabytes (of unknown keys,
// say) from costing seconds of parsing, and it is checked before the file
// is read whole.
const MaxFileBytes = 1 << 20

// Load reads and parses one scenario file from fsys. The file name is
// used in error positions.
func Load(fsys fs.FS, name string) (Scenario, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return Scenario{}, fmt.Errorf("scenario: %w", err)
	}
	defer f.Close()
	data, err := readFile(name, f)
	if err != nil {
		return Scenario{}, err
	}
	return Parse(name, data)
}

// readFile reads a scenario file, at most MaxFileBytes of it: a longer
// one is an error (an ErrorList, as Parse's) without reading the rest.
func readFile(name string, r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("scenario: %s: %w", name, err)
	}
	if len(data) > MaxFileBytes {
		return nil, ErrorList{tooBig(name)}
	}
	return data, nil
}

func tooBig(name string) *Error {
	return &Error{File: name, Msg: fmt.Sprintf("over %d bytes: not a scenario (a scenario is a few hundred bytes of YAML)", MaxFileBytes)}
}

// parser accumulates one file's scenario and its problems.
type parser struct {
	sc     Scenario
	errs   []error
	failed map[string]bool // fields whose value could not be decoded
	// walking is set while the keys are walked in file order: then only
	// the first MaxErrors problems are kept and the rest counted in
	// omitted, unformatted. The checks after the walk add a few problems
	// each at most, all kept until the list is sorted and cut.
	walking bool
	omitted int
}

func (p *parser) fail(field string, n *yaml.Node, format string, args ...any) {
	if field != "" {
		p.failed[field] = true
	}
	if p.walking && len(p.errs) >= MaxErrors {
		p.omitted++
		return
	}
	e := &Error{File: p.sc.File, Field: field, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	p.errs = append(p.errs, e)
}

var syntaxLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse decodes a scenario from YAML, applies the defaults and the preset,
// and validates it. name is the file name used in error positions; when
// the file has no name key, the scenario is named after the file's base
// name without its extension, lower-cased, spaces as dashes. Every
// problem is reported, as an ErrorList.
//
// The document is decoded into a yaml.Node tree and walked key by key
// rather than decoded into a struct with Decoder.KnownFields(true): that
// gives every unknown key, duplicate key and wrong type its own line and
// column and the list of allowed keys or values, and reports them all (the
// first MaxErrors of them, and a count of the rest). Data over
// MaxFileBytes is refused unparsed.
func Parse(name string, data []byte) (Scenario, error) {
	if len(data) > MaxFileBytes {
		return Scenario{}, ErrorList{tooBig(name)}
	}
	p := &parser{
		sc: Scenario{
			File:     name,
			Target:   DefaultTarget,
			Workload: DefaultWorkload,
			Rounds:   DefaultRounds,
			InFlight: DefaultInFlight,
			Interval: DefaultInterval,
			pos:      map[string]position{},
		},
		failed: map[string]bool{},
	}
	root, ok := p.document(data)
	if !ok {
		return Scenario{}, ErrorList(p.errs)
	}

	var (
		preset           string
		topo             engine.Topology
		life             engine.Lifetime
		views            engine.Views
		lis              engine.Listeners
		field            []func(*engine.Strategy) // the settings from the field the file gives, applied over the preset
		fieldKeys        []string                 // their keys
		seen             = map[string]*yaml.Node{}
		allowed          = Fields()
		allowedText      = strings.Join(allowed, ", ")
		hasName, hasPres bool
		hasDesc          bool
	)
	p.walking = true
	setField := func(key string, f func(*engine.Strategy)) {
		fieldKeys, field = append(fieldKeys, key), append(field, f)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.fail("", k, "keys must be plain names (allowed: %s)", allowedText)
			continue
		}
		key := k.Value
		if first, dup := seen[key]; dup {
			p.fail(key, k, "duplicate key (first set at line %d)", first.Line)
			continue
		}
		seen[key] = k
		if !slices.Contains(allowed, key) {
			p.fail("", k, "unknown field %q (allowed: %s)", key, allowedText)
			continue
		}
		for v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		p.sc.pos[key] = position{v.Line, v.Column}
		switch key {
		case "name":
			p.sc.Name, hasName = p.str(key, v)
		case "description":
			p.sc.Description, hasDesc = p.str(key, v)
		case "exec":
			p.sc.Exec = p.command(key, v)
		case "setup":
			p.sc.Setup = p.command(key, v)
		case "target":
			if s, ok := p.str(key, v); ok {
				if !target.ValidName(s) {
					p.fail(key, v, "%q must be a target's name: lower-case letters, digits and + . _ -", s)
				} else {
					p.sc.Target = s
				}
			}
		case "options":
			if v.Kind != yaml.MappingNode {
				p.fail(key, v, "must be a mapping of the target's settings, got %s", describe(v))
			} else {
				p.sc.Options = v
			}
		case "workload":
			p.sc.Workload, _ = p.str(key, v)
		case "images":
			if s, ok := p.str(key, v); ok && s == "" {
				p.fail(key, v, "must not be empty; leave the key out to use the generated images")
			} else {
				p.sc.Images = s
			}
		case "preset":
			if s, ok := p.str(key, v); ok {
				if _, known := engine.Preset(s); !known {
					p.fail(key, v, "unknown preset %q (allowed: %s)", s, strings.Join(presetNames(), ", "))
				} else {
					preset, hasPres = s, true
				}
			}
		case "topology":
			if enumField(p, key, v, engine.ParseTopology, &topo) {
				p.sc.overrides |= overTopology
			}
		case "lifetime":
			if enumField(p, key, v, engine.ParseLifetime, &life) {
				p.sc.overrides |= overLifetime
			}
		case "views":
			if enumField(p, key, v, engine.ParseViews, &views) {
				p.sc.overrides |= overViews
			}
		case "listeners":
			if enumField(p, key, v, engine.ParseListeners, &lis) {
				p.sc.overrides |= overListeners
			}
		case "recycle_after":
			if n, ok := p.integer(key, v, "a positive integer"); ok {
				setField(key, func(st *engine.Strategy) { st.RecycleAfter = n })
			}
		case "pool_size":
			if n, ok := p.integer(key, v, "a positive integer"); ok {
				setField(key, func(st *engine.Strategy) { st.PoolSize = n })
			}
		case "memory_limit":
			if n, ok := p.size(key, v); ok {
				setField(key, func(st *engine.Strategy) { st.MemoryLimit = n })
			}
		case "allocator":
			var a engine.Allocator
			if enumField(p, key, v, engine.ParseAllocator, &a) {
				setField(key, func(st *engine.Strategy) { st.Allocator = a })
			}
		case "malloc":
			var m codecs.Malloc
			if enumField(p, key, v, codecs.ParseMalloc, &m) {
				setField(key, func(st *engine.Strategy) { st.Malloc = m })
			}
		case "results":
			var r engine.Results
			if enumField(p, key, v, engine.ParseResults, &r) {
				setField(key, func(st *engine.Strategy) { st.Results = r })
			}
		case "cache":
			if n, ok := p.integer(key, v, "a number of entries"); ok {
				setField(key, func(st *engine.Strategy) { st.Cache = n })
			}
		case "workers":
			if v.Kind == yaml.ScalarNode && v.Tag == "!!str" {
				if v.Value != "auto" {
					p.fail(key, v, "must be a positive integer or \"auto\", got %s", describe(v))
				}
				p.sc.Workers = 0
			} else if n, ok := p.integer(key, v, `a positive integer or "auto"`); ok {
				if n < 1 {
					p.fail(key, v, "must be a positive integer or \"auto\", got %d", n)
				}
				p.sc.Workers = n
			}
		case "rounds":
			p.sc.Rounds, _ = p.integer(key, v, "an integer")
		case "in_flight":
			p.sc.InFlight, _ = p.integer(key, v, "an integer")
		case "idle":
			p.sc.Idle, _ = p.duration(key, v)
		case "idle_gc":
			enumField(p, key, v, idlegc.ParseMode, &p.sc.IdleGC)
		case "interval":
			p.sc.Interval, _ = p.duration(key, v)
		case "op_timeout":
			p.sc.OpTimeout, _ = p.duration(key, v)
		case "rss_cap":
			p.sc.RSSCap, _ = p.size(key, v)
		case "gomemlimit":
			p.sc.GOMEMLIMIT, _ = p.size(key, v)
		case "gogc":
			if v.Kind == yaml.ScalarNode && v.Value == "off" && (v.Tag == "!!str" || v.Tag == "!!bool") {
				p.sc.GOGC = GOGCOff
			} else if n, ok := p.integer(key, v, `a positive percentage or "off"`); ok {
				if n < 1 {
					p.fail(key, v, "must be a positive percentage or \"off\", got %d", n)
				}
				p.sc.GOGC = n
			}
		case "expect":
			enumField(p, key, v, metric.ParseExpect, &p.sc.Expect)
		case "limits":
			p.limits(key, v)
		}
	}

	p.checkExec(seen)
	p.walking = false

	// The builtin target's settings are top-level keys; another target's
	// go under options. An exec scenario runs neither (checkExec).
	builtin := p.sc.Builtin() && seen["exec"] == nil
	switch k, hasOptions := seen["options"]; {
	case seen["exec"] != nil:
	case !builtin:
		for _, key := range BuiltinFields() {
			if k, ok := seen[key]; ok {
				p.fail(key, k, "applies to the builtin target only; the settings of target %q go under options:", p.sc.Target)
			}
		}
	case hasOptions && !p.failed["options"]:
		p.fail("options", k, "the builtin target takes its settings as top-level keys (%s), not options", strings.Join(BuiltinFields(), ", "))
	}

	// The strategy: the preset, then the file's switches over it.
	if hasPres {
		p.sc.Preset = preset
		p.sc.Strategy, _ = engine.Preset(preset)
	} else if builtin && !p.failed["preset"] {
		for _, f := range []struct {
			bit  uint8
			name string
		}{{overTopology, "topology"}, {overLifetime, "lifetime"}, {overViews, "views"}, {overListeners, "listeners"}} {
			if p.sc.overrides&f.bit == 0 && !p.failed[f.name] {
				p.fail(f.name, root, "required when no preset is given (presets: %s)", strings.Join(presetNames(), ", "))
			}
		}
	}
	override := func(st *engine.Strategy) {
		if p.sc.overrides&overTopology != 0 {
			st.Topology = topo
		}
		if p.sc.overrides&overLifetime != 0 {
			st.Lifetime = life
		}
		if p.sc.overrides&overViews != 0 {
			st.Views = views
		}
		if p.sc.overrides&overListeners != 0 {
			st.Listeners = lis
		}
		for _, f := range field {
			f(st)
		}
	}
	override(&p.sc.Strategy)
	if hasPres {
		// A preset that the file's keys override entirely has no effect.
		var without engine.Strategy
		override(&without)
		if p.sc.overrides == overAll && without == p.sc.Strategy {
			keys := append([]string{"topology", "lifetime", "views", "listeners"}, fieldKeys...)
			last := len(keys) - 1
			p.errs = append(p.errs, p.sc.errorAt("preset", fmt.Sprintf(
				"preset %q conflicts with %s and %s, which override all of it: drop the preset or one of the keys",
				preset, strings.Join(keys[:last], ", "), keys[last])))
			p.failed["preset"] = true
		}
	}
	// A file that runs a preset as it is describes it as the engine does,
	// unless it says otherwise.
	if ps, ok := engine.Preset(preset); hasPres && ok && !hasDesc && !p.failed["description"] && ps == p.sc.Strategy {
		p.sc.Description, _ = engine.PresetDescription(preset)
	}
	if !hasName && !p.failed["name"] {
		base := path.Base(strings.ReplaceAll(name, `\`, "/"))
		p.sc.Name = strings.ToLower(strings.ReplaceAll(strings.TrimSuffix(base, path.Ext(base)), " ", "-"))
		p.sc.pos["name"] = position{root.Line, root.Column}
	}

	// Range and consistency checks, skipping fields already reported.
	for _, err := range p.sc.Validate() {
		var e *Error
		if errors.As(err, &e) && p.failed[e.Field] {
			continue
		}
		p.errs = append(p.errs, err)
	}
	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b error) int {
			var ea, eb *Error
			errors.As(a, &ea)
			errors.As(b, &eb)
			if ea == nil || eb == nil {
				return 0
			}
			return cmp.Or(cmp.Compare(ea.Line, eb.Line), cmp.Compare(ea.Column, eb.Column))
		})
		// Every problem the walk left out comes after the ones it kept, so
		// the first MaxErrors of the sorted list are the file's first.
		if len(p.errs) > MaxErrors {
			p.omitted += len(p.errs) - MaxErrors
			p.errs = p.errs[:MaxErrors]
		}
		if p.omitted > 0 {
			p.errs = append(p.errs, &Omitted{N: p.omitted})
		}
		return Scenario{}, ErrorList(p.errs)
	}
	return p.sc, nil
}

// document decodes the single YAML document and returns its top-level
// mapping.
func (p *parser) document(data []byte) (*yaml.Node, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.fail("", nil, "empty scenario: want a mapping with at least a preset or the four switches")
			return nil, false
		}
		e := &Error{File: p.sc.File, Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
		if m := syntaxLineRE.FindStringSubmatch(err.Error()); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
			e.Msg = "invalid YAML: " + m[2]
		}
		p.errs = append(p.errs, e)
		return nil, false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		e := &Error{File: p.sc.File, Msg: "only one YAML document is allowed per scenario file"}
		if err == nil {
			e.Line, e.Column = extra.Line, extra.Column
		}
		p.errs = append(p.errs, e)
		return nil, false
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		p.fail("", root, "a scenario must be a mapping of keys (%s), got %s", strings.Join(Fields(), ", "), describe(root))
		return nil, false
	}
	return root, true
}

// describe names a node's type and value for error messages.
func describe(n *yaml.Node) string {
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

func (p *parser) str(field string, n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		p.fail(field, n, "must be a string, got %s", describe(n))
		return "", false
	}
	return n.Value, true
}

// enumField reads a string into *dst with parse, the type's own parser
// (an internal/enum Set's Parse), and reports whether it did; an unknown
// name is reported with the names parse allows.
func enumField[T any](p *parser, field string, n *yaml.Node, parse func(string) (T, error), dst *T) bool {
	s, ok := p.str(field, n)
	if !ok {
		return false
	}
	v, err := parse(s)
	if err != nil {
		var e *enum.Error
		if errors.As(err, &e) {
			p.fail(field, n, "unknown value %q (allowed: %s)", s, strings.Join(e.Allowed, ", "))
		} else {
			p.fail(field, n, "%v", err)
		}
		return false
	}
	*dst = v
	return true
}

func (p *parser) integer(field string, n *yaml.Node, want string) (int, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		p.fail(field, n, "must be %s, got %s", want, describe(n))
		return 0, false
	}
	var v int
	if err := n.Decode(&v); err != nil {
		p.fail(field, n, "must be %s, got %s", want, describe(n))
		return 0, false
	}
	return v, true
}

func (p *parser) duration(field string, n *yaml.Node) (time.Duration, bool) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" && n.Value == "0" {
		return 0, true
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		p.fail(field, n, "must be a duration with a unit such as \"30s\" or \"100ms\", got %s", describe(n))
		return 0, false
	}
	d, err := time.ParseDuration(n.Value)
	if err != nil {
		p.fail(field, n, "invalid duration %q: want a number and a unit (ns, us, ms, s, m, h) such as \"30s\" or \"1m30s\"", n.Value)
		return 0, false
	}
	if d < 0 {
		p.fail(field, n, "must not be negative, got %s", n.Value)
		return 0, false
	}
	return d, true
}

func (p *parser) size(field string, n *yaml.Node) (uint64, bool) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" && n.Value == "0" {
		return 0, true
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		p.fail(field, n, "must be a size with a unit such as \"4GiB\" or \"512MB\" (units: %s), got %s", strings.Join(metric.SizeUnits(), ", "), describe(n))
		return 0, false
	}
	b, err := metric.ParseSize(n.Value)
	if err != nil {
		p.fail(field, n, "%v", err)
		return 0, false
	}
	return b, true
}

func (p *parser) limits(field string, n *yaml.Node) {
	if n.Kind != yaml.SequenceNode {
		p.fail(field, n, "must be a list of \"<metric> <op> <value>\" strings such as \"retained < 50MiB\", got %s", describe(n))
		return
	}
	for i, item := range n.Content {
		f := fmt.Sprintf("%s[%d]", field, i)
		p.sc.pos[f] = position{item.Line, item.Column}
		s, ok := p.str(f, item)
		if !ok {
			continue
		}
		l, err := metric.ParseLimit(s)
		if err != nil {
			p.fail(f, item, "%v", err)
			continue
		}
		p.sc.Limits = append(p.sc.Limits, l)
	}
}
