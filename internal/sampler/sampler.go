// Package sampler reads the memory of a running process from outside: its
// resident set size through gopsutil and the kernel's own high-water mark of
// it (VmHWM), which catches peaks that fall between two samples. A
// TreeSampler adds the proportional set size (PSS) of the process and all
// its descendants, which counts pages shared between them once where a sum
// of their RSS would count them once per process.
//
// A Sampler is meant to be called in a loop at a short interval (10 ms at
// the finest), so it keeps one gopsutil *process.Process and one read
// buffer and allocates as little as it can per call.
//
// It owns reading /proc and gopsutil; what to sample when, and what the
// numbers mean, belong to the runner that calls it.
package sampler

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/shirou/gopsutil/v4/process"
)

// Sampler reads the RSS and VmHWM of one process.
//
// A Sampler is not goroutine-safe: it reuses its read buffer.
type Sampler struct {
	proc       *process.Process
	statusPath string
	buf        []byte

	// VmHWM only grows, so it is re-read at most every hwmEvery; between
	// reads the last value, raised to the current RSS, is a lower bound of
	// the true mark that never misses a sampled peak.
	hwmEvery time.Duration
	hwmAt    time.Time
	hwm      uint64
}

// HWMEvery is how often Sample re-reads VmHWM at most. Reading
// /proc/PID/status costs about as much as the RSS itself, and the mark only
// grows, so at the finest sample intervals most samples can reuse it.
const HWMEvery = 100 * time.Millisecond

// New returns a Sampler for the process pid. It fails if the process does
// not exist.
func New(pid int) (*Sampler, error) {
	p, err := process.NewProcess(int32(pid))
	if err != nil {
		return nil, fmt.Errorf("sampler: process %d: %w", pid, err)
	}
	return &Sampler{
		proc:       p,
		statusPath: "/proc/" + strconv.Itoa(pid) + "/status",
		buf:        make([]byte, 4096),
		hwmEvery:   HWMEvery,
	}, nil
}

// Pid returns the process the Sampler reads.
func (s *Sampler) Pid() int { return int(s.proc.Pid) }

// Sample returns the process's resident set size and its kernel high-water
// mark of it, in bytes. gopsutil reads the RSS from /proc/PID/statm; VmHWM
// comes from /proc/PID/status, which gopsutil does not expose, re-read at
// most every HWMEvery (in between, the last mark raised to the current RSS).
// hwm is never below rss. When the mark can't be read at all (not Linux, a
// kernel that hides it) hwm is the highest RSS seen; a process that has
// exited returns an error.
func (s *Sampler) Sample() (rss, hwm uint64, err error) {
	mi, err := s.proc.MemoryInfo()
	if err != nil {
		return 0, 0, fmt.Errorf("sampler: rss of process %d: %w", s.proc.Pid, err)
	}
	if now := time.Now(); now.Sub(s.hwmAt) >= s.hwmEvery {
		h, err := s.readHWM()
		if err != nil && !errors.Is(err, errNoHWM) {
			return mi.RSS, 0, err
		}
		s.hwm = max(s.hwm, h)
		s.hwmAt = now
	}
	s.hwm = max(s.hwm, mi.RSS)
	return mi.RSS, s.hwm, nil
}

var errNoHWM = errors.New("sampler: no VmHWM line")

// readHWM reads /proc/PID/status into the reused buffer and parses only its
// VmHWM line ("VmHWM:\t  123456 kB").
func (s *Sampler) readHWM() (uint64, error) {
	b, err := readInto(s.statusPath, s.buf)
	if cap(b) > cap(s.buf) {
		s.buf = b[:cap(b)]
	}
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ESRCH) {
			return 0, errNoHWM
		}
		return 0, fmt.Errorf("sampler: %w", err)
	}
	return parseHWM(b)
}

// readInto reads the whole file name into buf, growing it when the file is
// larger, and returns the contents (which share buf's array unless it grew).
// /proc files have no size, so it reads until EOF.
func readInto(name string, buf []byte) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return buf[:0], err
	}
	defer f.Close()
	buf = buf[:cap(buf)]
	n := 0
	for {
		if n == len(buf) {
			buf = append(buf, make([]byte, len(buf)+1)...)
		}
		m, err := f.Read(buf[n:])
		n += m
		if err == io.EOF || (err == nil && m == 0) {
			return buf[:n], nil
		}
		if err != nil {
			return buf[:n], err
		}
	}
}

var hwmKey = []byte("VmHWM:")

// parseHWM finds the VmHWM line in the text of /proc/PID/status and returns
// its value in bytes.
func parseHWM(status []byte) (uint64, error) { return parseKBField(status, hwmKey, errNoHWM) }

// parseKBField returns the value of the "Key:   123 kB" line that key
// ("VmHWM:", "\nPss:") starts in text, in bytes, or missing when there is
// none: the one parser of /proc's kB fields.
func parseKBField(text, key []byte, missing error) (uint64, error) {
	i := bytes.Index(text, key)
	if i < 0 {
		return 0, missing
	}
	name := strings.TrimSuffix(strings.TrimPrefix(string(key), "\n"), ":")
	line := text[i+len(key):]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	fields := bytes.Fields(line)
	if len(fields) != 2 || string(fields[1]) != "kB" {
		return 0, fmt.Errorf("sampler: malformed %s line %q", name, line)
	}
	kb, err := strconv.ParseUint(string(fields[0]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("sampler: malformed %s line %q: %w", name, line, err)
	}
	return kb << 10, nil
}
