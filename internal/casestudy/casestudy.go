// Package casestudy is the Next.js case study as one program on
// leakbench's core: the rebuilt image optimizer (the builtin engine,
// package builtin, registered as the target "builtin" and the default
// target of every scenario, its settings top-level keys), the scenarios
// that ship with bench (package scenarios), the reproduce command (its
// default), the factorial of the four published causes and the
// reproduction's report. cmd/bench is this Program; a program built on
// package harness registers its own targets the same way and has none
// of it.
//
// reproduce runs the four published stages (before, fix1, fix1+2, fixed)
// and writes their plots, the 2×2 grid, the overlay, summary.md with our
// ratios beside the published ones, and index.md:
//
//	# the full reproduction (minutes; several GiB of RAM for the before stage)
//	bench reproduce
//	# a quick one on a laptop or CI runner
//	bench reproduce --quick
//	# with the real Next.js optimizer's two releases beside ours (node and npm; from the repository root)
//	bench reproduce --quick --with-node
//	# on next@10.1.0's own wasm modules instead of ours (after bash examples/nextjs/install.sh 10.1.0)
//	bench reproduce --quick --codecs squoosh
//	# on your own images, into a folder of your choice
//	bench reproduce --images ~/photos --out /tmp/repro
package casestudy

import (
	"io/fs"
	"slices"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/leakbench/leakbench/internal/casestudy/builtin"
	"github.com/leakbench/leakbench/internal/casestudy/engine"
	"github.com/leakbench/leakbench/internal/casestudy/published"
	"github.com/leakbench/leakbench/internal/casestudy/reproduction"
	"github.com/leakbench/leakbench/internal/casestudy/scenarios"
	"github.com/leakbench/leakbench/internal/cli"
	"github.com/leakbench/leakbench/internal/factory"
	"github.com/leakbench/leakbench/internal/report"
)

// about is the paragraph under bench's usage line.
const about = `bench measures the memory of WebAssembly image codecs under wazero, one
scenario per child process, and reproduces the leak fixed by the Next.js
pull request 23565. With no command it runs reproduce.`

// Program is bench: the core's command line with the case study.
func Program() cli.Program {
	return cli.Program{
		Name:          "bench",
		Targets:       factory.Targets{builtin.Name: builtin.Factory()},
		DefaultTarget: builtin.Name,
		Scenarios:     shipped(),
		ScenarioOrder: builtin.PresetNames(),
		Run:           []string{"quick-fixed"},
		Gate:          []string{"quick-fixed", "quick-leaky"},
		About:         about,
		Commands:      []cli.Command{Reproduce()},
		Factorial:     causes(),
		Reproduction:  reproductionOf,
	}
}

// causes is the factorial of the four published causes: each a switch of
// the builtin engine whose high level is the cause, its low one the fix,
// over quick-fixed, with the published 16-thread machine's cpus - 1
// workers (as the builtin stages use) so that the topology's effect is
// the published one and not that of this machine's core count.
func causes() *cli.Factorial {
	return &cli.Factorial{
		Of:           "the four causes",
		Switches:     builtin.Causes(),
		Base:         "quick-fixed",
		Workers:      15,
		WorkersKey:   "topology",
		WorkersLevel: engine.PerWorker.String(),
	}
}

// reproductionTitle is the title of a reproduction's reports.
const reproductionTitle = "Reproduction of Next.js PR 23565"

// reproductionOf recognises the runs of the four published stages
// (published.Stages), each run once or more (reproduce --runs), besides
// any runs of the real optimizer (reproduce --with-node), and analyses
// them; nil for any other set of runs.
func reproductionOf(runs []report.Run) (cli.Analysis, string) {
	var presets []string
	for _, r := range runs {
		if reproduction.RealStage(r) < 0 {
			presets = append(presets, r.Summary.Strategy.Preset)
		}
	}
	slices.Sort(presets)
	presets = slices.Compact(presets)
	pub := published.Stages()
	want := pub.Presets()
	slices.Sort(want)
	if !slices.Equal(presets, want) {
		return nil, ""
	}
	return reproduction.Reproduce(pub, runs), reproductionTitle
}

// shipped returns the scenarios that ship with bench (package
// scenarios), without those whose allocator this platform lacks: off
// Linux the mmap scenarios fail to load, as every scenario asking for
// mmap does there, and are left out rather than making every other one
// unusable. Each file is looked at once, when the folder is first opened
// or listed: a process that never reads it (a child) reads none.
func shipped() fs.FS { return &forPlatform{FS: scenarios.FS} }

// forPlatform is a scenario folder without the files whose allocator
// (their own key, or their preset's) this platform lacks.
type forPlatform struct {
	fs.FS
	once    sync.Once
	lacking map[string]bool // set by lacks, once
}

// lacks reports whether the file name asks for an allocator this platform
// lacks, looking at every file on the first call.
func (p *forPlatform) lacks(name string) bool {
	p.once.Do(func() {
		names, _ := fs.Glob(p.FS, "*.yaml")
		p.lacking = map[string]bool{}
		for _, n := range names {
			if !supported(p.FS, n) {
				p.lacking[n] = true
			}
		}
	})
	return p.lacking[name]
}

// Open opens name, or reports that it does not exist when the file asks
// for an allocator this platform lacks.
func (p *forPlatform) Open(name string) (fs.File, error) {
	if p.lacks(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return p.FS.Open(name)
}

// Glob lists the files matching pattern that this platform can run.
func (p *forPlatform) Glob(pattern string) ([]string, error) {
	names, err := fs.Glob(p.FS, pattern)
	return slices.DeleteFunc(names, p.lacks), err
}

// supported reports whether a shipped file's allocator (its own key, or
// its preset's) exists on this platform; true for anything it cannot
// read, which then fails to load with its own error.
func supported(fsys fs.FS, name string) bool {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return true
	}
	var keys struct {
		Preset    string `yaml:"preset"`
		Allocator string `yaml:"allocator"`
	}
	if yaml.Unmarshal(data, &keys) != nil {
		return true
	}
	st, _ := engine.Preset(keys.Preset)
	if keys.Allocator != "" {
		if a, err := engine.ParseAllocator(keys.Allocator); err == nil {
			st.Allocator = a
		}
	}
	return st.Allocator.Supported()
}
