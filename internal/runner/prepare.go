package runner

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/scenario"
	"github.com/leakbench/leakbench/internal/workload"
)

// Workloads prepares the workloads of the runs in the parent, before their
// children start: it generates the images a cache lacks and verifies
// every file against its manifest (workload.Load, SHA-256), once per
// workload for all the runs that share the Workloads. A child is handed
// the verified sources in its spec and only re-checks their sizes and
// modification times (workload.Source.Check), so its startup phase is
// compiling and instantiating the codecs, never generating or hashing
// images: otherwise the first run on an empty cache would show a climb of
// its RSS by the generation before its baseline.
//
// Run uses Options.Workloads, or a Workloads of its own when that is nil.
// A command that runs several scenarios shares one, so a workload is
// verified once, and gives it a progress function. The zero value is not
// usable; call NewWorkloads. Safe for concurrent use.
type Workloads struct {
	progress  func(WorkloadProgress)
	cacheRoot string // leakbench's cache root, "" = none

	mu     sync.Mutex
	ready  map[workloadKey]*workload.Workload
	hashes map[workloadKey]string // WorkloadHash of each, once computed
}

// workloadKey says which workload a scenario needs: its name and the
// user's images directory replacing the generated images, if any.
type workloadKey struct{ name, images string }

// WorkloadProgress is the state of the preparation of one workload, for
// display: reported once when it begins, after each image, and once when
// it is finished.
type WorkloadProgress struct {
	Workload  string        // the workload's name
	Images    string        // the user's images directory, "" for the generated images
	Done      int           // images verified, generated or read so far
	Total     int           // images in all; 0 until known
	Generated int           // set when Finished: how many were generated now (not found whole in the cache)
	Elapsed   time.Duration // since the preparation began
	Finished  bool          // the workload is ready (or Err says why not)
	Err       error         // set when Finished and the preparation failed
	// Skipped and Rejected are set when Finished: the files of the
	// images directory that are not images and get no requests, and the
	// images that can't be used (Source.Problem says why), whose requests
	// will fail while the others run.
	Skipped  []results.SkippedFile
	Rejected []workload.Source
}

// NewWorkloads returns a Workloads that reports to progress (nil for
// none), with its images cached under the user's cache directory (see
// workload.Options.CacheDir).
func NewWorkloads(progress func(WorkloadProgress)) *Workloads {
	return &Workloads{progress: progress, cacheRoot: cacheRoot(),
		ready: map[workloadKey]*workload.Workload{}, hashes: map[workloadKey]string{}}
}

// hash returns WorkloadHash(sc), computed once per workload for all the
// runs that share the Workloads: with the user's images it reads every
// file.
func (ws *Workloads) hash(sc scenario.Scenario) (string, error) {
	key := workloadKey{sc.Workload, sc.Images}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if h, ok := ws.hashes[key]; ok {
		return h, nil
	}
	h, err := WorkloadHash(sc)
	if err == nil {
		ws.hashes[key] = h
	}
	return h, err
}

// Prepare makes the workload of every scenario ready, in order, so that
// all generation and verification is done before the first child starts.
// It stops at the first that fails.
func (ws *Workloads) Prepare(ctx context.Context, scs ...scenario.Scenario) error {
	for _, sc := range scs {
		if _, err := ws.workload(ctx, sc); err != nil {
			return err
		}
	}
	return nil
}

// workload returns the verified workload of sc, preparing it when it is
// not ready yet.
func (ws *Workloads) workload(ctx context.Context, sc scenario.Scenario) (*workload.Workload, error) {
	key := workloadKey{sc.Workload, sc.Images}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if w, ok := ws.ready[key]; ok {
		return w, nil
	}
	start := time.Now()
	report := func(p WorkloadProgress) {
		if ws.progress != nil {
			p.Workload, p.Images, p.Elapsed = key.name, key.images, time.Since(start)
			ws.progress(p)
		}
	}
	report(WorkloadProgress{})
	var cacheDir string // "": package workload's default
	if ws.cacheRoot != "" {
		cacheDir = filepath.Join(ws.cacheRoot, "workloads")
	}
	w, err := workload.Load(ctx, key.name, workload.Options{
		CacheDir:  cacheDir,
		ImagesDir: key.images,
		Progress:  func(done, total int) { report(WorkloadProgress{Done: done, Total: total}) },
	})
	if err != nil {
		err = fmt.Errorf("runner: preparing workload %q: %w", key.name, err)
		report(WorkloadProgress{Finished: true, Err: err})
		return nil, err
	}
	if len(w.Requests) == 0 {
		err = fmt.Errorf("runner: workload %q has no requests", key.name)
		report(WorkloadProgress{Finished: true, Err: err})
		return nil, err
	}
	if w.Generated > 0 {
		// Generating the default workload's images takes the parent's heap
		// to ~1 GiB of garbage; give it back before the children run beside
		// this process.
		debug.FreeOSMemory()
	}
	report(WorkloadProgress{Done: len(w.Images), Total: len(w.Images), Generated: w.Generated, Finished: true, Skipped: w.Skipped, Rejected: w.Rejected()})
	ws.ready[key] = w
	return w, nil
}
