package sampler

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"syscall"
	"time"
)

// PSSEvery is how often TreeSampler.Sample re-reads the tree's PSS by
// default. One read of /proc/PID/smaps_rollup walks the process's page
// tables, so it costs far more than the statm read behind RSS and grows
// with the resident memory. BenchmarkReadPSS on a shared 2-core VM, two
// runs at different load: 0.2-0.8 ms for 10 MiB, 9-35 ms for 256 MiB,
// 20-90 ms for 1 GiB, against 0.01-0.03 ms for statm at any size; a Node
// process of 2.7 GiB took 0.23 s, and seconds while its own threads kept
// both cores busy. The tree must be listed first as well.
const PSSEvery = 500 * time.Millisecond

// PSSCostFactor bounds what PSS reads may cost: the next read waits at
// least PSSCostFactor times as long as the last one took, so they take at
// most 1/PSSCostFactor (5%) of one core however large the tree grows: a
// read that took 100 ms is followed by the next after 2 s, not 0.5 s. The
// cost is wall time, so a sampler starved of CPU reads less often still.
const PSSCostFactor = 20

// TreeSample is one reading of a process tree.
type TreeSample struct {
	RSS uint64 // resident set size of the root process, bytes
	HWM uint64 // kernel high-water mark of the root's RSS (VmHWM), bytes; never below RSS

	// PSS is the proportional set size summed over the root and all its
	// descendants, bytes: each page shared by k processes counts 1/k in
	// each, so shared pages count once in the sum, where an RSS sum counts
	// them k times. Between reads (see PSSEvery) it is the last reading.
	PSS uint64
	// Processes is how many processes the last PSS reading summed: the
	// root and the descendants still alive when their smaps_rollup was
	// read.
	Processes int
	// PSSFresh says that PSS and Processes were read by this call; false
	// means they repeat an earlier reading.
	PSSFresh bool
}

// TreeSampler reads a process tree from outside: the root's RSS and VmHWM
// (as Sampler does) at every call, and the PSS of the whole tree at most
// every pssEvery.
//
// Descendants are found through /proc/PID/task/TID/children, which lists
// the children each thread forked: the cost grows with the threads of the
// tree, not with the processes of the machine. Kernels built without
// CONFIG_PROC_CHILDREN lack those files; there one pass over
// /proc/[0-9]*/stat per listing builds the parent-to-children map of the
// whole machine (BenchmarkListTree: 0.3-0.8 ms for the files of a tree of
// four, 1.7-7.4 ms for a scan of ~80 processes). Both are snapshots: a
// process forked during the listing may be missed (the next reading finds
// it), and one that exits between the listing and the read of its
// smaps_rollup is skipped, not an error. gopsutil's Process.Children is not
// used: it scans every /proc/N/stat of the machine once per node of the
// tree, allocates a Process per child and fails on a leaf. A descendant
// whose parent exits is reparented (to init or a subreaper) and leaves the
// tree.
//
// A TreeSampler is not goroutine-safe: it reuses its read buffers.
type TreeSampler struct {
	root     *Sampler
	pssEvery time.Duration
	pssAt    time.Time     // when the last PSS read started
	pssCost  time.Duration // how long it took
	pss      uint64
	procs    int

	// scan says that children come from a scan of /proc/[0-9]*/stat into
	// parents rather than from the tasks' children files.
	scan    bool
	parents map[int][]int // scan only: parent to children, rebuilt per listing
	list    []int         // the last listing, reused
	buf     []byte
}

// NewTree returns a TreeSampler for the tree rooted at process pid that
// reads PSS at most every pssEvery and at most every PSSCostFactor times
// the last read's duration (PSSEvery is the default; 0 reads PSS at every
// Sample, whatever it costs).
// It fails if the process does not exist or if the kernel has no
// /proc/PID/smaps_rollup (Linux 4.14 and later have it).
func NewTree(pid int, pssEvery time.Duration) (*TreeSampler, error) {
	root, err := New(pid)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(rollupPath(pid)); err != nil {
		return nil, fmt.Errorf("sampler: process %d: no PSS to read: %w", pid, err)
	}
	_, err = os.Stat(childrenPath(pid, pid))
	return &TreeSampler{
		root:     root,
		pssEvery: pssEvery,
		scan:     errors.Is(err, fs.ErrNotExist),
		buf:      make([]byte, 4096),
	}, nil
}

// Pid returns the root process of the tree.
func (t *TreeSampler) Pid() int { return t.root.Pid() }

// Sample reads the root's RSS and VmHWM and, when the last PSS reading is
// old enough (pssEvery, stretched by PSSCostFactor; always when pssEvery
// is 0) or there was none,
// lists the tree and sums its PSS. An error means the root could not be read (it has exited, or /proc
// refused); descendants that exit meanwhile are skipped.
func (t *TreeSampler) Sample() (TreeSample, error) {
	rss, hwm, err := t.root.Sample()
	if err != nil {
		return TreeSample{}, err
	}
	s := TreeSample{RSS: rss, HWM: hwm}
	now := time.Now()
	wait := max(t.pssEvery, PSSCostFactor*t.pssCost)
	if t.pssEvery == 0 || t.pssAt.IsZero() || now.Sub(t.pssAt) >= wait {
		pss, n, err := t.readTreePSS()
		if err != nil {
			return s, err
		}
		t.pss, t.procs, t.pssAt, t.pssCost = pss, n, now, time.Since(now)
		s.PSSFresh = true
	}
	s.PSS, s.Processes = t.pss, t.procs
	return s, nil
}

