package report

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/results"
)

func TestLoadRoundTrip(t *testing.T) {
	want := fakeStages()[2]
	dir := writeRunDir(t, t.TempDir(), want)
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Dir != dir || got.Name() != "repro-fix1+2" {
		t.Errorf("Dir %q Name %q", got.Dir, got.Name())
	}
	if len(got.Samples) != len(want.Samples) {
		t.Fatalf("%d samples, want %d", len(got.Samples), len(want.Samples))
	}
	if got.Samples[10] != want.Samples[10] {
		t.Errorf("sample 10: got %+v, want %+v", got.Samples[10], want.Samples[10])
	}
	if got.Summary.Growth != want.Summary.Growth || got.Summary.Peak != want.Summary.Peak {
		t.Errorf("summary: growth %d peak %d, want %d %d", got.Summary.Growth, got.Summary.Peak, want.Summary.Growth, want.Summary.Peak)
	}
	if len(got.Warnings) != 0 {
		t.Errorf("warnings: %q", got.Warnings)
	}
}

// corrupt writes a run directory whose samples.jsonl is replaced by lines.
func corrupt(t *testing.T, lines string) string {
	t.Helper()
	dir := writeRunDir(t, t.TempDir(), fakeStages()[0])
	if err := os.WriteFile(filepath.Join(dir, results.SamplesJSON), []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadCorruptLine(t *testing.T) {
	dir := corrupt(t, `{"t":0,"phase":"startup","rss":1000}
{"t":0.1,"phase":"startup","rss":1100}
{"t":0.2,"phase":"load","rss":oops}
{"t":0.3,"phase":"load","rss":1300}
`)
	_, err := Load(dir)
	if err == nil {
		t.Fatal("no error for a corrupt line in the middle")
	}
	want := filepath.Join(dir, results.SamplesJSON) + ":3:"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name %q", err, want)
	}
}

func TestLoadTruncatedLastLine(t *testing.T) {
	dir := corrupt(t, `{"t":0,"phase":"startup","rss":1000}

{"t":0.1,"phase":"load","rss":1100}
{"t":0.2,"phase":"lo`)
	r, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Samples) != 2 {
		t.Errorf("%d samples, want 2", len(r.Samples))
	}
	if len(r.Warnings) == 0 || !strings.Contains(r.Warnings[0], "line 4") || !strings.Contains(r.Warnings[0], "truncated") {
		t.Errorf("warnings %q: want the dropped line 4 named", r.Warnings)
	}
}

func TestLoadMissing(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(dir)
	if err == nil || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), results.SummaryFile) {
		t.Errorf("no summary: error %v", err)
	}

	dir = writeRunDir(t, t.TempDir(), fakeStages()[0])
	os.Remove(filepath.Join(dir, results.SamplesJSON))
	_, err = Load(dir)
	if err == nil || !errors.Is(err, fs.ErrNotExist) ||
		!strings.Contains(err.Error(), results.SamplesJSON) || !strings.Contains(err.Error(), results.SamplesCSV) {
		t.Errorf("no samples: error %v", err)
	}

	if err := os.WriteFile(filepath.Join(dir, results.SummaryFile), []byte("{\n  \"scenario\": \"x\",\n  \"peak\": \"big\"\n}"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(dir)
	if err == nil || !strings.Contains(err.Error(), results.SummaryFile) || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("corrupt summary: error %v, want the file and line 3 named", err)
	}
}

func TestLoadCrashedRun(t *testing.T) {
	c := stageCurves()[0]
	c.outcome, c.cutAt = results.OutcomeRSSCap, 20
	run := fakeRun(c)
	dir := writeRunDir(t, t.TempDir(), run)
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Summary.Outcome != results.OutcomeRSSCap || len(got.Samples) == 0 {
		t.Errorf("outcome %q, %d samples", got.Summary.Outcome, len(got.Samples))
	}
}

func TestLoadCSV(t *testing.T) {
	dir := writeRunDir(t, t.TempDir(), fakeStages()[3])
	os.Remove(filepath.Join(dir, results.SamplesJSON))
	// Columns in another order than the struct, plus an unknown one, and
	// the holder columns of a file written before the harness named no
	// holder (leaked_views, listeners), which count in held.
	csv := "rss,t,phase,heap_live,extra,leaked_views,listeners,linear_memory,round\n" +
		"1000,0,startup,10,x,0,0,0,0\n" +
		"2000,0.5,load,20,x,5,6,7,1\n" +
		"3000,1.0,idle,30,x,5,6,0,1\n" +
		"4000,1.5,sett"
	if err := os.WriteFile(filepath.Join(dir, results.SamplesCSV), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Samples) != 3 {
		t.Fatalf("%d samples, want 3 (the truncated last row dropped)", len(r.Samples))
	}
	s := r.Samples[1]
	if s.T != 0.5 || s.Phase != results.PhaseLoad || s.RSS != 2000 || s.HeapLive != 20 ||
		s.Held != 11 || s.LinearMemory != 7 || s.Round != 1 {
		t.Errorf("row 2 parsed as %+v", s)
	}
	found := false
	for _, w := range r.Warnings {
		found = found || strings.Contains(w, "line 5")
	}
	if !found {
		t.Errorf("warnings %q: want line 5 named", r.Warnings)
	}

	bad := strings.Replace(csv, "2000,0.5", "2000,zero", 1)
	os.WriteFile(filepath.Join(dir, results.SamplesCSV), []byte(bad), 0o644)
	_, err = Load(dir)
	if want := results.SamplesCSV + ":3:"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("corrupt CSV row: error %v, want %q", err, want)
	}

	os.WriteFile(filepath.Join(dir, results.SamplesCSV), []byte("time,rss\n1,2\n"), 0o644)
	_, err = Load(dir)
	if err == nil || !strings.Contains(err.Error(), `"t"`) {
		t.Errorf("CSV without t: error %v", err)
	}
}

func TestLoadWarnsOnCountMismatch(t *testing.T) {
	run := fakeStages()[1]
	run.Summary.Samples += 3
	dir := writeRunDir(t, t.TempDir(), run)
	r, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("summary counts %d samples", run.Summary.Samples)
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], want) {
		t.Errorf("warnings %q, want %q", r.Warnings, want)
	}
}
