package sampler

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests re-execute the test binary as helper processes with real
// memory: TestMain runs the helper named by helperEnv instead of the tests.
const (
	helperEnv      = "LEAKBENCH_SAMPLER_HELPER" // share, map or private
	helperFileEnv  = "LEAKBENCH_SAMPLER_FILE"   // share, map: the file to map
	helperMiBEnv   = "LEAKBENCH_SAMPLER_MIB"    // share, private: MiB to map and touch
	helperKidsEnv  = "LEAKBENCH_SAMPLER_KIDS"   // share: children that map the same file
	helperReadyMsg = "ready"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		if err := runHelper(mode); err != nil {
			fmt.Fprintf(os.Stderr, "sampler helper %s: %v\n", mode, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runHelper maps and touches memory, prints "ready sum=N [child pids...]" on
// stdout and holds the memory until stdin closes.
//   - share: creates a file of MiB mebibytes, maps it shared and writes
//     every page, then starts KIDS "map" helpers on the same file;
//   - map: maps the file shared and reads every page;
//   - private: maps MiB mebibytes of private anonymous memory and writes
//     every page.
func runHelper(mode string) error {
	mib, _ := strconv.Atoi(os.Getenv(helperMiBEnv))
	var mem []byte
	var err error
	var kids []*helperProc
	var sum byte
	switch mode {
	case "private":
		mem, err = syscall.Mmap(-1, 0, mib<<20, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
		if err != nil {
			return err
		}
		sum = touch(mem, true)
	case "share", "map":
		name := os.Getenv(helperFileEnv)
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return err
		}
		if mode == "share" {
			if err := f.Truncate(int64(mib) << 20); err != nil {
				return err
			}
		}
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		mem, err = syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
		if err != nil {
			return err
		}
		f.Close()
		sum = touch(mem, mode == "share")
		if mode == "share" {
			n, _ := strconv.Atoi(os.Getenv(helperKidsEnv))
			for range n {
				kid, err := startProcess("map", name, 0, 0)
				if err != nil {
					return err
				}
				kids = append(kids, kid)
			}
		}
	default:
		return fmt.Errorf("unknown mode %q", mode)
	}
	msg := helperReadyMsg + fmt.Sprintf(" sum=%d", sum)
	for _, k := range kids {
		msg += " " + strconv.Itoa(k.pids[0])
	}
	fmt.Println(msg)
	io.Copy(io.Discard, os.Stdin) // hold until the test closes stdin
	for _, k := range kids {
		if err := k.stop(); err != nil {
			return err
		}
	}
	return syscall.Munmap(mem)
}

// touch reads or writes one byte of every page of mem, so that each is
// resident. It returns the sum of the bytes read, so that the reads can't
// be optimised away.
func touch(mem []byte, write bool) (sum byte) {
	for i := 0; i < len(mem); i += os.Getpagesize() {
		if write {
			mem[i] = byte(i>>12) | 1
		}
		sum += mem[i]
	}
	return sum
}

// helperProc is a running helper: closing hold ends it.
type helperProc struct {
	cmd  *exec.Cmd
	hold io.WriteCloser
	pids []int // the helper's own pid, then the children it reported
}

func (h *helperProc) stop() error {
	h.hold.Close()
	return h.cmd.Wait()
}

// startProcess starts a helper and waits for its ready line.
func startProcess(mode, file string, mib, kids int) (*helperProc, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		helperEnv+"="+mode, helperFileEnv+"="+file,
		helperMiBEnv+"="+strconv.Itoa(mib), helperKidsEnv+"="+strconv.Itoa(kids))
	cmd.Stderr = os.Stderr
	hold, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	h := &helperProc{cmd: cmd, hold: hold, pids: []int{cmd.Process.Pid}}
	line, err := bufio.NewReader(out).ReadString('\n')
	f := strings.Fields(line)
	if err != nil || len(f) < 2 || f[0] != helperReadyMsg {
		h.stop()
		return nil, fmt.Errorf("helper %s: ready line %q, %v", mode, line, err)
	}
	for _, s := range f[2:] {
		pid, err := strconv.Atoi(s)
		if err != nil {
			h.stop()
			return nil, fmt.Errorf("helper %s: bad pid in %q", mode, line)
		}
		h.pids = append(h.pids, pid)
	}
	return h, nil
}

// startHelper is startProcess for a test: it fails the test on error and
// stops the helper at cleanup. It returns the helper's pid, then its
// children's.
func startHelper(tb testing.TB, mode string, mib, kids int) (pids []int) {
	tb.Helper()
	h, err := startProcess(mode, filepath.Join(tb.TempDir(), "shared"), mib, kids)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := h.stop(); err != nil {
			tb.Errorf("helper %s: %v", mode, err)
		}
	})
	return h.pids
}

