package cli

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
	"github.com/leakbench/leakbench/internal/childtest"
	"github.com/leakbench/leakbench/internal/results"
)

// hostileDir writes a folder that mixes good images, corrupt ones and
// files that are not images, and returns it with what each bad file must
// be reported with: the reason (part of it) in the terminal and in
// summary.json, and for the corrupt ones the error class of their failed
// requests ("" for a file that must be skipped).
func hostileDir(t *testing.T) (dir string, good []string, bad map[string]badFile) {
	t.Helper()
	dir = t.TempDir()
	img := image.NewNRGBA(image.Rect(0, 0, 256, 192))
	for y := range 192 {
		for x := range 256 {
			img.SetNRGBA(x, y, color.NRGBA{byte(x), byte(y), byte(x ^ y), 255})
		}
	}
	var p, j bytes.Buffer
	if err := png.Encode(&p, img); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&j, img, nil); err != nil {
		t.Fatal(err)
	}
	pngBytes, jpegBytes := p.Bytes(), j.Bytes()
	write := func(name string, b []byte) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good = []string{write("good1.png", pngBytes), write("good2.png", pngBytes), write("good3.jpg", jpegBytes)}

	// The IHDR chunk's CRC (bytes 29-32) damaged: Go's header parser
	// refuses it, so the file is rejected at load.
	crc := bytes.Clone(pngBytes)
	binary.BigEndian.PutUint32(crc[29:], binary.BigEndian.Uint32(crc[29:])^0xdeadbeef)
	// Over the workload's input limit, sparse: rejected from its size, never
	// read (the child would otherwise read it whole).
	huge := filepath.Join(dir, "huge.png")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(pngBytes[:33]); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(2 * int64(codecs.DefaultLimits().MaxInputBytes)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	bad = map[string]badFile{
		// Truncated after their headers: the decoder itself refuses them,
		// in its own words after the codecs' class.
		write("truncated.png", pngBytes[:len(pngBytes)/2]):   {codecs.ErrCorrupt.Error(), results.ClassCorrupt},
		write("truncated.jpg", jpegBytes[:len(jpegBytes)/2]): {codecs.ErrCorrupt.Error(), results.ClassCorrupt},
		write("badcrc.png", crc):                             {"invalid checksum", results.ClassCorrupt},
		huge:                                                 {"over the workload's input limit", results.ClassLimit},
		write("notes.txt", []byte("not an image\n")):         {"not a PNG or JPEG image", ""},
		write("empty.png", nil):                              {"empty file", ""},
		filepath.Join(dir, "sub"):                            {"a directory", ""},
	}
	return dir, good, bad
}

type badFile struct {
	reason string
	class  results.ErrorClass // "" = skipped
}

// TestRun_HostileImagesDir is bench run --images on a folder mixing good,
// corrupt and non-image files, through real child processes: exit 1,
// every request of a good file measured, every bad file named with its
// reason on the terminal and in summary.json, the corrupt ones' requests
// failed with their class, the others skipped.
func TestRun_HostileImagesDir(t *testing.T) {
	childtest.RunsChildren(t, "runs child processes")
	images, good, bad := hostileDir(t)
	dir := t.TempDir()
	scFile := writeScenario(t, dir, "hostile.yaml", "name: hostile\nworkload: tiny\npreset: fixed\nworkers: 1\nrounds: 1\nin_flight: 2\ninterval: 20ms\n")
	out := filepath.Join(dir, "out")
	code, stdout, stderr := bench(t, "run", "--images", images, "--out", out, scFile)
	t.Logf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
	if code != StatusFailed {
		t.Errorf("exit %d, want %d (requests failed)", code, StatusFailed)
	}
	terminal := stdout + stderr
	for path, b := range bad {
		line := ""
		for _, l := range strings.Split(terminal, "\n") {
			if strings.Contains(l, path) && strings.Contains(l, b.reason) {
				line = l
				break
			}
		}
		if line == "" {
			t.Errorf("the terminal never names %s with its reason %q", path, b.reason)
		}
	}

	s, err := results.ReadSummary(filepath.Join(out, "hostile"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Outcome != results.OutcomeCompleted {
		t.Fatalf("outcome %s (%s), want completed", s.Outcome, s.Error)
	}
	failed := map[string]results.SourceFailures{}
	for _, f := range s.FailedSources {
		failed[f.Source] = f
	}
	skipped := map[string]string{}
	for _, sk := range s.Skipped {
		skipped[sk.Path] = sk.Reason
	}
	sources := len(good)
	wantClasses := map[results.ErrorClass]int{}
	for path, b := range bad {
		if b.class == "" {
			if !strings.Contains(skipped[path], b.reason) {
				t.Errorf("summary.json: %s skipped as %q, want %q", path, skipped[path], b.reason)
			}
			continue
		}
		sources++
		f, ok := failed[path]
		if !ok || f.Failed == 0 || f.Classes[b.class] != f.Failed || len(f.First) == 0 {
			t.Errorf("summary.json: failed requests of %s = %+v, want all of class %s", path, f, b.class)
			continue
		}
		wantClasses[b.class] += f.Failed
		for _, r := range f.First {
			if !strings.Contains(r.Err, b.reason) || r.Request == 0 || r.Op == "" {
				t.Errorf("summary.json: %s: request %+v, want its id, its operation and %q", path, r, b.reason)
			}
		}
	}
	for _, path := range good {
		if f, ok := failed[path]; ok {
			t.Errorf("summary.json: good file %s failed: %+v", path, f)
		}
	}
	for class, n := range wantClasses {
		if s.ErrorClasses[class] != n {
			t.Errorf("error classes %v, want %s %d", s.ErrorClasses, class, n)
		}
	}

	// Every request ran; every good one was measured (ok, with a latency).
	events := readEvents(t, filepath.Join(out, "hostile"))
	perSource := s.Total / sources
	goodDone := 0
	for _, ev := range events {
		if ev.Kind != results.EventRequest {
			continue
		}
		for _, g := range good {
			if ev.Source == g && ev.Err == "" && ev.Seconds > 0 {
				goodDone++
			}
		}
	}
	if s.Total == 0 || s.Requests != s.Total || s.Errors != s.Total-len(good)*perSource || goodDone != len(good)*perSource {
		t.Errorf("requests %d of %d, %d failed, %d of the good files' measured; want all, %d failed, %d measured",
			s.Requests, s.Total, s.Errors, goodDone, s.Total-len(good)*perSource, len(good)*perSource)
	}
	if s.Latency["decode"].Count != len(good)*perSource {
		t.Errorf("decode latencies %d, want one per good request (%d)", s.Latency["decode"].Count, len(good)*perSource)
	}
}

// readEvents reads a run's events.jsonl.
func readEvents(t *testing.T, dir string) []results.Event {
	t.Helper()
	r, err := results.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r.Events
}
