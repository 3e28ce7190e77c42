// Package gobench writes leakbench runs in the Go benchmark format
// (golang.org/x/perf/benchfmt), so that benchstat and every other tool
// that reads `go test -bench` output reads leakbench's results:
//
//	goos: linux
//	goarch: amd64
//	cpu: AMD EPYC 7B13
//	wazero: v1.12.0
//	workload: quick
//	Unit peak-B better=lower
//	Unit peak-B assume=nothing
//	BenchmarkLeak/scenario=quick-fixed/topology=pipeline/lifetime=fresh/views=cleared/listeners=removed-2 1 2.1e+08 peak-B 3.2 req/s
//
// # Units and their metadata
//
// Each value's unit carries the metric in its name ("peak-B",
// "settled-B", "req/s"), in benchunit's base units (B, sec) so benchstat
// scales them. Every unit gets better=lower or better=higher, and
// assume=nothing: a leakbench figure is a measurement with run-to-run
// noise (RSS moves by megabytes between identical runs, peak live
// instances by one), so benchstat must summarise it by the median and
// compare with the Mann-Whitney test. assume=exact would tell benchstat
// that one run is the truth: it would report every difference as
// significant (p = 0) and warn whenever two runs differ.
//
// The package is pure: it reads and writes only the io.Reader and
// io.Writer it is given.
package gobench

import (
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/perf/benchfmt"
)

// KV is one key=value pair, of a name part or a configuration line.
type KV struct {
	Key, Value string
}

// Value is one measurement of a run.
type Value struct {
	// Unit names the metric and its unit: "peak-B", "req/s", "p95-sec".
	Unit  string
	Value float64
}

// Unit is the metadata of one unit.
type Unit struct {
	Name           string
	HigherIsBetter bool
}

// Run is one run as one benchmark line. The wiring fills it from a
// results.Summary; gobench knows nothing of summaries.
type Run struct {
	// Name is the benchmark's base name without "Benchmark": "Leak".
	Name string
	// Parts are the sub-benchmark name parts, in order:
	// scenario=…, topology=…, lifetime=…, views=…, listeners=….
	Parts []KV
	// Procs, when positive, is appended as the benchmark's GOMAXPROCS
	// suffix ("-2"), as `go test -bench` does.
	Procs int
	// Config are the file configuration lines in force for this run:
	// goos, goarch, cpu, wazero, workload. Lines are written when they
	// change from the previous run.
	Config []KV
	// Values are the run's measurements, in order. Non-finite values
	// (a slope over too few rounds) are left out of the line.
	Values []Value
}

// FullName is the name as written after "Benchmark".
func (r Run) FullName() string {
	var b strings.Builder
	b.WriteString(r.Name)
	for _, p := range r.Parts {
		b.WriteString("/" + p.Key + "=" + p.Value)
	}
	if r.Procs > 0 {
		fmt.Fprintf(&b, "-%d", r.Procs)
	}
	return b.String()
}

var trailingProcs = regexp.MustCompile(`-[0-9]+$`)

// validate reports the first thing about the run that the format cannot
// carry, naming it.
func (r Run) validate(units map[string]bool) error {
	if r.Name == "" || strings.ContainsAny(r.Name, "/=-") || hasSpace(r.Name) {
		return fmt.Errorf("gobench: benchmark name %q must be non-empty, without spaces, '/', '=' or '-'", r.Name)
	}
	for _, p := range r.Parts {
		if p.Key == "" || p.Value == "" || strings.ContainsAny(p.Key+p.Value, "/") || strings.Contains(p.Key, "=") ||
			hasSpace(p.Key+p.Value) {
			return fmt.Errorf("gobench: %s: name part %q=%q must be non-empty, without spaces, '/' or '=' in the key",
				r.FullName(), p.Key, p.Value)
		}
	}
	if r.Procs <= 0 && trailingProcs.MatchString(r.FullName()) {
		return fmt.Errorf("gobench: %s: a name ending in -digits would be read as GOMAXPROCS; set Procs", r.FullName())
	}
	for _, c := range r.Config {
		if err := validKey(c.Key); err != nil {
			return fmt.Errorf("gobench: %s: configuration %w", r.FullName(), err)
		}
		if c.Value == "" || strings.ContainsAny(c.Value, "\n\r") || strings.TrimSpace(c.Value) != c.Value {
			return fmt.Errorf("gobench: %s: configuration %s: value %q must be one non-empty line without surrounding spaces",
				r.FullName(), c.Key, c.Value)
		}
	}
	if len(r.Values) == 0 {
		return fmt.Errorf("gobench: %s: no values", r.FullName())
	}
	for _, v := range r.Values {
		if !units[v.Unit] {
			return fmt.Errorf("gobench: %s: unit %q has no Unit metadata (better=lower or higher)", r.FullName(), v.Unit)
		}
	}
	return nil
}

