//go:build unix

// Command exec-alloc is a leakbench exec target with a known memory
// schedule: it maps and frees memory outside the Go heap (anonymous mmap,
// every page touched, so it is resident at once and gone at munmap) and
// reports what it holds through the exec protocol (docs/exec-protocol.md),
// so that a test can hold the harness's figures to the program's own.
//
// The schedule, over the plan's requests (LEAKBENCH_PLAN):
//
//   - load: each request maps one chunk (-chunk, default 8MiB); every
//     third request frees its chunk again before it reports, so the load
//     ends holding two thirds of the chunks;
//   - idle: frees every other chunk still held, then idles for the plan's
//     idle_seconds;
//   - settle: frees nothing more: what is left is the leak.
//
// After every step it reports a snapshot whose linear_memory is the bytes
// it holds. After every phase and round event it waits for the parent's
// acknowledgement on stdin (LEAKBENCH_ACKS=stdin: the parent has sampled
// it), so the parent sees each phase's memory before the next step changes
// it; without acknowledgements it pauses (-pause, default 100ms) instead.
//
//	name: exec-alloc
//	exec: [./exec-alloc, -chunk, 8MiB]
//	workload: tiny
//	rounds: 2
//	idle: 1s
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// plan is the part of the LEAKBENCH_PLAN file this program uses.
type plan struct {
	Rounds      int     `json:"rounds"`
	IdleSeconds float64 `json:"idle_seconds"`
	Requests    []struct {
		ID    int `json:"id"`
		Round int `json:"round"`
	} `json:"requests"`
}

// event is the subset of the protocol's events this program writes.
type event struct {
	Kind     string    `json:"kind"`
	Phase    string    `json:"phase,omitempty"`
	Round    int       `json:"round,omitempty"`
	Request  int       `json:"request,omitempty"`
	Seconds  float64   `json:"seconds,omitempty"`
	Total    int       `json:"total,omitempty"`
	Err      string    `json:"err,omitempty"`
	Snapshot *snapshot `json:"snapshot,omitempty"`
}

type snapshot struct {
	LinearMemory  uint64 `json:"linear_memory"`  // bytes this program holds
	LiveInstances int    `json:"live_instances"` // chunks it holds
	Requests      int    `json:"requests"`
}

// allocator holds the mapped chunks and reports them.
type allocator struct {
	out    *os.File
	chunk  int
	pause  time.Duration
	acks   chan struct{} // the parent's acknowledgements; nil without them
	chunks [][]byte
	done   int
}

func main() {
	chunk := flag.String("chunk", "8MiB", "size of each chunk: a number of bytes, KiB or MiB")
	pause := flag.Duration("pause", 100*time.Millisecond, "pause after each phase event")
	flag.Parse()
	if err := run(*chunk, *pause); err != nil {
		fmt.Fprintln(os.Stderr, "exec-alloc:", err)
		os.Exit(1)
	}
}

func run(chunkText string, pause time.Duration) error {
	fd, err := strconv.Atoi(os.Getenv("LEAKBENCH_EVENTS_FD"))
	if err != nil {
		return fmt.Errorf("LEAKBENCH_EVENTS_FD=%q: want a descriptor number (run me as a leakbench exec target)", os.Getenv("LEAKBENCH_EVENTS_FD"))
	}
	a := &allocator{out: os.NewFile(uintptr(fd), "events"), pause: pause}
	if os.Getenv("LEAKBENCH_ACKS") == "stdin" {
		a.acks = make(chan struct{}, 16)
		go func() {
			in := bufio.NewReader(os.Stdin)
			for {
				if _, err := in.ReadString('\n'); err != nil {
					close(a.acks)
					return
				}
				a.acks <- struct{}{}
			}
		}()
	}
	if a.chunk, err = parseSize(chunkText); err != nil {
		return err
	}
	b, err := os.ReadFile(os.Getenv("LEAKBENCH_PLAN"))
	if err != nil {
		return fmt.Errorf("reading the plan: %w", err)
	}
	var p plan
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("plan %s: %w", os.Getenv("LEAKBENCH_PLAN"), err)
	}
	if len(p.Requests) == 0 {
		return fmt.Errorf("plan %s has no requests", os.Getenv("LEAKBENCH_PLAN"))
	}

	a.phase("load", len(p.Requests))
	for round := 1; round <= p.Rounds; round++ {
		for _, r := range p.Requests {
			if r.Round != round {
				continue
			}
			start := time.Now()
			if err := a.alloc(); err != nil {
				a.emit(event{Kind: "error", Err: err.Error()})
				return err
			}
			if r.ID%3 == 0 {
				a.free(len(a.chunks) - 1)
			}
			a.done++
			a.emit(event{Kind: "request", Request: r.ID, Seconds: time.Since(start).Seconds()})
			a.report()
		}
		a.emit(event{Kind: "round", Round: round})
		a.wait()
	}
	a.phase("idle", 0)
	for i := len(a.chunks) - 1; i >= 0; i -= 2 {
		a.free(i)
	}
	a.report()
	time.Sleep(time.Duration(p.IdleSeconds * float64(time.Second)))
	a.phase("settle", 0)
	a.report()
	a.phase("done", 0)
	return nil
}

// alloc maps a chunk and touches every page of it.
func (a *allocator) alloc() error {
	m, err := syscall.Mmap(-1, 0, a.chunk, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return fmt.Errorf("mapping %d bytes: %w", a.chunk, err)
	}
	for i := 0; i < len(m); i += os.Getpagesize() {
		m[i] = 1
	}
	a.chunks = append(a.chunks, m)
	return nil
}

// free unmaps chunk i.
func (a *allocator) free(i int) {
	if err := syscall.Munmap(a.chunks[i]); err != nil {
		a.emit(event{Kind: "error", Err: "munmap: " + err.Error()})
	}
	a.chunks = append(a.chunks[:i], a.chunks[i+1:]...)
}

func (a *allocator) report() {
	a.emit(event{Kind: "snapshot", Snapshot: &snapshot{
		LinearMemory: uint64(len(a.chunks) * a.chunk), LiveInstances: len(a.chunks), Requests: a.done,
	}})
}

// phase reports a phase and waits until the parent has sampled.
func (a *allocator) phase(name string, total int) {
	a.emit(event{Kind: "phase", Phase: name, Total: total})
	a.wait()
}

// wait waits for the parent's acknowledgement of the last event (at most
// 5 s), or pauses without acknowledgements.
func (a *allocator) wait() {
	if a.acks == nil {
		time.Sleep(a.pause)
		return
	}
	select {
	case <-a.acks:
	case <-time.After(5 * time.Second):
	}
}

func (a *allocator) emit(ev event) {
	b, _ := json.Marshal(ev) // plain structs: can't fail
	a.out.Write(append(b, '\n'))
}

// parseSize reads "8MiB", "512KiB" or a byte count.
func parseSize(s string) (int, error) {
	mult := 1
	num := s
	for suffix, m := range map[string]int{"KiB": 1 << 10, "MiB": 1 << 20} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			num, mult = n, m
		}
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("-chunk %q: want a positive size such as 8MiB", s)
	}
	return n * mult, nil
}
