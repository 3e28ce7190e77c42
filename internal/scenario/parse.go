package scenario

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/leakbench/leakbench/internal/factory"
	"github.com/leakbench/leakbench/internal/metric"
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

// MaxFileBytes bounds the size of a scenario file. A scenario is a few
// hundred bytes; the bound keeps a file of megabytes (of unknown keys,
// say) from costing seconds of parsing, and it is checked before the file
// is read whole.
const MaxFileBytes = 1 << 20

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
	// hasName and hasDesc say whether the file set name and description.
	hasName, hasDesc bool
	// cat is the program's catalog the scenario is read against.
	cat Catalog
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

// Parse reads a scenario against the zero Catalog: every key and value
// is checked, but no target is registered, so a target's settings are
// left undecoded (see Catalog.Parse).
func Parse(name string, data []byte) (Scenario, error) { return Catalog{}.Parse(name, data) }

// Parse decodes a scenario from YAML, applies the defaults, and
// validates it. name is the file name used in error positions; when the
// file has no name key, the scenario is named after the file's base name
// without its extension, lower-cased, spaces as dashes. Every problem is
// reported, as an ErrorList.
//
// The document is decoded into a yaml.Node tree and its keys walked in
// file order: every unknown key and duplicate key gets its own line and
// column and the list of allowed keys, and all are reported (the first
// MaxErrors of them, and a count of the rest). The scenario's own values
// are decoded with factory.Decode, the decoder of every target's options.
// The scenario's target must be one of the catalog's, and its settings
// (its options: mapping, or the default target's top-level keys,
// gathered into one mapping) are decoded and validated once by its
// Factory, every problem reported with the file's own (factory.OptionError's,
// at "options.<key>" or at the top-level key), in one pass. Data over
// MaxFileBytes is refused unparsed.
func (c Catalog) Parse(name string, data []byte) (Scenario, error) { return c.parse(name, data, "") }