// validKey checks a configuration key as benchfmt reads it: a lower-case
// letter first, no spaces, upper-case letters or colons.
func validKey(k string) error {
	if k == "" || !unicode.IsLower([]rune(k)[0]) || strings.ContainsAny(k, ":") || hasSpace(k) ||
		strings.IndexFunc(k, unicode.IsUpper) >= 0 {
		return fmt.Errorf("key %q must start with a lower-case letter and hold no spaces, colons or upper case", k)
	}
	return nil
}

func hasSpace(s string) bool { return strings.IndexFunc(s, unicode.IsSpace) >= 0 }

// Write writes the unit metadata and then one benchmark line per run,
// with the configuration lines before the first run and wherever they
// change. Every unit a run uses must be among units.
func Write(w io.Writer, units []Unit, runs []Run) error {
	declared := map[string]bool{}
	for _, u := range units {
		if u.Name == "" || hasSpace(u.Name) {
			return fmt.Errorf("gobench: unit %q must be non-empty and without spaces", u.Name)
		}
		if declared[u.Name] {
			return fmt.Errorf("gobench: unit %s declared twice", u.Name)
		}
		declared[u.Name] = true
	}
	for _, r := range runs {
		if err := r.validate(declared); err != nil {
			return err
		}
	}
	bw := benchfmt.NewWriter(w)
	for _, u := range units {
		better := "lower"
		if u.HigherIsBetter {
			better = "higher"
		}
		for _, kv := range []KV{{"better", better}, {"assume", "nothing"}} {
			md := &benchfmt.UnitMetadata{UnitMetadataKey: benchfmt.UnitMetadataKey{Unit: u.Name, Key: kv.Key}, OrigUnit: u.Name, Value: kv.Value}
			if err := bw.Write(md); err != nil {
				return fmt.Errorf("gobench: %w", err)
			}
		}
	}
	for _, r := range runs {
		res := &benchfmt.Result{Name: benchfmt.Name(r.FullName()), Iters: 1}
		for _, c := range r.Config {
			res.Config = append(res.Config, benchfmt.Config{Key: c.Key, Value: []byte(c.Value), File: true})
		}
		for _, v := range r.Values {
			if !math.IsNaN(v.Value) && !math.IsInf(v.Value, 0) {
				res.Values = append(res.Values, benchfmt.Value{Value: v.Value, Unit: v.Unit})
			}
		}
		if err := bw.Write(res); err != nil {
			return fmt.Errorf("gobench: %w", err)
		}
	}
	return nil
}

// Read reads Go benchmark format with benchfmt.Reader and returns its runs
// and unit metadata. fileName names the input in errors. Values come back
// in benchfmt's tidied units (a file written by Write uses only base
// units, so they come back as written).
func Read(r io.Reader, fileName string) ([]Run, []Unit, error) {
	br := benchfmt.NewReader(r, fileName)
	var runs []Run
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			return nil, nil, fmt.Errorf("gobench: %w", rec)
		case *benchfmt.Result:
			runs = append(runs, fromResult(rec))
		}
	}
	if err := br.Err(); err != nil {
		return nil, nil, fmt.Errorf("gobench: %w", err)
	}
	var units []Unit
	seen := map[string]bool{}
	for _, run := range runs {
		for _, v := range run.Values {
			if seen[v.Unit] {
				continue
			}
			seen[v.Unit] = true
			if b := br.Units().GetBetter(v.Unit); b != 0 {
				units = append(units, Unit{Name: v.Unit, HigherIsBetter: b > 0})
			}
		}
	}
	return runs, units, nil
}

// fromResult converts one parsed line back to a Run.
func fromResult(res *benchfmt.Result) Run {
	base, parts := res.Name.Parts()
	run := Run{Name: string(base)}
	for _, p := range parts {
		s := string(p)
		switch {
		case strings.HasPrefix(s, "/"):
			k, v, _ := strings.Cut(s[1:], "=")
			run.Parts = append(run.Parts, KV{k, v})
		case strings.HasPrefix(s, "-"):
			fmt.Sscanf(s[1:], "%d", &run.Procs)
		}
	}
	for _, c := range res.Config {
		if c.File {
			run.Config = append(run.Config, KV{c.Key, string(c.Value)})
		}
	}
	for _, v := range res.Values {
		run.Values = append(run.Values, Value{Unit: v.Unit, Value: v.Value})
	}
	return run
}
