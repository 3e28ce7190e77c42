package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/results"
)

func TestWriteIndex(t *testing.T) {
	dir := t.TempDir()
	for _, r := range fakeStages() {
		writeRunDir(t, filepath.Join(dir, "runs"), r)
	}
	files := map[string]string{
		"overlay.png":               "png",
		"overlay.svg":               "<svg/>",
		"summary.md":                "# x",
		"odd name.svg":              "<svg/>",
		"notes/extra.log":           "log",
		".hidden":                   "secret",
		"runs/repro-before/x.pprof": "prof",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	md := writeIndex(t, dir, "invocation 42", nil)
	wantTexts(t, "index", md,
		"# invocation 42",
		"**overlay**: [PNG](overlay.png) · [SVG](overlay.svg)",
		"![overlay](overlay.png)",
		"- [odd name.svg](odd%20name.svg)",
		"- [summary.md](summary.md)",
		"- [runs/repro-fix1+2/](runs/repro-fix1+2/) — repro-fix1+2 · fix1+2 (pipeline, fresh, views leaked, listeners leaked), completed",
		"  - [samples.jsonl](runs/repro-fix1+2/samples.jsonl)",
		"  - [summary.json](runs/repro-before/summary.json)",
		"  - [x.pprof](runs/repro-before/x.pprof)",
		"- [notes/extra.log](notes/extra.log)",
	)
	if strings.Contains(md, ".hidden") || strings.Contains(md, "(index.md)") {
		t.Errorf("index lists a hidden file or itself\n%s", md)
	}
	// Every file is linked exactly once as a link target.
	if n := strings.Count(md, "(overlay.svg)"); n != 1 {
		t.Errorf("overlay.svg linked %d times", n)
	}

	// A run the caller holds is described from memory, not from its
	// summary.json; the others still from disk.
	held := fakeStages()[0]
	held.Dir = filepath.Join(dir, "runs", held.Name())
	held.Summary.Outcome = results.OutcomeRSSCap
	os.WriteFile(filepath.Join(dir, "runs", "repro-fix1", results.SummaryFile), []byte("{oops"), 0o644)
	wantTexts(t, "index", writeIndex(t, dir, "invocation 43", []Run{held}),
		"- [runs/repro-before/](runs/repro-before/) — repro-before · before (per-worker×15, reuse, views leaked, listeners leaked), rss-cap",
		"- [runs/repro-fix1/](runs/repro-fix1/) — summary corrupt",
		"- [runs/repro-fixed/](runs/repro-fixed/) — repro-fixed · fixed (pipeline, fresh, views cleared, listeners removed), completed",
	)
}

// TestInvocation builds an invocation folder the way bench does: runs
// saved by the runner, loaded back, drawn, summarised and indexed.
func TestInvocation(t *testing.T) {
	dir := outDir(t)
	var runs []Run
	for _, r := range fakeStages() {
		rd := writeRunDir(t, dir, r)
		loaded, err := Load(rd)
		if err != nil {
			t.Fatal(err)
		}
		if err := PlotRun(loaded, filepath.Join(rd, "rss")); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, loaded)
	}
	if err := PlotOverlay(runs, "leakbench reproduce", filepath.Join(dir, "overlay")); err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, runs); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.md"), md.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	wantTexts(t, "index.md", writeIndex(t, dir, "leakbench reproduce", runs), "![overlay](overlay.png)", "(summary.md)",
		"- [repro-fix1+2/](repro-fix1+2/) — repro-fix1+2 · fix1+2 (pipeline, fresh, views leaked, listeners leaked), completed",
		"  - [rss.png](repro-fix1+2/rss.png)", "  - [rss.svg](repro-fixed/rss.svg)", "  - [samples.jsonl](repro-before/samples.jsonl)")
}

// TestWriteIndex_LinksProfiles: a run's entry links the profiles its
// summary names, by kind and landmark with the RSS then, and says how to
// read them; a named profile whose file is missing is not linked.
func TestWriteIndex_LinksProfiles(t *testing.T) {
	dir := t.TempDir()
	r := fakeStages()[0]
	r.Summary.Profiles = []results.Profile{
		{Kind: results.ProfileHeap, Landmark: results.LandmarkPeak, File: results.ProfileFile(results.ProfileHeap, results.LandmarkPeak), RSS: 300 << 20},
		{Kind: results.ProfileHeap, Landmark: results.LandmarkAfterSettle, File: results.ProfileFile(results.ProfileHeap, results.LandmarkAfterSettle), RSS: 20 << 20},
		{Kind: results.ProfileLinear, Landmark: results.LandmarkAfterSettle, File: results.ProfileFile(results.ProfileLinear, results.LandmarkAfterSettle), RSS: 20 << 20},
	}
	rd := writeRunDir(t, filepath.Join(dir, "runs"), r)
	for _, p := range r.Summary.Profiles[:2] { // the linear one is missing
		if err := os.WriteFile(filepath.Join(rd, p.File), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	md := writeIndex(t, dir, "", nil)
	d := "runs/" + r.Name() + "/"
	want := "  - pprof Go heap: [peak](" + link(d) + "heap-peak.pb.gz) (RSS 300.0 MiB) · [after settle](" + link(d) + "heap-after-settle.pb.gz) (RSS 20.0 MiB)\n"
	if !strings.Contains(md, want) || !strings.Contains(md, "-diff_base A B") {
		t.Errorf("index lacks %q and the diff hint\n%s", want, md)
	}
	if strings.Contains(md, "pprof wasm linear memory") {
		t.Errorf("index links a missing profile\n%s", md)
	}
}
