// Package memprofile writes the profile of who holds wasm linear memory: a
// pprof profile (profile.proto, read by go tool pprof) whose samples are
// the linear memories a target keeps, each with the Go stack that
// instantiated it and labels for its codec, its holder and its instance,
// sized in bytes (sample type inuse_space/bytes, beside
// memories/count), so that -sample_index and -diff_base work on it as on
// a heap profile.
//
// It has one job: turning a list of linear memories (target.LinearMemory) into a profile. Who
// knows the memories is elsewhere: the builtin engine keeps a Book of its
// instances and moves each between holders as its code does (live, then
// views, listeners, pool or cache, or gone); a user's wazero target
// records its memories with a wazeromem.Recorder (package
// harness/wazeromem, the one that knows wazero), an allocator that wazero
// calls for every memory it instantiates.
// The child (package driver) writes the profile at a run's landmarks for
// any target that implements target.LinearMemories.
//
// The profile is built with github.com/google/pprof/profile rather than
// runtime/pprof.NewProfile: a custom runtime/pprof profile counts objects
// only (its samples have the single type count), and the question here
// is bytes.
package memprofile

import (
	"cmp"
	"io"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/google/pprof/profile"

	"github.com/leakbench/leakbench/harness/target"
)

// Callers returns the program counters of its caller's stack, skip frames
// above its caller left out (0: from the caller of Callers), as
// target.LinearMemory.Stack wants them.
func Callers(skip int) []uintptr {
	pc := make([]uintptr, 32)
	n := runtime.Callers(skip+2, pc)
	return slices.Clip(pc[:n])
}

// The profile's sample types, in order: -sample_index=memories or
// inuse_space (the default).
var sampleTypes = []*profile.ValueType{
	{Type: "memories", Unit: "count"},
	{Type: "inuse_space", Unit: "bytes"},
}

// Build returns the profile of mems, taken at t: one sample per memory,
// valued [1, Bytes], at its stack, with the labels codec and holder and
// the numeric labels instance and worker (when not 0). Memories with the same stack stay separate
// samples (their labels differ); go tool pprof sums them by function.
func Build(mems []target.LinearMemory, t time.Time) *profile.Profile {
	p := &profile.Profile{
		SampleType:        sampleTypes,
		DefaultSampleType: "inuse_space",
		PeriodType:        &profile.ValueType{Type: "space", Unit: "bytes"},
		Period:            1,
		TimeNanos:         t.UnixNano(),
	}
	exe, _ := os.Executable()
	m := &profile.Mapping{ID: 1, File: exe, HasFunctions: true, HasFilenames: true, HasLineNumbers: true}
	p.Mapping = []*profile.Mapping{m}
	b := builder{p: p, m: m, locs: map[uintptr]*profile.Location{}, funcs: map[funcKey]*profile.Function{}}
	for _, mem := range mems {
		s := &profile.Sample{
			Value:    []int64{1, mem.Bytes},
			Location: b.locations(mem.Stack),
			Label:    map[string][]string{"codec": {mem.Codec}, "holder": {mem.Holder}},
		}
		if mem.Instance != 0 || mem.Worker != 0 {
			s.NumLabel = map[string][]int64{}
		}
		if mem.Instance != 0 {
			s.NumLabel["instance"] = []int64{int64(mem.Instance)}
		}
		if mem.Worker != 0 {
			s.NumLabel["worker"] = []int64{int64(mem.Worker)}
		}
		p.Sample = append(p.Sample, s)
	}
	return p
}

// Write writes the profile of mems, taken now, gzipped, to w.
func Write(w io.Writer, mems []target.LinearMemory) error {
	return Build(mems, time.Now()).Write(w)
}

// ByHolder sums the inuse_space of a profile's samples by their holder
// label: what a reader of a linear memory profile asks first.
func ByHolder(p *profile.Profile) map[string]int64 {
	i := slices.IndexFunc(p.SampleType, func(t *profile.ValueType) bool { return t.Type == "inuse_space" })
	sums := map[string]int64{}
	if i < 0 {
		return sums
	}
	for _, s := range p.Sample {
		for _, h := range s.Label["holder"] {
			sums[h] += s.Value[i]
		}
	}
	return sums
}

// TopHolder returns the holder of the most inuse_space in p, and its
// bytes; ties go to the smaller name, so the answer is deterministic.
func TopHolder(p *profile.Profile) (holder string, bytes int64) {
	for h, b := range ByHolder(p) {
		if b > bytes || b == bytes && cmp.Less(h, holder) {
			holder, bytes = h, b
		}
	}
	return holder, bytes
}

type funcKey struct{ name, file string }

// builder symbolizes stacks into p's locations and functions, each once.
type builder struct {
	p     *profile.Profile
	m     *profile.Mapping
	locs  map[uintptr]*profile.Location
	funcs map[funcKey]*profile.Function
}

// locations returns the locations of stack, innermost first. Each PC is
// one location with its inlined frames as lines (innermost first), as
// runtime/pprof writes them.
func (b *builder) locations(stack []uintptr) []*profile.Location {
	out := make([]*profile.Location, 0, len(stack))
	for _, pc := range stack {
		if loc, ok := b.locs[pc]; ok {
			out = append(out, loc)
			continue
		}
		loc := &profile.Location{ID: uint64(len(b.p.Location) + 1), Mapping: b.m, Address: uint64(pc)}
		frames := runtime.CallersFrames([]uintptr{pc})
		for {
			fr, more := frames.Next()
			if fr.Function != "" {
				loc.Line = append(loc.Line, profile.Line{Function: b.function(fr), Line: int64(fr.Line)})
			}
			if !more {
				break
			}
		}
		b.locs[pc] = loc
		b.p.Location = append(b.p.Location, loc)
		out = append(out, loc)
	}
	return out
}

func (b *builder) function(fr runtime.Frame) *profile.Function {
	k := funcKey{fr.Function, fr.File}
	if f, ok := b.funcs[k]; ok {
		return f
	}
	f := &profile.Function{ID: uint64(len(b.p.Function) + 1), Name: fr.Function, SystemName: fr.Function, Filename: fr.File}
	b.funcs[k] = f
	b.p.Function = append(b.p.Function, f)
	return f
}