// SampleFresh is Sample with a PSS reading taken now, however recent the
// last one: for the landmarks of a run (a phase's end), where a stale
// reading would misplace the figure. Its cost counts toward the wait of
// the next Sample's reading as any other's.
func (t *TreeSampler) SampleFresh() (TreeSample, error) {
	t.pssAt = time.Time{}
	return t.Sample()
}

// readTreePSS lists the tree and sums the PSS of the processes still there.
func (t *TreeSampler) readTreePSS() (pss uint64, procs int, err error) {
	pids, err := t.listTree()
	if err != nil {
		return 0, 0, err
	}
	return t.sumPSS(pids)
}

// sumPSS sums the PSS of pids, the root first: a root that is gone is an
// error, a descendant that is gone is skipped.
func (t *TreeSampler) sumPSS(pids []int) (pss uint64, procs int, err error) {
	for i, pid := range pids {
		p, err := t.readPSS(pid)
		switch {
		case err == nil:
			pss += p
			procs++
		case errors.Is(err, errGone) && i > 0:
			// A descendant that exited after the listing.
		default:
			return 0, 0, err
		}
	}
	return pss, procs, nil
}

// errGone marks a process that no longer exists.
var errGone = errors.New("process gone")

// listTree returns the root and its descendants, parents before children.
func (t *TreeSampler) listTree() ([]int, error) {
	if t.scan {
		if err := t.scanParents(); err != nil {
			return nil, err
		}
	}
	t.list = append(t.list[:0], t.Pid())
	for i := 0; i < len(t.list); i++ {
		pid := t.list[i]
		if t.scan {
			t.list = append(t.list, t.parents[pid]...)
			continue
		}
		kids, err := t.taskChildren(pid)
		if errors.Is(err, errGone) && i > 0 {
			continue
		}
		if err != nil {
			return nil, err
		}
		t.list = append(t.list, kids...)
	}
	return t.list, nil
}

// taskChildren reads the children of every thread of pid from
// /proc/PID/task/TID/children ("123 456 ").
func (t *TreeSampler) taskChildren(pid int) ([]int, error) {
	tasks, err := os.ReadDir(taskDir(pid))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("sampler: threads of process %d: %w", pid, errGone)
		}
		return nil, fmt.Errorf("sampler: threads of process %d: %w", pid, err)
	}
	var kids []int
	for _, task := range tasks {
		tid, err := strconv.Atoi(task.Name())
		if err != nil {
			continue
		}
		b, err := t.read(childrenPath(pid, tid))
		if err != nil {
			continue // the thread exited; its children moved to another thread
		}
		for _, f := range bytes.Fields(b) {
			if kid, err := strconv.Atoi(string(f)); err == nil {
				kids = append(kids, kid)
			}
		}
	}
	return kids, nil
}

// scanParents rebuilds t.parents from the parent pid of every process in
// /proc/[0-9]*/stat.
func (t *TreeSampler) scanParents() error {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return fmt.Errorf("sampler: listing processes: %w", err)
	}
	if t.parents == nil {
		t.parents = make(map[int][]int)
	}
	clear(t.parents)
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := t.read(statPath(pid))
		if err != nil {
			continue // exited since the listing
		}
		if ppid, ok := parseStatPPID(b); ok {
			t.parents[ppid] = append(t.parents[ppid], pid)
		}
	}
	return nil
}

// parseStatPPID returns the parent pid from the text of /proc/PID/stat:
// "pid (comm) state ppid ...", where comm may hold spaces and parentheses,
// so the fields are counted from the last ')'.
func parseStatPPID(stat []byte) (int, bool) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(stat[i+1:])
	if len(f) < 2 {
		return 0, false
	}
	ppid, err := strconv.Atoi(string(f[1]))
	return ppid, err == nil
}

// readPSS returns the Pss of process pid from its smaps_rollup, in bytes.
// A process without memory (a zombie, a kernel thread) has an empty rollup
// and 0 PSS.
func (t *TreeSampler) readPSS(pid int) (uint64, error) {
	b, err := t.read(rollupPath(pid))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH) {
			return 0, fmt.Errorf("sampler: PSS of process %d: %w", pid, errGone)
		}
		return 0, fmt.Errorf("sampler: PSS of process %d: %w", pid, err)
	}
	pss, err := parseRollupKB(b, pssKey)
	if errors.Is(err, errNoField) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sampler: %s: %w", rollupPath(pid), err)
	}
	return pss, nil
}

// read reads a whole /proc file into the reused buffer, growing it as
// needed, and returns its contents up to the next read.
func (t *TreeSampler) read(name string) ([]byte, error) {
	b, err := readInto(name, t.buf)
	if cap(b) > cap(t.buf) {
		t.buf = b[:cap(b)]
	}
	return b, err
}

var (
	pssKey     = []byte("\nPss:")
	errNoField = errors.New("no such field")
)

// parseRollupKB returns the value of the field key ("\nPss:") of the text
// of smaps_rollup ("Pss:    123 kB"), in bytes. The leading newline keeps
// "Pss:" from matching "Pss_Anon:" and the like; the rollup's first line is
// its address header, never a field.
func parseRollupKB(rollup, key []byte) (uint64, error) { return parseKBField(rollup, key, errNoField) }

func rollupPath(pid int) string { return "/proc/" + strconv.Itoa(pid) + "/smaps_rollup" }
func statPath(pid int) string   { return "/proc/" + strconv.Itoa(pid) + "/stat" }
func taskDir(pid int) string    { return "/proc/" + strconv.Itoa(pid) + "/task" }
func childrenPath(pid, tid int) string {
	return "/proc/" + strconv.Itoa(pid) + "/task/" + strconv.Itoa(tid) + "/children"
}