func rssOf(tb testing.TB, pid int) uint64 {
	tb.Helper()
	s, err := New(pid)
	if err != nil {
		tb.Fatal(err)
	}
	rss, _, err := s.Sample()
	if err != nil {
		tb.Fatal(err)
	}
	return rss
}

const mib = 1 << 20

// sampleTree starts sampling the tree of pid, reading PSS at most every
// pssEvery, and takes its first sample.
func sampleTree(t *testing.T, pid int, pssEvery time.Duration) (*TreeSampler, TreeSample) {
	t.Helper()
	tr, err := NewTree(pid, pssEvery)
	if err != nil {
		t.Fatal(err)
	}
	s, err := tr.Sample()
	if err != nil {
		t.Fatal(err)
	}
	return tr, s
}

// TestTreePSS_SharedPages: a parent writes a 64 MiB shared file mapping
// and three children map and read all of it. Every process's RSS counts
// the 64 MiB, the PSS sum counts it once.
func TestTreePSS_SharedPages(t *testing.T) {
	const shared, kids = 64, 3
	pids := startHelper(t, "share", shared, kids)
	tr, s := sampleTree(t, pids[0], 0)
	if got := slices.Sorted(slices.Values(tr.list)); !slices.Equal(got, slices.Sorted(slices.Values(pids))) {
		t.Fatalf("tree listed %v, want the helper and its children %v", got, pids)
	}
	if s.Processes != 1+kids {
		t.Fatalf("Processes = %d, want %d", s.Processes, 1+kids)
	}
	var rssSum uint64
	for _, pid := range pids {
		rssSum += rssOf(t, pid)
	}
	t.Logf("tree of %d: PSS %.1f MiB, RSS sum %.1f MiB, root RSS %.1f MiB",
		s.Processes, float64(s.PSS)/mib, float64(rssSum)/mib, float64(s.RSS)/mib)
	if s.PSS < shared*mib {
		t.Errorf("PSS %.1f MiB < the %d MiB mapped by all: shared pages must count once", float64(s.PSS)/mib, shared)
	}
	// The RSS sum counts the shared pages 1+kids times, PSS once: the gap
	// is kids×64 MiB less the noise of the processes' private memory.
	if s.PSS >= rssSum || rssSum-s.PSS < (kids-1)*shared*mib {
		t.Errorf("RSS sum %.1f MiB - PSS %.1f MiB = %.1f MiB, want at least %d MiB",
			float64(rssSum)/mib, float64(s.PSS)/mib, (float64(rssSum)-float64(s.PSS))/mib, (kids-1)*shared)
	}
	if s.HWM < s.RSS {
		t.Errorf("root RSS %d, HWM %d: want HWM >= RSS", s.RSS, s.HWM)
	}
}

// TestTreePSS_SingleProcess: a process that shares almost nothing has a
// PSS equal to its RSS.
func TestTreePSS_SingleProcess(t *testing.T) {
	pids := startHelper(t, "private", 128, 0)
	_, s := sampleTree(t, pids[0], 0)
	if s.Processes != 1 {
		t.Fatalf("Processes = %d, want 1", s.Processes)
	}
	diff := (float64(s.PSS) - float64(s.RSS)) / float64(s.RSS)
	t.Logf("PSS %.1f MiB, RSS %.1f MiB: %+.1f%%", float64(s.PSS)/mib, float64(s.RSS)/mib, 100*diff)
	if s.RSS < 128*mib || diff < -0.05 || diff > 0.05 {
		t.Errorf("PSS %d vs RSS %d: %+.1f%%, want RSS >= 128 MiB and within 5%%", s.PSS, s.RSS, 100*diff)
	}
}

