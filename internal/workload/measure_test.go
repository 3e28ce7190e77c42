package workload

import (
	"image/png"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestMeasureWorkload generates a whole workload into a temporary cache
// and logs the wall and CPU time and the PNG compression ratio, then times
// a verifying reload. It is skipped unless LEAKBENCH_MEASURE names the
// workload:
//
//	LEAKBENCH_MEASURE=default go test -run TestMeasureWorkload -v -timeout 30m ./internal/workload
func TestMeasureWorkload(t *testing.T) {
	name := os.Getenv("LEAKBENCH_MEASURE")
	if name == "" {
		t.Skip("set LEAKBENCH_MEASURE=<workload> to measure generation")
	}
	def, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t0, c0 := time.Now(), cpuTime()
	w, err := Build(t.Context(), def, Options{CacheDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	wall, cpu := time.Since(t0), cpuTime()-c0
	var size, raw int
	for i, s := range w.Images {
		size += int(s.Size)
		px := 3
		if def.specs()[i].Alpha {
			px = 4
		}
		raw += s.Width * s.Height * px
	}
	t1 := time.Now()
	if _, err := Build(t.Context(), def, Options{CacheDir: dir}); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d images, %d requests a round; generated in %v (%v CPU); reload and verify %v; %.1f MB of PNG, %.3f of raw",
		name, len(w.Images), len(w.Requests), wall.Round(time.Millisecond), cpu.Round(time.Millisecond),
		time.Since(t1).Round(time.Millisecond), float64(size)/1e6, float64(size)/float64(raw))
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkGenerate measures the pixel generator alone, per megapixel.
func BenchmarkGenerate(b *testing.B) {
	spec := ImageSpec{Width: 1000, Height: 1000}
	b.SetBytes(int64(3 * spec.Width * spec.Height))
	for i := 0; b.Loop(); i++ {
		Generate(1, i, spec)
	}
}

// BenchmarkEncode compares the PNG levels on a generated megapixel.
func BenchmarkEncode(b *testing.B) {
	img := Generate(1, 0, ImageSpec{Width: 1000, Height: 1000})
	for _, level := range []struct {
		name  string
		level png.CompressionLevel
	}{{"BestSpeed", png.BestSpeed}, {"Default", png.DefaultCompression}} {
		b.Run(level.name, func(b *testing.B) {
			b.SetBytes(int64(3 * len(img.Pix) / 4))
			var n int
			for b.Loop() {
				data, err := encode(img, level.level)
				if err != nil {
					b.Fatal(err)
				}
				n = len(data)
			}
			b.ReportMetric(float64(n)/float64(3*len(img.Pix)/4), "ratio")
		})
	}
}
