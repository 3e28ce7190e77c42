package driver

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/pprof/profile"
	"github.com/tetratelabs/wazero"

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/harness/wazeromem"
	"github.com/leakbench/leakbench/internal/factory"
	"github.com/leakbench/leakbench/internal/memprofile"
	"github.com/leakbench/leakbench/internal/results"
)

// oneMiBModule is a wasm module with one memory of 16 pages (1 MiB) and
// nothing else: magic, version, a memory section (id 5, 3 bytes: one
// memory, no maximum, minimum 16).
var oneMiBModule = []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x00, 0x10}

// leakOptions are the options of leakyTarget.
type leakOptions struct {
	Leak bool `yaml:"leak"`
}

// leakyTarget instantiates a module per request, with its memories
// recorded by a wazeromem.Recorder, and closes it; with Leak, retain
// keeps the closed instance's memory and a heap buffer of its own.
type leakyTarget struct {
	*wazeromem.Recorder
	rt       wazero.Runtime
	compiled wazero.CompiledModule
	leak     bool

	mu   sync.Mutex
	kept [][]byte
}

func newLeakyTarget(ctx context.Context, _ target.Config, o leakOptions) (target.Target, error) {
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	compiled, err := rt.CompileModule(ctx, oneMiBModule)
	if err != nil {
		return nil, err
	}
	return &leakyTarget{Recorder: wazeromem.NewRecorder("onemib"), rt: rt, compiled: compiled, leak: o.Leak}, nil
}

func (l *leakyTarget) Do(ctx context.Context, _ target.Request) error {
	mod, err := l.rt.InstantiateModule(l.Context(ctx), l.compiled, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		return err
	}
	mem, _ := mod.Memory().Read(0, mod.Memory().Size())
	if err := mod.Close(ctx); err != nil {
		return err
	}
	if l.leak {
		l.retain(mem)
	}
	return nil
}

// retain is the leak: it keeps the closed instance's whole memory, and 2
// MiB of its own allocation, for the life of the target.
//
//go:noinline
func (l *leakyTarget) retain(mem []byte) {
	own := make([]byte, 2<<20)
	l.mu.Lock()
	l.kept = append(l.kept, mem, own)
	l.mu.Unlock()
}

func (l *leakyTarget) Close(ctx context.Context) error { return l.rt.Close(ctx) }

// runProfiled runs leakyTarget with profiles into a new directory and
// returns the summary of its events and the directory.
func runProfiled(t *testing.T, leak bool) (results.Summary, string) {
	t.Helper()
	sp := fakeSpec(t)
	sp.Target, sp.ProfileDir = "leaky", t.TempDir()
	if leak {
		sp.Options = "leak: true\n"
	}
	events, err := runSpecWith(t, sp, factory.Targets{"leaky": factory.New(newLeakyTarget)})
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	return results.Summarize(results.Summary{}, nil, events), sp.ProfileDir
}

// readProfile parses the run's profile of kind at a landmark.
func readProfile(t *testing.T, s results.Summary, dir string, kind results.ProfileKind, at results.Landmark) *profile.Profile {
	t.Helper()
	pr, ok := s.Profile(kind, at)
	if !ok {
		t.Fatalf("no %s profile at %s in %+v", kind, at, s.Profiles)
	}
	f, err := os.Open(filepath.Join(dir, pr.File))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		t.Fatalf("%s: %v", pr.File, err)
	}
	return p
}

// topFunction returns the function with the most flat value of sample
// type typ in p (the first line of the top entry of go tool pprof -top
// -sample_index=typ), and that value.
func topFunction(t *testing.T, p *profile.Profile, typ string) (string, int64) {
	t.Helper()
	idx := -1
	for i, st := range p.SampleType {
		if st.Type == typ {
			idx = i
		}
	}
	if idx < 0 {
		t.Fatalf("no sample type %s in %v", typ, p.SampleType)
	}
	flat := map[string]int64{}
	for _, s := range p.Sample {
		if len(s.Location) > 0 && len(s.Location[0].Line) > 0 {
			flat[s.Location[0].Line[0].Function.Name] += s.Value[idx]
		}
	}
	var top string
	for fn, v := range flat {
		if top == "" || v > flat[top] {
			top = fn
		}
	}
	return top, flat[top]
}

