// Package merge holds the rule for merging results taken on several
// machines (`bench compare --merge DIR...`): runs are pooled only when
// their environments agree on everything that changes what is measured,
// unless the caller allows mixed environments.
package merge

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/leakbench/leakbench/internal/results"
)

// Source is the environment of one results folder (or one run in it).
type Source struct {
	// Dir names the folder in messages.
	Dir string
	Env results.Env
}

// field is one environment field that must agree.
type field struct {
	name string
	get  func(results.Env) string
}

// fields are the fields that must agree, in the order they are checked:
// the toolchain and runtime that shape the heap, the machine's size, the
// input and the harness itself. GOOS and GOARCH are checked as well: RSS
// of another OS or architecture is not the same measurement.
var fields = []field{
	{"Go version", func(e results.Env) string { return e.GoVersion }},
	{"wazero version", func(e results.Env) string { return e.WazeroVersion }},
	{"CPU count", func(e results.Env) string { return strconv.Itoa(e.CPUs) }},
	{"workload hash", func(e results.Env) string { return e.WorkloadHash }},
	{"leakbench version", func(e results.Env) string { return e.LeakbenchVersion }},
	{"GOOS", func(e results.Env) string { return e.GOOS }},
	{"GOARCH", func(e results.Env) string { return e.GOARCH }},
}

// Mismatch is one field on which a folder differs from the first.
type Mismatch struct {
	// Field names the field: "Go version", "wazero version", "CPU count",
	// "workload hash", "leakbench version", "GOOS", "GOARCH".
	Field string
	// Dir and Value are the first folder and its value.
	Dir, Value string
	// OtherDir and OtherValue are the folder that differs and its value.
	OtherDir, OtherValue string
}

// String names the field, both folders and both values.
func (m Mismatch) String() string {
	return fmt.Sprintf("%s differs: %s in %s, %s in %s", m.Field, show(m.Value), m.Dir, show(m.OtherValue), m.OtherDir)
}

// show quotes a value, and says "(not recorded)" for an empty one.
func show(v string) string {
	if v == "" {
		return "(not recorded)"
	}
	return strconv.Quote(v)
}

// MixedError refuses a merge of differing environments.
type MixedError struct {
	Mismatches []Mismatch
}

// Error lists every mismatch.
func (e *MixedError) Error() string {
	var b strings.Builder
	b.WriteString("merge: refusing to merge results from different environments (allow with --allow-mixed): ")
	for i, m := range e.Mismatches {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(m.String())
	}
	return b.String()
}

// Check compares the environment of every source with the first one's and
// returns every mismatch. Unless allowMixed, any mismatch is an error, a
// *MixedError naming each field and both values; with allowMixed the
// mismatches are returned for the report to show, and the error is nil.
func Check(sources []Source, allowMixed bool) ([]Mismatch, error) {
	if len(sources) == 0 {
		return nil, errors.New("merge: no result folders")
	}
	first := sources[0]
	var out []Mismatch
	for _, s := range sources[1:] {
		for _, f := range fields {
			if a, b := f.get(first.Env), f.get(s.Env); a != b {
				out = append(out, Mismatch{Field: f.name, Dir: first.Dir, Value: a, OtherDir: s.Dir, OtherValue: b})
			}
		}
	}
	if len(out) > 0 && !allowMixed {
		return out, &MixedError{Mismatches: out}
	}
	return out, nil
}