// parse is Parse of a file in the directory dir, when it is one (Find):
// its images directory is resolved against dir and checked
// (CheckImages), its problem reported with the file's others.
func (c Catalog) parse(name string, data []byte, dir string) (Scenario, error) {
	if len(data) > MaxFileBytes {
		return Scenario{}, ErrorList{tooBig(name)}
	}
	p := &parser{
		cat: c,
		sc: Scenario{
			File:     name,
			Target:   c.Default,
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
		seen        = map[string]*yaml.Node{}
		allowed     = c.Fields()
		allowedText = strings.Join(allowed, ", ")
		defaultKeys = c.defaultKeys()
		settings    = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: root.Line, Column: root.Column} // the default target's keys
	)
	p.walking = true
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
		if slices.Contains(defaultKeys, key) {
			settings.Content = append(settings.Content, k, v)
			continue
		}
		p.set(key, v)
	}

	p.checkExec(seen)
	if dir != "" && p.sc.Images != "" {
		p.sc.Images = resolvePath(dir, p.sc.Images)
		if err := p.sc.CheckImages(); err != nil {
			p.errs = append(p.errs, err)
			p.failed["images"] = true
		}
	}
	p.walking = false

	// The default target's settings are top-level keys; another target's
	// go under options. An exec scenario runs neither (checkExec).
	p.sc.defaultRun = p.sc.Target == c.Default && c.Default != "" && seen["exec"] == nil
	switch k, hasOptions := seen["options"]; {
	case seen["exec"] != nil:
	case p.sc.Target == "":
		p.fail("target", root, "required: the target this scenario runs (registered: %s), or exec: a program", c.Targets.List())
	case !p.sc.defaultRun:
		for _, key := range defaultKeys {
			if k, ok := seen[key]; ok {
				p.fail(key, k, "applies to the default target %s only; the settings of target %q go under options:", c.Default, p.sc.Target)
			}
		}
		if f, ok := p.factory(); ok && !p.failed["options"] {
			v, errs := f.Decode(p.sc.Options)
			for _, err := range errs {
				p.targetError("options", err)
			}
			if len(errs) == 0 {
				p.sc.Settings = v
			}
		}
	default:
		if hasOptions && !p.failed["options"] {
			p.fail("options", k, "the default target %s takes its settings as top-level keys (%s), not options", c.Default, strings.Join(defaultKeys, ", "))
		}
		p.defaultSettings(settings)
	}
	if !p.hasName && !p.failed["name"] {
		base := path.Base(strings.ReplaceAll(name, `\`, "/"))
		p.sc.Name = strings.ToLower(strings.ReplaceAll(strings.TrimSuffix(base, path.Ext(base)), " ", "-"))
		p.sc.pos["name"] = position{root.Line, root.Column}
	}

	// Range and consistency checks, skipping fields already reported.
	for _, err := range p.sc.validate() {
		var e *Error
		if errors.As(err, &e) && p.failed[e.Field] {
			continue
		}
		p.errs = append(p.errs, err)
	}
	return p.result()
}

// result returns the scenario, or its problems sorted in file order and
// cut at MaxErrors.
func (p *parser) result() (Scenario, error) {
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

// set reads the value of one of the scenario's own keys (not the
// default target's, which Parse gathers for its Factory).
func (p *parser) set(key string, v *yaml.Node) {
	switch key {
	case "name":
		p.sc.Name, p.hasName = p.str(key, v)
	case "description":
		p.sc.Description, p.hasDesc = p.str(key, v)
	case "exec":
		p.sc.Exec = p.command(key, v)
	case "setup":
		p.sc.Setup = p.command(key, v)
	case "target":
		if s, ok := p.str(key, v); ok {
			if !factory.ValidName(s) {
				p.fail(key, v, "%q must be a target's name: lower-case letters, digits and + . _ -", s)
			} else {
				p.sc.Target = s
			}
		}
	case "options":
		if v.Kind != yaml.MappingNode {
			p.fail(key, v, "must be a mapping of the target's settings, got %s", factory.Describe(v))
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
	case "workers":
		p.sc.Workers, _ = p.positiveOr(key, v, "a positive integer", "auto", 0)
	case "rounds":
		decodeValue(p, key, v, &p.sc.Rounds)
	case "in_flight":
		decodeValue(p, key, v, &p.sc.InFlight)
	case "idle":
		decodeValue(p, key, v, &p.sc.Idle)
	case "interval":
		decodeValue(p, key, v, &p.sc.Interval)
	case "rss_cap":
		var b metric.Size
		if decodeValue(p, key, v, &b) {
			p.sc.RSSCap = uint64(b)
		}
	case "gomemlimit":
		var b metric.Size
		if decodeValue(p, key, v, &b) {
			p.sc.GOMEMLIMIT = uint64(b)
		}
	case "gogc":
		p.sc.GOGC, _ = p.positiveOr(key, v, "a positive percentage", "off", GOGCOff)
	case "expect":
		decodeValue(p, key, v, &p.sc.Expect)
	case "limits":
		p.limits(key, v)
	case "inject_leak":
		var b metric.Size
		if decodeValue(p, key, v, &b) {
			p.sc.InjectLeak = uint64(b)
		}
	}
}

// describer is implemented by settings that describe themselves (a
// preset run as it is): the description of a file without its own.
type describer interface {
	Description() string
}

// defaultSettings decodes and validates the default target's top-level
// keys, once, with its Factory, and sets the scenario's Settings and its
// Options, the settings encoded as the child is sent them (not decoded
// again: they are what was just decoded). A file without a description
// takes the settings' own (describer), if any.
func (p *parser) defaultSettings(settings *yaml.Node) {
	f, ok := p.factory()
	if !ok {
		return
	}
	v, errs := f.Decode(settings)
	for _, err := range errs {
		p.targetError("", err)
	}
	if len(errs) > 0 {
		return
	}
	node, err := encodeSettings(v)
	if err != nil {
		p.fail("", settings, "%v", err)
		return
	}
	p.sc.Options, p.sc.Settings = node, v
	if d, ok := v.(describer); ok && !p.hasDesc && !p.failed["description"] {
		p.sc.Description = d.Description()
	}
}

// factory returns the Factory of the scenario's target. A target the
// program does not have is an error at the target key; without targets
// (the zero Catalog) a target is checked for its spelling only.
func (p *parser) factory() (factory.Factory, bool) {
	if p.cat.Targets == nil {
		return factory.Factory{}, false
	}
	f, ok := p.cat.Targets[p.sc.Target]
	if !ok && !p.failed["target"] {
		e := p.sc.errorAt("target", fmt.Sprintf("target %q is not registered in this program (registered: %s)", p.sc.Target, p.cat.Targets.List()))
		p.errs = append(p.errs, e)
		p.failed["target"] = true
	}
	return f, ok
}

// targetError records a problem a target's Factory found in its settings
// (a *factory.OptionError, at its key's line and column) as the scenario's,
// its field under under ("options" for an options: mapping, whose own
// position it takes when the error has none).
func (p *parser) targetError(under string, err error) {
	var oe *factory.OptionError
	if !errors.As(err, &oe) {
		oe = &factory.OptionError{Msg: err.Error()}
	}
	e := p.sc.errorAt(under, oe.Msg)
	if oe.Field != "" {
		e.Field = oe.Field
		if under != "" {
			e.Field = under + "." + oe.Field
		}
		p.failed[e.Field] = true
	}
	if oe.Line > 0 {
		e.Line, e.Column = oe.Line, oe.Column
	}
	p.errs = append(p.errs, e)
}

// document decodes the single YAML document and returns its top-level
// mapping.
func (p *parser) document(data []byte) (*yaml.Node, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.fail("", nil, "empty scenario: want a mapping of keys (%s)", strings.Join(p.cat.Fields(), ", "))
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
		p.fail("", root, "a scenario must be a mapping of keys (%s), got %s", strings.Join(p.cat.Fields(), ", "), factory.Describe(root))
		return nil, false
	}
	return root, true
}

func (p *parser) str(field string, n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		p.fail(field, n, "must be a string, got %s", factory.Describe(n))
		return "", false
	}
	return n.Value, true
}

// integer reads an integer whose message, when it is not one, says what
// the key wants (want).
func (p *parser) integer(field string, n *yaml.Node, want string) (int, bool) {
	var v int
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || len(factory.Decode(n, &v)) > 0 {
		p.fail(field, n, "must be %s, got %s", want, factory.Describe(n))
		return 0, false
	}
	return v, true
}

// positiveOr reads a positive integer (what), or word, which stands for
// special: "auto" workers, gogc "off" (which YAML 1.1 reads as a boolean
// too).
func (p *parser) positiveOr(key string, v *yaml.Node, what, word string, special int) (int, bool) {
	if v.Kind == yaml.ScalarNode && v.Value == word && (v.Tag == "!!str" || v.Tag == "!!bool") {
		return special, true
	}
	n, ok := p.integer(key, v, fmt.Sprintf("%s or %q", what, word))
	if ok && n < 1 {
		p.fail(key, v, "must be %s or %q, got %d", what, word, n)
		return n, false
	}
	return n, ok
}

// decodeValue decodes the value of key into *v with factory.Decode, the
// decoder of every target's settings (integers, durations, sizes, enums
// by their UnmarshalText), and reports whether it did.
func decodeValue[T any](p *parser, key string, n *yaml.Node, v *T) bool {
	errs := factory.Decode(n, v)
	for _, err := range errs {
		msg := err.Error()
		var oe *factory.OptionError
		if errors.As(err, &oe) {
			msg = oe.Msg
		}
		p.fail(key, n, "%s", msg)
	}
	return len(errs) == 0
}

func (p *parser) limits(field string, n *yaml.Node) {
	if n.Kind != yaml.SequenceNode {
		p.fail(field, n, "must be a list of \"<metric> <op> <value>\" strings such as \"retained < 50MiB\", got %s", factory.Describe(n))
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
