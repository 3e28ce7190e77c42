package sampler

import (
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"
	"time"
)

func TestParseHWM(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    uint64
		wantErr bool
	}{
		{name: "ok", in: "Name:\tx\nVmPeak:\t  100 kB\nVmHWM:\t    2048 kB\nVmRSS:\t 1 kB\n", want: 2048 << 10},
		{name: "last line", in: "VmHWM:\t 1 kB", want: 1024},
		{name: "missing", in: "Name:\tx\n", wantErr: true},
		{name: "bad unit", in: "VmHWM:\t 1 MB\n", wantErr: true},
		{name: "bad number", in: "VmHWM:\t x kB\n", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseHWM([]byte(tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("parseHWM(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			}
			if got != tc.want {
				t.Fatalf("parseHWM(%q) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}

func TestSample_Self(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	s, err := New(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	rss, hwm, err := s.Sample()
	if err != nil {
		t.Fatal(err)
	}
	if rss == 0 || hwm == 0 {
		t.Fatalf("Sample() = rss %d, hwm %d; want both > 0", rss, hwm)
	}
	if hwm < rss {
		t.Fatalf("Sample() hwm %d < rss %d", hwm, rss)
	}
}

func TestSample_ExitedProcess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s, err := New(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Sample(); err == nil {
		t.Fatal("Sample() of a reaped process: want an error")
	}
}

func TestNew_NoSuchProcess(t *testing.T) {
	if _, err := New(1 << 30); err == nil {
		t.Fatal("New(no such pid): want an error")
	}
}

// BenchmarkSample measures the cost of one sample of the benchmark's own
// process: one gopsutil MemoryInfo (statm) plus one read of status.
func BenchmarkSample(b *testing.B) {
	s, err := New(os.Getpid())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := s.Sample(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOverhead10ms runs the sampling loop at the finest interval the
// runner allows (10 ms) for two seconds per iteration and reports the CPU
// time it cost (user + system, from getrusage) as a percentage of one core,
// "%core". The same loop without the Sample call runs for as long, and
// "%core-ticker" is its share: what waking up every 10 ms costs by itself,
// so "%core" minus "%core-ticker" is the sampler's own share. Target: below
// 1% of a core.
func BenchmarkOverhead10ms(b *testing.B) {
	s, err := New(os.Getpid())
	if err != nil {
		b.Fatal(err)
	}
	var loop, ticker float64
	for b.Loop() {
		loop += coreShare(b, func() {
			if _, _, err := s.Sample(); err != nil {
				b.Fatal(err)
			}
		})
		ticker += coreShare(b, func() {})
	}
	b.ReportMetric(loop/float64(b.N), "%core")
	b.ReportMetric(ticker/float64(b.N), "%core-ticker")
	b.ReportMetric(0, "ns/op")
}

// coreShare calls f every 10 ms for two seconds and returns the process's
// CPU time over that span as a percentage of the wall time.
func coreShare(b *testing.B, f func()) float64 {
	const (
		interval = 10 * time.Millisecond
		span     = 2 * time.Second
	)
	before := cpuTime(b)
	start := time.Now()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for time.Since(start) < span {
		<-tick.C
		f()
	}
	return 100 * (cpuTime(b) - before).Seconds() / time.Since(start).Seconds()
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSampleHWMEveryCall is BenchmarkSample with VmHWM read at every
// call, the cost at intervals of HWMEvery and above.
func BenchmarkSampleHWMEveryCall(b *testing.B) {
	s, err := New(os.Getpid())
	if err != nil {
		b.Fatal(err)
	}
	s.hwmEvery = 0
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := s.Sample(); err != nil {
			b.Fatal(err)
		}
	}
}
