package perimage

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// write makes a run folder with a summary and the given event lines.
func write(t *testing.T, summary string, events ...string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "summary.json"), []byte(summary), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "events.jsonl"), []byte(strings.Join(events, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const mib = 1 << 20

func TestReadAndCompute(t *testing.T) {
	stable, err := Read(write(t, `{"scenario":"x-stable","target":"x","outcome":"completed","settled":1048576,"heap_live_after_settle":2097152,"leaked_after_settle":0}`,
		`{"kind":"op","codec":"decode","memory":0,"bytes_out":100}`))
	if err != nil {
		t.Fatal(err)
	}
	keep, err := Read(write(t, `{"scenario":"x-keep","target":"x","outcome":"completed","settled":21495808,"heap_live_after_settle":23068672,"leaked_after_settle":20971520}`,
		`{"kind":"phase","phase":"load"}`,
		`{"kind":"op","codec":"decode","memory":8388608,"bytes_out":1048576}`,
		`{"kind":"op","codec":"resize","request":1}`,
		`{"kind":"op","codec":"decode","memory":12582912,"bytes_out":3145728}`))
	if err != nil {
		t.Fatal(err)
	}
	if keep.Decodes != 2 || keep.Memory != 10*mib || keep.Pixels != 2*mib || keep.Held != 20*mib {
		t.Fatalf("keep run %+v: want 2 decodes, mean memory 10 MiB, mean pixels 2 MiB, held 20 MiB", keep)
	}
	copyOut, err := Read(write(t, `{"scenario":"x-copyout","target":"x","outcome":"completed","settled":5242880,"heap_live_after_settle":6291456,"leaked_after_settle":4194304}`,
		`{"kind":"op","codec":"decode","bytes_out":1048576}`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Compute(stable, keep, copyOut, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := Row{Target: "x", Kept: 2, Pixels: 2 * mib, Memory: 10 * mib, Backing: 10 * mib, RSS: 9.75 * mib, Heap: 10 * mib, CopyRSS: 2 * mib, CopyHeap: 2 * mib}
	if r != want {
		t.Errorf("Compute = %+v\nwant      %+v", r, want)
	}

	crashed := stable
	crashed.Outcome = "crashed"
	other := copyOut
	other.Target = "y"
	if _, err := Compute(crashed, stable, other, 0); err == nil ||
		!strings.Contains(err.Error(), `x-stable: outcome "crashed"`) || !strings.Contains(err.Error(), `x-copyout: target "y"`) ||
		!strings.Contains(err.Error(), "keeps 0 images") || !strings.Contains(err.Error(), "no decode op with its instance's memory size") {
		t.Errorf("Compute of bad runs: %v; want every problem named", err)
	}
}

func TestReadErrors(t *testing.T) {
	if _, err := Read(t.TempDir()); err == nil || !strings.Contains(err.Error(), "summary.json") {
		t.Errorf("empty folder: %v", err)
	}
	dir := write(t, `{"scenario":"x"}`, `{"kind":"op"}`, `not json`)
	if _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "events.jsonl:2") {
		t.Errorf("bad event line: %v; want its file and line", err)
	}
	if _, err := Read(write(t, `{`)); err == nil || !strings.Contains(err.Error(), "summary.json") {
		t.Errorf("bad summary: %v", err)
	}
}