// TestTreePSS_Every: PSS is re-read only when pssEvery has passed.
func TestTreePSS_Every(t *testing.T) {
	for _, tc := range []struct {
		name  string
		every time.Duration
		fresh bool // the second sample's PSSFresh
	}{
		{name: "every call", every: 0, fresh: true},
		{name: "hourly", every: time.Hour, fresh: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, first := sampleTree(t, os.Getpid(), tc.every)
			if !first.PSSFresh || first.PSS == 0 || first.Processes != 1 {
				t.Fatalf("first Sample() = %+v, want a fresh PSS > 0 of 1 process", first)
			}
			// Touch 8 MiB of new memory so that a stale reading shows.
			hold, err := syscall.Mmap(-1, 0, 8*mib, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
			if err != nil {
				t.Fatal(err)
			}
			defer syscall.Munmap(hold)
			touch(hold, true)
			second, err := tr.Sample()
			if err != nil {
				t.Fatal(err)
			}
			if second.PSSFresh != tc.fresh {
				t.Fatalf("second Sample().PSSFresh = %v, want %v", second.PSSFresh, tc.fresh)
			}
			if !tc.fresh && (second.PSS != first.PSS || second.Processes != first.Processes) {
				t.Fatalf("stale PSS changed: %+v then %+v", first, second)
			}
			if tc.fresh && second.PSS < first.PSS+4*mib {
				t.Fatalf("fresh PSS %d after touching 8 MiB, first %d: want at least 4 MiB more", second.PSS, first.PSS)
			}
		})
	}
}

// TestTreePSS_CostStretchesInterval: a PSS read that took long delays the
// next one beyond pssEvery.
func TestTreePSS_CostStretchesInterval(t *testing.T) {
	tr, err := NewTree(os.Getpid(), time.Nanosecond)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := tr.Sample(); err != nil || !s.PSSFresh {
		t.Fatalf("first Sample() = %+v, %v; want a fresh PSS", s, err)
	}
	if tr.pssCost <= 0 {
		t.Fatalf("the read's cost was not recorded: %v", tr.pssCost)
	}
	tr.pssCost = time.Hour // as if the last read had taken an hour
	if s, err := tr.Sample(); err != nil || s.PSSFresh {
		t.Fatalf("Sample() after a costly read = %+v, %v; want the stale PSS", s, err)
	}
}