// TestChild_ProfilesNameTheLeak runs a target without and with a leak
// from one known function, and reads the profiles back as go tool pprof
// would: the heap profiles after settle are written at every landmark,
// the top entry of their diff (leaky less clean, by inuse_space) is the
// leaking function, and the linear memory profile of the leaky run holds
// most under the holder that leaks (closed instances still reachable),
// while the clean run's lists none of it.
func TestChild_ProfilesNameTheLeak(t *testing.T) {
	clean, cleanDir := runProfiled(t, false)
	leaky, leakyDir := runProfiled(t, true)
	for _, s := range []results.Summary{clean, leaky} {
		for _, kind := range []results.ProfileKind{results.ProfileHeap, results.ProfileLinear} {
			for _, at := range results.Landmarks {
				if _, ok := s.Profile(kind, at); !ok {
					t.Errorf("no %s profile at %s: %+v", kind, at, s.Profiles)
				}
			}
		}
	}

	base := readProfile(t, clean, cleanDir, results.ProfileHeap, results.LandmarkAfterSettle)
	next := readProfile(t, leaky, leakyDir, results.ProfileHeap, results.LandmarkAfterSettle)
	base.Scale(-1)
	diff, err := profile.Merge([]*profile.Profile{next, base})
	if err != nil {
		t.Fatal(err)
	}
	requests := leaky.Requests
	if requests == 0 {
		t.Fatal("the leaky run completed no requests")
	}
	fn, bytes := topFunction(t, diff, "inuse_space")
	if want := "github.com/leakbench/leakbench/internal/driver.(*leakyTarget).retain"; fn != want {
		t.Errorf("top of the heap diff after settle: %s (%d bytes), want %s", fn, bytes, want)
	}
	// The heap profile is sampled (runtime.MemProfileRate): each 2 MiB
	// buffer is recorded with a probability of 98 % and scaled, so its
	// estimate of the 2 MiB × requests the leak holds is near, not exact.
	if min := int64(requests) << 20; bytes < min {
		t.Errorf("the leak's share of the diff: %d bytes, want at least %d (half of 2 MiB × %d requests)", bytes, min, requests)
	}

	linear := readProfile(t, leaky, leakyDir, results.ProfileLinear, results.LandmarkAfterSettle)
	if h, b := memprofile.TopHolder(linear); h != target.HolderClosed || b < int64(requests)<<20 {
		t.Errorf("top holder of the leaky run's linear memory: %q with %d bytes, want %q with at least %d", h, b, target.HolderClosed, requests<<20)
	}
	if by := memprofile.ByHolder(readProfile(t, clean, cleanDir, results.ProfileLinear, results.LandmarkAfterSettle)); by[target.HolderClosed] != 0 {
		t.Errorf("the clean run's linear memory after settle lists closed memories: %v", by)
	}
}

// TestChild_NoProfileDirNoProfiles: without a ProfileDir the child writes
// no profile and announces none.
func TestChild_NoProfileDirNoProfiles(t *testing.T) {
	sp := fakeSpec(t)
	sp.Target = "leaky"
	events, err := runSpecWith(t, sp, factory.Targets{"leaky": factory.New(newLeakyTarget)})
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	for _, ev := range events {
		if ev.Kind == results.EventProfile {
			t.Errorf("a profile event without a profile dir: %+v", ev.Profile)
		}
	}
}

// manyMemories is a Source of n 64 MiB memories instantiated here.
type manyMemories []target.LinearMemory

func (m manyMemories) LinearMemories() []target.LinearMemory { return m }

// BenchmarkProfiler_Take is what one landmark costs the child: the Go
// heap profile and a linear memory profile of 90 memories (the builtin's
// before stage: 15 workers × 6 codecs), each written, renamed and
// announced.
func BenchmarkProfiler_Take(b *testing.B) {
	stack := memprofile.Callers(0)
	mems := make(manyMemories, 90)
	for i := range mems {
		mems[i] = target.LinearMemory{Codec: "decode", Holder: target.HolderLive, Instance: i + 1, Worker: i%15 + 1, Bytes: 64 << 20, Stack: stack}
	}
	var sink bytes.Buffer
	em := newEmitter(&sink)
	defer em.close()
	p := newProfiler(b.TempDir(), mems, em)
	b.ReportAllocs()
	for b.Loop() {
		if err := p.take(results.LandmarkPeak, 1); err != nil {
			b.Fatal(err)
		}
	}
}
