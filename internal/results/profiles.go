package results

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/leakbench/leakbench/internal/atomicfile"
	"github.com/leakbench/leakbench/internal/shellword"
)

// ProfileKind names what a profile of a run measures.
type ProfileKind string

// The kinds of profile a Go child writes beside its samples.
const (
	// ProfileHeap is the Go heap profile (runtime/pprof "heap"): live
	// objects by allocating stack, as of the last GC before it was taken.
	ProfileHeap ProfileKind = "heap"
	// ProfileLinear is the profile of wasm linear memory (package
	// memprofile): live and leaked linear memories by instantiating stack,
	// labelled codec, holder and instance. Only targets that list their
	// memories write it.
	ProfileLinear ProfileKind = "linear"
)

// Landmark names the moment of a run a profile was taken at.
type Landmark string

// The landmarks profiles are taken at.
const (
	// LandmarkPeak is near the peak: the child writes it each time its
	// RSS passes its last profiled high by a margin, and keeps the last.
	LandmarkPeak Landmark = "peak"
	// LandmarkEndOfLoad is when the last request finished.
	LandmarkEndOfLoad Landmark = "end_of_load"
	// LandmarkAfterSettle is after GC twice and FreeOSMemory.
	LandmarkAfterSettle Landmark = "after_settle"
)

// Landmarks lists the landmarks in the order of a run.
var Landmarks = []Landmark{LandmarkPeak, LandmarkEndOfLoad, LandmarkAfterSettle}

// Profile is one pprof profile a run wrote: its kind, its landmark, its
// file (relative to the run's directory), the child's own RSS reading
// when it was taken, and how long writing it took (its cost to the run,
// which the child paid in its own time).
type Profile struct {
	Kind     ProfileKind `json:"kind"`
	Landmark Landmark    `json:"landmark"`
	File     string      `json:"file"`
	RSS      uint64      `json:"rss,omitempty"`
	Seconds  float64     `json:"seconds,omitempty"`
}

// ProfileFile is the file name of the profile of kind at landmark in a
// run's directory: "heap-after-settle.pb.gz", "linear-peak.pb.gz".
func ProfileFile(kind ProfileKind, at Landmark) string {
	return string(kind) + "-" + strings.ReplaceAll(string(at), "_", "-") + ".pb.gz"
}

// WriteProfile writes the profile of kind at landmark into the run
// directory dir with fill (its ProfileFile name), replacing an earlier
// one atomically: a peak's profile is rewritten as RSS climbs, and a
// reader never sees half of one. It returns the file's name.
func WriteProfile(dir string, kind ProfileKind, at Landmark, fill func(io.Writer) error) (string, error) {
	name := ProfileFile(kind, at)
	if err := atomicfile.Write(filepath.Join(dir, name), fill); err != nil {
		return name, fmt.Errorf("writing the %s profile %s: %w", kind, filepath.Join(dir, name), err)
	}
	return name, nil
}

// Profile returns the summary's profile of kind at landmark, if the run
// wrote one.
func (s Summary) Profile(kind ProfileKind, at Landmark) (Profile, bool) {
	for _, p := range s.Profiles {
		if p.Kind == kind && p.Landmark == at {
			return p, true
		}
	}
	return Profile{}, false
}

// ProfileDiff is how to compare the profiles of two runs: the profiles'
// paths (each run's directory joined with its file) and the go tool pprof
// command that shows what the second holds more than the first.
type ProfileDiff struct {
	Kind     ProfileKind `json:"kind"`
	Landmark Landmark    `json:"landmark"`
	Base     string      `json:"base"`
	New      string      `json:"new"`
	Command  string      `json:"command"`
}

// DiffProfiles returns the diffs of the profiles both runs wrote at the
// landmark, heap before linear; none when either wrote none. baseDir and
// newDir are the runs' directories.
func DiffProfiles(at Landmark, baseDir string, base Summary, newDir string, next Summary) []ProfileDiff {
	var out []ProfileDiff
	for _, kind := range []ProfileKind{ProfileHeap, ProfileLinear} {
		a, ok1 := base.Profile(kind, at)
		b, ok2 := next.Profile(kind, at)
		if !ok1 || !ok2 {
			continue
		}
		d := ProfileDiff{Kind: kind, Landmark: at, Base: filepath.Join(baseDir, a.File), New: filepath.Join(newDir, b.File)}
		d.Command = DiffCommand(d.Base, d.New)
		out = append(out, d)
	}
	return out
}

// Title names the diff's profiles: "heap after settle".
func (d ProfileDiff) Title() string {
	return string(d.Kind) + " " + strings.ReplaceAll(string(d.Landmark), "_", " ")
}

// String is the diff as one line: "heap after settle: go tool pprof
// -top -diff_base BASE NEW".
func (d ProfileDiff) String() string { return d.Title() + ": " + d.Command }

// DiffCommand is the go tool pprof command that shows the profile newPath
// less basePath, largest first.
func DiffCommand(basePath, newPath string) string {
	return "go tool pprof -top -diff_base " + shellword.Quote(basePath) + " " + shellword.Quote(newPath)
}

// addProfile adds p to ps, in the place of one of the same kind and
// landmark.
func addProfile(ps []Profile, p Profile) []Profile {
	for i := range ps {
		if ps[i].Kind == p.Kind && ps[i].Landmark == p.Landmark {
			ps[i] = p
			return ps
		}
	}
	return append(ps, p)
}
