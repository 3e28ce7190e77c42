package factory

import (
	"github.com/leakbench/leakbench/harness/target"

	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

type level uint8

func (l *level) UnmarshalText(b []byte) error {
	switch string(b) {
	case "low":
		*l = 1
	case "high":
		*l = 2
	default:
		return errors.New(`unknown level "` + string(b) + `" (allowed: low, high)`)
	}
	return nil
}

type inner struct {
	Size int `yaml:"size"`
}

type Embedded struct {
	Mode string `yaml:"mode"`
}

type testOptions struct {
	Embedded `yaml:",inline"`
	Keep     int           `yaml:"keep"`
	Timeout  time.Duration `yaml:"timeout"`
	Level    level         `yaml:"level"`
	Cache    inner         `yaml:"cache"`
	Sizes    []inner       `yaml:"sizes"`
	Name     string        // key "name"
	Skip     int           `yaml:"-"`
}

func (o testOptions) Validate() []error {
	var errs []error
	if o.Keep < 0 {
		errs = append(errs, errors.New("keep: must not be negative"))
	}
	if o.Timeout > time.Hour {
		errs = append(errs, &OptionError{Field: "timeout", Msg: "at most an hour"})
	}
	if o.Keep > 100 {
		errs = append(errs, errors.New("too much to keep"))
	}
	return errs
}

type nopTarget struct{}

func (nopTarget) Do(context.Context, target.Request) error { return nil }

func node(t *testing.T, text string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}

func TestFactory_DecodesStrictly(t *testing.T) {
	var got testOptions
	f := New(func(ctx context.Context, cfg target.Config, o testOptions) (target.Target, error) {
		got = o
		return nopTarget{}, nil
	})
	const text = "mode: fast\nkeep: 3\ntimeout: 2s\nlevel: high\ncache: {size: 9}\nsizes: [{size: 1}, {size: 2}]\nname: x\n"
	if errs := check(f, node(t, text)); len(errs) > 0 {
		t.Fatalf("Decode: %v", errs)
	}
	if _, err := build(f, text); err != nil {
		t.Fatalf("DecodeText, Build: %v", err)
	}
	want := testOptions{Embedded: Embedded{Mode: "fast"}, Keep: 3, Timeout: 2 * time.Second, Level: 2, Cache: inner{9}, Sizes: []inner{{1}, {2}}, Name: "x"}
	if got.Mode != want.Mode || got.Keep != want.Keep || got.Timeout != want.Timeout || got.Level != want.Level ||
		got.Cache != want.Cache || len(got.Sizes) != 2 || got.Sizes[1] != want.Sizes[1] || got.Name != want.Name {
		t.Errorf("decoded %+v, want %+v", got, want)
	}
	if _, err := build(f, ""); err != nil || got.Keep != 0 {
		t.Errorf("New without options: %v, keep %d; want the zero options", err, got.Keep)
	}
}

// TestFactory_Errors: every problem at once, each at its line and column,
// naming the field and what is allowed.
func TestFactory_Errors(t *testing.T) {
	f := New(func(ctx context.Context, cfg target.Config, o testOptions) (target.Target, error) {
		return nopTarget{}, nil
	})
	const text = "kepp: 3\n" + // 1
		"timeout: soon\n" + // 2
		"level: medium\n" + // 3
		"cache: {size: big, colour: red}\n" + // 4
		"sizes: [{size: 1}, {sise: 2}]\n" + // 5
		"skip: 1\n" + // 6
		"keep: 1\nkeep: 2\n" // 7, 8
	errs := check(f, node(t, text))
	var msgs []string
	for _, err := range errs {
		msgs = append(msgs, err.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		`1:1: unknown field "kepp" (allowed: mode, keep, timeout, level, cache, sizes, name)`,
		`2:10: timeout: invalid duration "soon": want a number and a unit`,
		`3:8: level: unknown level "medium" (allowed: low, high)`,
		`4:15: cache.size: must be an integer, got "big"`,
		`4:20: cache: unknown field "colour" (allowed: size)`,
		`5:21: sizes[1]: unknown field "sise" (allowed: size)`,
		`6:1: unknown field "skip"`,
		`8:1: duplicate key "keep" (first set at line 7)`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("errors lack %q:\n%s", want, all)
		}
	}
	if len(errs) != 8 {
		t.Errorf("%d errors, want 8:\n%s", len(errs), all)
	}

	if errs := check(f, node(t, "keep: -1\n")); len(errs) != 1 || errs[0].Error() != "1:7: keep: must not be negative" {
		t.Errorf("Validate's error: %v; want it at keep's value", errs)
	}
	// Every problem of Validate at once: at the key it names (by its
	// message or its Field), or at the mapping.
	errs = check(f, node(t, "mode: x\nkeep: 101\ntimeout: 2h\n"))
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	if want := "3:10: timeout: at most an hour\n1:1: too much to keep"; strings.Join(got, "\n") != want {
		t.Errorf("Validate's errors:\n%s\nwant\n%s", strings.Join(got, "\n"), want)
	}
	if errs := check(f, node(t, "[1, 2]\n")); len(errs) != 1 || !strings.Contains(errs[0].Error(), "must be a mapping of keys (mode, keep") {
		t.Errorf("a list for options: %v", errs)
	}
	none := New(func(context.Context, target.Config, struct{}) (target.Target, error) { return nopTarget{}, nil })
	if errs := check(none, node(t, "a: 1\n")); len(errs) != 1 || !strings.Contains(errs[0].Error(), `unknown field "a" (allowed: none)`) {
		t.Errorf("options for a target without any: %v", errs)
	}
	if _, err := build(f, "kepp: 1\n"); err == nil || !strings.Contains(err.Error(), `options: 1:1: unknown field "kepp"`) {
		t.Errorf("New with bad options: %v", err)
	}
}

func TestFactory_BuildErrors(t *testing.T) {
	failing := New(func(context.Context, target.Config, struct{}) (target.Target, error) {
		return nil, errors.New("no engine")
	})
	if _, err := build(failing, ""); err == nil || err.Error() != "no engine" {
		t.Errorf("Build = %v, want the factory's error", err)
	}
	nothing := New(func(context.Context, target.Config, struct{}) (target.Target, error) { return nil, nil })
	if _, err := build(nothing, ""); err == nil {
		t.Error("Build with a factory that returns nothing: no error")
	}
	var zero Factory
	if _, err := build(zero, ""); err == nil || len(check(zero, nil)) != 1 {
		t.Error("the zero Factory builds or checks without an error")
	}
	if got := (Targets{"b": zero, "a": zero}).Names(); strings.Join(got, ",") != "a,b" {
		t.Errorf("Names = %v", got)
	}
}

type oldOptions struct{}

func (oldOptions) Validate() error { return nil }

// TestNewFactory_OldValidate: a Validate that would never run is refused
// when the target is registered, not ignored.
func TestNewFactory_OldValidate(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "must be Validate() []error") {
			t.Errorf("recovered %v", r)
		}
	}()
	New(func(context.Context, target.Config, oldOptions) (target.Target, error) { return nopTarget{}, nil })
}

// check returns every problem Decode finds in options, as the parent
// checks a scenario's.
func check(f Factory, options *yaml.Node) []error {
	_, errs := f.Decode(options)
	return errs
}

// build builds a target from options given as YAML text, as the child
// does: DecodeText, then Build.
func build(f Factory, options string) (target.Target, error) {
	opts, err := f.DecodeText(options)
	if err != nil {
		return nil, err
	}
	return f.Build(context.Background(), target.Config{}, opts)
}
