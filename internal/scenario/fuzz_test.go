package scenario

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/casestudy/scenarios"
	"github.com/leakbench/leakbench/internal/factory"
)

// fuzzOptions is a target's options type with the shapes options decode
// into: scalars, a duration, a nested struct, a list of structs, a map.
type fuzzOptions struct {
	Keep    int                  `yaml:"keep"`
	Name    string               `yaml:"name"`
	Every   time.Duration        `yaml:"every"`
	Cache   *struct{ Size int }  `yaml:"cache"`
	Sizes   []struct{ W, H int } `yaml:"sizes"`
	Labels  map[string]string    `yaml:"labels"`
	Enabled bool                 `yaml:"enabled"`
}

var fuzzFactory = factory.New(func(context.Context, target.Config, fuzzOptions) (target.Target, error) {
	return nil, errors.New("not built in this test")
})

// FuzzParse feeds arbitrary bytes to the scenario parser, and a target's
// options of a parsed scenario to the strict options decoder: never a
// panic; an error is an ErrorList of at most MaxErrors problems (and the
// count of the rest) whose every problem is an *Error naming this file; a
// scenario parsed without error passes its own Validate.
func FuzzParse(f *testing.F) {
	files, err := fs.Glob(scenarios.FS, "*.yaml")
	if err != nil || len(files) == 0 {
		f.Fatalf("no builtin scenarios: %v", err)
	}
	for _, name := range files {
		b, err := fs.ReadFile(scenarios.FS, name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	all := "name: custom\ndescription: x\nworkload: tiny\nimages: /tmp/pics\ntopology: per-worker\nlifetime: fresh\nviews: cleared\nlisteners: leaked\n" +
		"workers: auto\nrounds: 7\nin_flight: 2\nidle: 1m30s\nidle_gc: v8\ninterval: 10ms\nrss_cap: 512MB\ngogc: off\ngomemlimit: 256MiB\n" +
		"op_timeout: 5s\nexpect: leak\nlimits:\n  - \"settled > 20MiB\"\n  - slope>=1.5MiB/round\n  - instances_peak <= 6\n"
	f.Add([]byte(all))
	f.Add([]byte("target: other\noptions:\n  keep: 3\n  every: 1s\n  cache: {size: 4}\n  sizes: [{w: 1, h: 2}, {w: 3}]\n  labels: {a: b}\n  bogus: 1\n"))
	f.Add([]byte("target: other\noptions: &o {keep: 1}\nname: &n x\ndescription: *n\n"))
	f.Add([]byte("a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\npreset: fixed\n"))
	f.Add([]byte("preset: fixed\npreset: fix1\n? [complex]\n: key\n"))
	f.Add([]byte("preset: fixed\n---\npreset: fix1\n"))
	f.Add([]byte("- a\n- b\n"))
	f.Add([]byte("preset: fixed\nrounds: 99999999999999999999\nworkers: -1\ngogc: 0\nidle: -1s\nrss_cap: 1KiB\n"))
	f.Add([]byte("\t\"preset\": fixed\n"))
	var many strings.Builder
	many.WriteString("topology: pipeline\n")
	for i := range 2 * MaxErrors {
		fmt.Fprintf(&many, "k%d: v\n", i)
	}
	f.Add([]byte(many.String()))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := testCatalog.Parse("f.yaml", data)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %T is not an ErrorList: %v", err, err)
			}
			if len(list) == 0 || len(list) > MaxErrors+1 {
				t.Fatalf("%d items in the ErrorList, want 1 to %d", len(list), MaxErrors+1)
			}
			for i, e := range list {
				var se *Error
				var om *Omitted
				switch {
				case errors.As(e, &om):
					if i != len(list)-1 || om.N < 1 {
						t.Fatalf("item %d of %d is %v", i, len(list), om)
					}
				case !errors.As(e, &se) || se.File != "f.yaml":
					t.Fatalf("item %d is %T %v, want an *Error of f.yaml", i, e, e)
				}
			}
			_ = err.Error()
			return
		}
		if errs := sc.Validate(); len(errs) > 0 {
			t.Fatalf("Parse accepted a scenario its Validate refuses: %v", errs)
		}
		if sc.Options != nil {
			_, errs := fuzzFactory.Decode(sc.Options)
			for _, e := range errs {
				_ = e.Error()
			}
		}
	})
}