// TestTreePSS_GoneProcesses: a descendant that is gone between the listing
// and its read is skipped; a root that is gone is an error.
func TestTreePSS_GoneProcesses(t *testing.T) {
	reaped := exec.Command(os.Args[0], "-test.run=^$")
	if err := reaped.Run(); err != nil {
		t.Fatal(err)
	}
	zombie := exec.Command(os.Args[0], "-test.run=^$")
	zombie.Env = append(os.Environ(), helperEnv+"=private", helperMiBEnv+"=1")
	hold, err := zombie.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := zombie.Start(); err != nil {
		t.Fatal(err)
	}
	zombie.Process.Kill()
	// Not reaped until Wait: wait for the kill to land (state Z).
	for deadline := time.Now().Add(10 * time.Second); ; {
		b, _ := os.ReadFile(statPath(zombie.Process.Pid))
		if i := strings.LastIndexByte(string(b), ')'); i >= 0 && strings.HasPrefix(string(b[i:]), ") Z") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("killed helper never became a zombie")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Cleanup(func() { hold.Close(); zombie.Wait() })

	tr, err := NewTree(os.Getpid(), 0)
	if err != nil {
		t.Fatal(err)
	}
	pss, n, err := tr.sumPSS([]int{os.Getpid(), reaped.Process.Pid, zombie.Process.Pid})
	if err != nil || n != 1 || pss == 0 {
		t.Fatalf("sumPSS(self, reaped, zombie) = %d, %d, %v; want self's PSS, 1 process, no error", pss, n, err)
	}
	for _, pid := range []int{reaped.Process.Pid, zombie.Process.Pid} {
		if _, _, err := tr.sumPSS([]int{pid}); err == nil {
			t.Errorf("sumPSS(root %d gone): want an error", pid)
		}
	}
}

// TestListTree_BothWays: the tasks' children files and the scan of /proc
// find the same tree.
func TestListTree_BothWays(t *testing.T) {
	pids := startHelper(t, "share", 1, 2)
	tr, err := NewTree(pids[0], 0)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(pids)
	haveFiles := !tr.scan
	for _, scan := range []bool{false, true} {
		if !scan && !haveFiles {
			continue
		}
		tr.scan = scan
		got, err := tr.listTree()
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Sorted(slices.Values(got)); !slices.Equal(got, pids) {
			t.Errorf("scan=%v: listed %v, want %v", scan, got, pids)
		}
	}
	if !haveFiles {
		t.Skip("this kernel has no /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN off): the /proc scan was checked, the children files could not be")
	}
}

func TestParseRollupKB(t *testing.T) {
	const rollup = "55d5-7ffc ---p 00000000 00:00 0    [rollup]\nRss:     1696 kB\nPss:      352 kB\nPss_Anon:  112 kB\n"
	tests := []struct {
		name    string
		in      string
		want    uint64
		wantErr bool
	}{
		{name: "ok", in: rollup, want: 352 << 10},
		{name: "only Pss_Anon", in: "x [rollup]\nPss_Anon:  112 kB\n", wantErr: true},
		{name: "empty (zombie)", in: "", wantErr: true},
		{name: "bad unit", in: "x\nPss: 1 MB\n", wantErr: true},
		{name: "bad number", in: "x\nPss: -1 kB\n", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseRollupKB([]byte(tc.in), pssKey)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("parseRollupKB(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestParseStatPPID(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{in: "123 (bench) S 45 123 123 0", want: 45, ok: true},
		{in: "123 (a) b (c) R 7 1", want: 7, ok: true},
		{in: "123 (x", ok: false},
		{in: "123 (x) S", ok: false},
	}
	for _, tc := range tests {
		got, ok := parseStatPPID([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseStatPPID(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestNewTree_NoSuchProcess(t *testing.T) {
	if _, err := NewTree(1<<30, 0); err == nil {
		t.Fatal("NewTree(no such pid): want an error")
	}
}

// BenchmarkReadPSS measures one read of smaps_rollup beside one statm read
// (gopsutil MemoryInfo) of the same process, for processes of growing
// resident size: the kernel walks the page tables for the rollup, so its
// cost grows with memory; statm's does not.
func BenchmarkReadPSS(b *testing.B) {
	for _, size := range []int{0, 256, 1024} {
		pid := os.Getpid()
		if size > 0 {
			pid = startHelper(b, "private", size, 0)[0]
		}
		tr, err := NewTree(pid, 0)
		if err != nil {
			b.Fatal(err)
		}
		rss := float64(rssOf(b, pid)) / mib
		name := fmt.Sprintf("rss=%dMiB", size)
		if size == 0 {
			name = "rss=self"
		}
		b.Run(name+"/smaps_rollup", func(b *testing.B) {
			for b.Loop() {
				if _, err := tr.readPSS(pid); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(rss, "MiB-rss")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rss, "ns/MiB")
		})
		b.Run(name+"/statm", func(b *testing.B) {
			for b.Loop() {
				if _, err := tr.root.proc.MemoryInfo(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(rss, "MiB-rss")
		})
	}
}

// BenchmarkListTree lists a tree of a root and three children both ways:
// the children files cost per thread of the tree, the scan per process of
// the machine.
func BenchmarkListTree(b *testing.B) {
	pids := startHelper(b, "share", 1, 3)
	tr, err := NewTree(pids[0], 0)
	if err != nil {
		b.Fatal(err)
	}
	auto := tr.scan
	for _, scan := range []bool{false, true} {
		name := map[bool]string{false: "children-files", true: "proc-scan"}[scan]
		b.Run(name, func(b *testing.B) {
			if !scan && auto {
				b.Skip("no /proc/PID/task/TID/children on this kernel")
			}
			tr.scan = scan
			for b.Loop() {
				if got, err := tr.listTree(); err != nil || len(got) != len(pids) {
					b.Fatalf("listTree() = %v, %v; want %d processes", got, err, len(pids))
				}
			}
		})
	}
}

// BenchmarkTreeSample is one TreeSampler.Sample of a tree of four: with
// PSS read at every call, and with PSSEvery (most calls read only RSS and
// VmHWM of the root).
func BenchmarkTreeSample(b *testing.B) {
	pids := startHelper(b, "share", 16, 3)
	for _, every := range []time.Duration{0, PSSEvery} {
		b.Run("pss-every="+every.String(), func(b *testing.B) {
			tr, err := NewTree(pids[0], every)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tr.Sample(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
