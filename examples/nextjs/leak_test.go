package nextjs

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/sampler"
	"github.com/leakbench/leakbench/internal/workload"
)

// leakEnv opts in to TestDriver_LeakShows.
const leakEnv = "LEAKBENCH_NEXTJS_LEAK"

// TestDriver_LeakShows runs leakbench's default workload (one page of 20
// photo-like 12 MP PNGs, 15 workers, 6 requests in flight, as the presets)
// through the real optimizer of next@10.1.0 and next@10.1.3, samples the
// driver's process tree from outside (RSS and VmHWM of the node process,
// PSS of the tree) and checks that the leak shows: the leaky release grows
// more than twice as much as the fixed one. It takes minutes and several
// GiB, so it runs only with LEAKBENCH_NEXTJS_LEAK=1; LEAKBENCH_NEXTJS_IDLE
// sets the idle seconds (default 10).
func TestDriver_LeakShows(t *testing.T) {
	if os.Getenv(leakEnv) != "1" {
		t.Skipf("set %s=1 to run the default workload through both releases (minutes, several GiB)", leakEnv)
	}
	needNode(t)
	idle := 10.0
	if s := os.Getenv("LEAKBENCH_NEXTJS_IDLE"); s != "" {
		if _, err := fmt.Sscan(s, &idle); err != nil {
			t.Fatalf("LEAKBENCH_NEXTJS_IDLE=%q: %v", s, err)
		}
	}
	ctx := context.Background()
	start := time.Now()
	w, err := workload.Load(ctx, "default", workload.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("workload %s: %d images, %d requests, loaded in %v", w.Name, len(w.Images), len(w.Requests), time.Since(start).Round(time.Millisecond))
	p := plan{Scenario: "nextjs", Workload: w.Name, Rounds: 1, InFlight: 6, IdleSeconds: idle, Workers: 15}
	for i, r := range w.Requests {
		p.Requests = append(p.Requests, planRequest{
			ID: i + 1, Round: 1, Source: w.Images[r.Image].Path,
			Width: r.Width, Format: r.Format.String(), Quality: r.Quality, Rotate: r.Rotate,
		})
	}
	flags := nodeArgs(t)
	var lines []string
	growth := map[string]float64{}
	for _, version := range []string{"10.1.0", "10.1.3"} {
		dir := install(t, version)
		m := measure(t, flags, dir, p)
		growth[version] = m.growth()
		lines = append(lines, m.row(version))
	}
	t.Logf("\n| next | wall s | baseline RSS MiB | end of load | peak RSS | VmHWM | growth | after idle | after settle | PSS end of load | PSS after settle |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n%s",
		strings.Join(lines, "\n"))
	if growth["10.1.0"] <= 2*growth["10.1.3"] {
		t.Errorf("growth: next@10.1.0 %+.0f MiB, next@10.1.3 %+.0f MiB; want the leaky release to grow more than twice as much",
			growth["10.1.0"], growth["10.1.3"])
	}
}

// measurement is one run's curve at the protocol's landmarks, MiB.
type measurement struct {
	wall                                       time.Duration
	baseline, endLoad, peak, hwm, idle, settle float64
	pssEndLoad, pssSettle                      float64
}

func (m measurement) growth() float64 { return m.endLoad - m.baseline }

func (m measurement) row(version string) string {
	return fmt.Sprintf("| %s | %.1f | %.0f | %.0f | %.0f | %.0f | %+.0f | %.0f | %.0f | %.0f | %.0f |",
		version, m.wall.Seconds(), m.baseline, m.endLoad, m.peak, m.hwm, m.growth(), m.idle, m.settle, m.pssEndLoad, m.pssSettle)
}

type treeSample struct {
	at int64 // Unix ns
	s  sampler.TreeSample
}

// measure runs the plan on one install while a TreeSampler reads the
// driver every 100 ms, and takes the last sample before each landmark
// event: load (baseline), round (end of load), settle (after idle) and
// done (after settle).
func measure(t *testing.T, flags []string, dir string, p plan) measurement {
	t.Helper()
	start := time.Now()
	d := startDriver(t, flags, dir, p)
	tree, err := sampler.NewTree(d.cmd.Process.Pid, sampler.PSSEvery)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu      sync.Mutex
		samples []treeSample
		stop    = make(chan struct{})
		stopped = make(chan struct{})
	)
	var pssReads, threads int
	var pssCost, pssMax time.Duration
	status := fmt.Sprintf("/proc/%d/status", d.cmd.Process.Pid)
	go func() {
		defer close(stopped)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			t0 := time.Now()
			s, err := tree.Sample()
			if err == nil {
				mu.Lock()
				samples = append(samples, treeSample{at: time.Now().UnixNano(), s: s})
				mu.Unlock()
				if s.PSSFresh {
					pssReads++
					pssCost += time.Since(t0)
					pssMax = max(pssMax, time.Since(t0))
				}
			}
			if i%10 == 0 {
				threads = max(threads, threadCount(status))
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	run := d.wait(t)
	close(stop)
	<-stopped
	m := measurement{wall: time.Since(start)}
	if run.err != nil {
		t.Fatalf("driver %s: %v\n%s", dir, run.err, run.stderr)
	}
	at := map[string]int64{}
	for _, ev := range run.events {
		switch {
		case ev.Kind == results.EventRequest && ev.Err != "":
			t.Errorf("%s: %s", dir, ev.Err)
		case ev.Kind == results.EventPhase:
			at[string(ev.Phase)] = ev.Time
		case ev.Kind == results.EventRound:
			at["round"] = ev.Time
		}
	}
	for _, key := range []string{"load", "round", "settle", "done"} {
		if at[key] == 0 {
			t.Fatalf("%s: no %s event in %q", dir, key, run.raw)
		}
	}
	before := func(key string) sampler.TreeSample {
		var last sampler.TreeSample
		for _, s := range samples {
			if s.at > at[key] {
				break
			}
			last = s.s
		}
		return last
	}
	const mib = 1 << 20
	for _, s := range samples {
		m.peak = max(m.peak, float64(s.s.RSS)/mib)
		m.hwm = max(m.hwm, float64(s.s.HWM)/mib)
	}
	m.baseline = float64(before("load").RSS) / mib
	end, idle, settle := before("round"), before("settle"), before("done")
	m.endLoad, m.idle, m.settle = float64(end.RSS)/mib, float64(idle.RSS)/mib, float64(settle.RSS)/mib
	m.pssEndLoad, m.pssSettle = float64(end.PSS)/mib, float64(settle.PSS)/mib
	t.Logf("%s: %d samples, %d events, tree of %d, at most %d threads; %d PSS reads, mean %v, max %v; %s",
		dir, len(samples), len(run.events), end.Processes, threads, pssReads,
		(pssCost / time.Duration(max(pssReads, 1))).Round(time.Microsecond), pssMax.Round(time.Microsecond), strings.TrimSpace(run.stderr))
	return m
}

// threadCount returns the Threads: line of a /proc/PID/status file, 0 if
// it can't be read.
func threadCount(status string) int {
	b, err := os.ReadFile(status)
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if n, ok := strings.CutPrefix(line, "Threads:"); ok {
			var v int
			fmt.Sscan(n, &v)
			return v
		}
	}
	return 0
}
