package report

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/texttab"
)

// IndexFile is the name of the index WriteIndex writes.
const IndexFile = "index.md"

// WriteIndex writes dir/index.md linking every file below dir (an
// invocation folder): the plots first, each PNG shown inline with a link
// to its SVG twin, then the markdown, JSON and CSV files at the top, then
// one entry per run folder (a folder holding summary.json) with its
// scenario, outcome and every file in it, then any other file. Links are
// relative, so the folder can be moved or browsed on GitHub. Hidden files
// and the index itself are skipped; the order is sorted, so the same
// folder always gives the same index.
//
// runs are the runs the caller holds: a run folder's entry is described
// from the run of that directory among them, and only a folder none of
// them is read from has its summary.json read.
func WriteIndex(dir, title string, runs []Run) error {
	files, err := indexedFiles(dir)
	if err != nil {
		return fmt.Errorf("report: index of %s: %w", dir, err)
	}
	e := sortEntries(files)

	var b bytes.Buffer
	if title == "" {
		title = "leakbench results"
	}
	fmt.Fprintf(&b, "# %s\n\n", title)
	e.writePlots(&b)
	writeLinks(&b, "Summaries", e.docs)
	e.writeRuns(&b, dir, runs)
	writeLinks(&b, "Other files", e.other)
	if len(files) == 0 {
		fmt.Fprintln(&b, "_This folder holds no files yet._")
	}
	if err := os.WriteFile(filepath.Join(dir, IndexFile), b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// indexedFiles returns the files below dir the index lists, as sorted
// slash paths relative to dir: not hidden, not the index itself.
func indexedFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == IndexFile {
			return nil
		}
		files = append(files, rel)
		return nil
	})
	slices.Sort(files)
	return files, err
}

// indexEntries are an index's files by section.
type indexEntries struct {
	plots, docs, other []string
	byRun              map[string][]string // a run folder's files, by folder
	fileSet            map[string]bool     // every file
}

// sortEntries puts each file in its section: a run folder's (a folder
// holding a summary.json) under its run, else plots (a PNG, or an SVG
// without one), the top-level markdown, JSON, CSV and text files, and
// the others. Top-level plots come first, then by name without
// extension, so "fix1" comes before "fix1+2".
func sortEntries(files []string) indexEntries {
	e := indexEntries{byRun: map[string][]string{}, fileSet: map[string]bool{}}
	runDirs := map[string]bool{}
	for _, f := range files {
		e.fileSet[f] = true
		if path.Base(f) == results.SummaryFile && path.Dir(f) != "." {
			runDirs[path.Dir(f)] = true
		}
	}
	runOf := func(f string) string {
		for d := path.Dir(f); d != "."; d = path.Dir(d) {
			if runDirs[d] {
				return d
			}
		}
		return ""
	}
	for _, f := range files {
		if d := runOf(f); d != "" {
			e.byRun[d] = append(e.byRun[d], f)
			continue
		}
		switch ext := strings.ToLower(path.Ext(f)); {
		case ext == ".png":
			e.plots = append(e.plots, f)
		case ext == ".svg" && e.fileSet[strings.TrimSuffix(f, path.Ext(f))+".png"]:
			// listed with its PNG
		case ext == ".svg":
			e.plots = append(e.plots, f)
		case ext == ".md" || ext == ".json" || ext == ".csv" || ext == ".jsonl" || ext == ".txt":
			if path.Dir(f) == "." {
				e.docs = append(e.docs, f)
			} else {
				e.other = append(e.other, f)
			}
		default:
			e.other = append(e.other, f)
		}
	}
	slices.SortStableFunc(e.plots, func(a, b string) int {
		if da, db := strings.Count(a, "/"), strings.Count(b, "/"); da != db {
			return da - db
		}
		return strings.Compare(strings.TrimSuffix(a, path.Ext(a)), strings.TrimSuffix(b, path.Ext(b)))
	})
	return e
}

// writeLinks writes a section of links to files, none when files is
// empty.
func writeLinks(b *bytes.Buffer, title string, files []string) {
	if len(files) == 0 {
		return
	}
	fmt.Fprintf(b, "## %s\n\n", title)
	for _, f := range files {
		fmt.Fprintf(b, "- [%s](%s)\n", f, link(f))
	}
	fmt.Fprintln(b)
}

