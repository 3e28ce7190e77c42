// Package perimage reads what the harness measured for a decode target's
// scenarios (bench run's result folders of its stable, keep and copy-out
// scenarios) and puts it per kept image: the RSS and the Go heap live
// after settle with N images kept, minus the same with none kept, over N,
// beside what the target accounted for (the arrays behind its decoder
// instances' memories) and what its decode ops reported (the instances'
// Memory().Size() and the images' pixels).
//
// It reads the documented files of a run, summary.json and events.jsonl,
// through the few fields it needs.
package perimage

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Run is what one scenario's run measured.
type Run struct {
	Scenario string
	Target   string
	Outcome  string
	Settled  float64 // RSS after settle minus the baseline, bytes
	HeapLive float64 // Go heap live after settle, bytes
	Held     float64 // the target's own account after settle (Snapshot.Held), bytes
	// Decodes counts the decode ops; Memory and Pixels are their mean
	// Memory().Size() at the end of the decode (0 when the target did not
	// measure it) and pixel bytes.
	Decodes        int
	Memory, Pixels float64
}

// summary is the part of summary.json read here.
type summary struct {
	Scenario            string `json:"scenario"`
	Target              string `json:"target"`
	Outcome             string `json:"outcome"`
	Settled             int64  `json:"settled"`
	HeapLiveAfterSettle uint64 `json:"heap_live_after_settle"`
	LeakedAfterSettle   uint64 `json:"leaked_after_settle"`
}

// event is the part of an events.jsonl line read here.
type event struct {
	Kind     string `json:"kind"`
	Codec    string `json:"codec"`
	Memory   uint64 `json:"memory"`
	BytesOut int    `json:"bytes_out"`
}

// Read reads the run in dir (a scenario's folder of a bench run).
func Read(dir string) (Run, error) {
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		return Run{}, fmt.Errorf("perimage: %w", err)
	}
	var s summary
	if err := json.Unmarshal(data, &s); err != nil {
		return Run{}, fmt.Errorf("perimage: %s: %w", filepath.Join(dir, "summary.json"), err)
	}
	r := Run{Scenario: s.Scenario, Target: s.Target, Outcome: s.Outcome, Settled: float64(s.Settled),
		HeapLive: float64(s.HeapLiveAfterSettle), Held: float64(s.LeakedAfterSettle)}
	name := filepath.Join(dir, "events.jsonl")
	f, err := os.Open(name)
	if err != nil {
		return Run{}, fmt.Errorf("perimage: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var memory, pixels float64
	line := 0
	for sc.Scan() {
		line++
		var ev event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return Run{}, fmt.Errorf("perimage: %s:%d: %w", name, line, err)
		}
		if ev.Kind == "op" && ev.Codec == "decode" {
			r.Decodes++
			memory += float64(ev.Memory)
			pixels += float64(ev.BytesOut)
		}
	}
	if err := sc.Err(); err != nil {
		return Run{}, fmt.Errorf("perimage: %s: %w", name, err)
	}
	if r.Decodes > 0 {
		r.Memory, r.Pixels = memory/float64(r.Decodes), pixels/float64(r.Decodes)
	}
	return r, nil
}

// Row is one decode target's figures per kept image, in bytes.
type Row struct {
	Target string
	Kept   int // N, the images the keep and copy-out scenarios keep
	// Pixels is the mean size of a decoded image's pixels; Memory the
	// mean Memory().Size() of its decoder instance at the end of the
	// decode; Backing the target's account of the array a kept image pins
	// (the keep run's Held over N).
	Pixels, Memory, Backing float64
	// RSS and Heap are the keep run's settled RSS and heap live minus the
	// stable run's, over N: what the harness measured a kept image to
	// retain.
	RSS, Heap float64
	// CopyRSS and CopyHeap are the same for the copy-out run.
	CopyRSS, CopyHeap float64
}

// Compute puts the three runs of a target per kept image, n kept. The
// runs must have completed, be of one target, and the keep run's decodes
// must carry their memory size (the target measured them).
func Compute(stable, keep, copyOut Run, n int) (Row, error) {
	var errs []error
	for _, r := range []Run{stable, keep, copyOut} {
		if r.Outcome != "completed" {
			errs = append(errs, fmt.Errorf("%s: outcome %q, not completed", r.Scenario, r.Outcome))
		}
		if r.Target != keep.Target {
			errs = append(errs, fmt.Errorf("%s: target %q, not the keep run's %q", r.Scenario, r.Target, keep.Target))
		}
	}
	if n < 1 {
		errs = append(errs, fmt.Errorf("%s: keeps %d images", keep.Scenario, n))
	}
	if keep.Decodes == 0 || keep.Memory == 0 {
		errs = append(errs, fmt.Errorf("%s: no decode op with its instance's memory size", keep.Scenario))
	}
	if len(errs) > 0 {
		return Row{}, fmt.Errorf("perimage: %w", errors.Join(errs...))
	}
	per := func(kept, none float64) float64 { return (kept - none) / float64(n) }
	return Row{
		Target:   keep.Target,
		Kept:     n,
		Pixels:   keep.Pixels,
		Memory:   keep.Memory,
		Backing:  keep.Held / float64(n),
		RSS:      per(keep.Settled, stable.Settled),
		Heap:     per(keep.HeapLive, stable.HeapLive),
		CopyRSS:  per(copyOut.Settled, stable.Settled),
		CopyHeap: per(copyOut.HeapLive, stable.HeapLive),
	}, nil
}