// writePlots writes the Plots section: each PNG inline with a link to
// its SVG twin, a lone SVG as a link.
func (e indexEntries) writePlots(b *bytes.Buffer) {
	if len(e.plots) == 0 {
		return
	}
	fmt.Fprintln(b, "## Plots")
	fmt.Fprintln(b)
	for _, f := range e.plots {
		name := strings.TrimSuffix(f, path.Ext(f))
		if path.Ext(f) == ".svg" {
			fmt.Fprintf(b, "- [%s](%s)\n\n", f, link(f))
			continue
		}
		fmt.Fprintf(b, "**%s**: [PNG](%s)", name, link(f))
		if svg := name + ".svg"; e.fileSet[svg] {
			fmt.Fprintf(b, " · [SVG](%s)", link(svg))
		}
		fmt.Fprintf(b, "\n\n![%s](%s)\n\n", name, link(f))
	}
}

// writeRuns writes the Runs section: one entry per run folder with its
// scenario and outcome (from the caller's runs, else its summary.json),
// its profiles and every file in it.
func (e indexEntries) writeRuns(b *bytes.Buffer, dir string, runs []Run) {
	if len(e.byRun) == 0 {
		return
	}
	fmt.Fprintln(b, "## Runs")
	fmt.Fprintln(b)
	dirs := make([]string, 0, len(e.byRun))
	for d := range e.byRun {
		dirs = append(dirs, d)
	}
	slices.Sort(dirs)
	for _, d := range dirs {
		s, note := runSummary(filepath.Join(dir, filepath.FromSlash(d)), runs)
		fmt.Fprintf(b, "- [%s/](%s/)%s\n", d, link(d), runBlurb(s, note))
		for _, line := range profileLinks(d, s, e.fileSet) {
			fmt.Fprintf(b, "  - %s\n", line)
		}
		for _, f := range e.byRun[d] {
			rel := strings.TrimPrefix(f, d+"/")
			fmt.Fprintf(b, "  - [%s](%s)\n", rel, link(f))
		}
	}
	fmt.Fprintln(b)
}

// link escapes a relative slash path for a markdown link ("fix1+2" and
// spaces survive).
func link(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// runSummary is the summary of the run in runDir: the one among runs
// read from it, else its summary.json, or a note when that cannot be
// read.
func runSummary(runDir string, runs []Run) (s results.Summary, note string) {
	for _, r := range runs {
		if sameDir(r.Dir, runDir) {
			return r.Summary, ""
		}
	}
	s, err := results.ReadSummary(runDir)
	switch {
	case errors.Is(err, results.ErrCorrupt):
		return s, "summary corrupt"
	case err != nil:
		return s, "summary unreadable"
	}
	return s, ""
}

// profileLinks are the lines of a run's entry that link its pprof
// profiles (results.Summary.Profiles) by kind, at each landmark with the
// child's RSS then, and say how to read them; none for a run without
// profiles. d is the run's folder, relative to the index; a profile
// whose file is missing is not linked.
func profileLinks(d string, s results.Summary, fileSet map[string]bool) []string {
	var lines []string
	for _, kind := range []results.ProfileKind{results.ProfileHeap, results.ProfileLinear} {
		var links []string
		for _, at := range results.Landmarks {
			p, ok := s.Profile(kind, at)
			if f := path.Join(d, p.File); ok && fileSet[f] {
				links = append(links, fmt.Sprintf("[%s](%s) (RSS %.1f MiB)", strings.ReplaceAll(string(at), "_", " "), link(f), float64(p.RSS)/results.MiB))
			}
		}
		if len(links) > 0 {
			lines = append(lines, fmt.Sprintf("pprof %s: %s", profileTitles[kind], strings.Join(links, " · ")))
		}
	}
	if len(lines) > 0 {
		lines = append(lines, "read them with `go tool pprof -top FILE`, compare two with `go tool pprof -top -diff_base A B` (leakbench's docs/pprof.md)")
	}
	return lines
}

// profileTitles name the kinds of profile in an index.
var profileTitles = map[results.ProfileKind]string{
	results.ProfileHeap:   "Go heap",
	results.ProfileLinear: "wasm linear memory",
}

// runBlurb is " — scenario, strategy, outcome" of the run whose summary
// is s, or the note when it could not be read.
func runBlurb(s results.Summary, note string) string {
	if note != "" {
		return " — " + note
	}
	r := Run{results.Run{Summary: s}}
	out := " — " + texttab.MarkdownCell(r.Title())
	if s.Outcome != "" {
		out += ", " + string(s.Outcome)
	}
	return out
}

// sameDir reports whether two paths name the same directory.
func sameDir(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}
