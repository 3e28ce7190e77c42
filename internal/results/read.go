package results

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Run is one run as it is kept: its directory, its summary, every sample
// of its time series and every event of the child.
type Run struct {
	Dir     string   // the run directory
	Summary Summary  // summary.json
	Samples []Sample // samples.jsonl, or samples.csv when the JSON lines are absent
	Events  []Event  // events.jsonl; none when the file is absent
	// Warnings are problems found while reading (a truncated last line,
	// a sample count that disagrees with the summary); the summary's own
	// warnings are in Summary.Warnings.
	Warnings []string
}

// Read reads one run directory: SummaryFile, the time series from
// SamplesJSON (or from SamplesCSV when there are no JSON lines) and the
// events from EventsJSON (a run without that file has no events). Every
// error names the file (and the line, for a corrupt sample or event). A run
// that ended badly (rss-cap, crashed, signaled) reads like any other; its
// Summary.Outcome says how it ended.
//
// A corrupt last line of a series is what a killed writer leaves behind:
// it is dropped with a warning in Run.Warnings rather than failing the
// read. A corrupt line anywhere else is an error.
//
// The CSV form has a header row naming its columns as the JSON tags of
// Sample ("t", "phase", "rss", "heap_live", ...), in any order; unknown
// columns are ignored, "t" and "rss" are required.
func Read(dir string) (Run, error) {
	r := Run{Dir: dir}
	var err error
	if r.Summary, err = ReadSummary(dir); err != nil {
		return r, err
	}

	jsonPath := filepath.Join(dir, SamplesJSON)
	csvPath := filepath.Join(dir, SamplesCSV)
	var warns []string
	switch f, err := os.Open(jsonPath); {
	case err == nil:
		r.Samples, warns, err = readJSONL(f, jsonPath, "sample", checkSample)
		f.Close()
		if err != nil {
			return r, err
		}
	case errors.Is(err, fs.ErrNotExist):
		f, err := os.Open(csvPath)
		if errors.Is(err, fs.ErrNotExist) {
			return r, fmt.Errorf("results: %s: no time series: neither %s nor %s exists (%w)",
				dir, SamplesJSON, SamplesCSV, fs.ErrNotExist)
		}
		if err != nil {
			return r, fmt.Errorf("results: %s: %w", csvPath, err)
		}
		r.Samples, warns, err = readSamplesCSV(f, csvPath)
		f.Close()
		if err != nil {
			return r, err
		}
	default:
		return r, fmt.Errorf("results: %s: %w", jsonPath, err)
	}
	r.Warnings = append(r.Warnings, warns...)

	if !sort.SliceIsSorted(r.Samples, func(i, j int) bool { return r.Samples[i].T < r.Samples[j].T }) {
		sort.SliceStable(r.Samples, func(i, j int) bool { return r.Samples[i].T < r.Samples[j].T })
		r.Warnings = append(r.Warnings, "samples were out of time order; sorted by t")
	}
	if n := r.Summary.Samples; n > 0 && n != len(r.Samples) {
		r.Warnings = append(r.Warnings, fmt.Sprintf("summary counts %d samples, the time series holds %d", n, len(r.Samples)))
	}

	evPath := filepath.Join(dir, EventsJSON)
	switch f, err := os.Open(evPath); {
	case err == nil:
		r.Events, warns, err = readJSONL(f, evPath, "event", func(Event) error { return nil })
		f.Close()
		if err != nil {
			return r, err
		}
		r.Warnings = append(r.Warnings, warns...)
	case !errors.Is(err, fs.ErrNotExist):
		return r, fmt.Errorf("results: %s: %w", evPath, err)
	}
	return r, nil
}

// ErrCorrupt is in the chain of Read's and ReadSummary's errors for a
// file that is there but holds what no writer wrote.
var ErrCorrupt = errors.New("corrupt")

// ReadSummary reads dir/summary.json.
func ReadSummary(dir string) (Summary, error) {
	var s Summary
	path := filepath.Join(dir, SummaryFile)
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return s, fmt.Errorf("results: %s: missing: a run directory needs its summary (%w)", path, fs.ErrNotExist)
		}
		return s, fmt.Errorf("results: %s: %w", path, err)
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return s, fmt.Errorf("results: %s: %w: %s", path, ErrCorrupt, jsonErrorText(data, err))
	}
	return s, nil
}

// jsonErrorText turns a json error into text with a line and column when
// the error carries an offset.
func jsonErrorText(data []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return err.Error()
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}

// readJSONL reads one T per line (a sample or an event, what names it in
// errors), each passing check; blank lines are skipped. A corrupt last
// line is dropped with a warning.
func readJSONL[T any](rd io.Reader, path, what string, check func(T) error) ([]T, []string, error) {
	br := bufio.NewReader(rd)
	var (
		out      []T
		warns    []string
		pending  error // corrupt line seen; fatal unless it turns out to be the last
		pendLine int
	)
	for line := 1; ; line++ {
		b, rerr := br.ReadBytes('\n')
		if rerr != nil && rerr != io.EOF {
			return nil, nil, fmt.Errorf("results: %s:%d: %w", path, line, rerr)
		}
		if t := bytes.TrimSpace(b); len(t) > 0 {
			if pending != nil {
				return nil, nil, pending
			}
			var v T
			err := json.Unmarshal(t, &v)
			if err == nil {
				err = check(v)
			}
			if err != nil {
				pending = fmt.Errorf("results: %s:%d: %w %s: %v", path, line, ErrCorrupt, what, err)
				pendLine = line
			} else {
				out = append(out, v)
			}
		}
		if rerr == io.EOF {
			break
		}
	}
	if pending != nil {
		warns = append(warns, truncatedWarning(path, pendLine))
	}
	return out, warns, nil
}

// truncatedWarning says that the last line of a file was dropped.
func truncatedWarning(path string, line int) string {
	return fmt.Sprintf("%s: dropped line %d, the last one, as truncated (a killed writer?)", filepath.Base(path), line)
}

// checkSample rejects values no writer produces.
func checkSample(s Sample) error {
	if math.IsNaN(s.T) || math.IsInf(s.T, 0) || s.T < 0 {
		return fmt.Errorf("t = %v is not a time", s.T)
	}
	return nil
}

// readSamplesCSV reads samples from a CSV file with a header row naming
// columns of sampleColumns. A corrupt last row is dropped with a warning.
func readSamplesCSV(rd io.Reader, path string) ([]Sample, []string, error) {
	cr := csv.NewReader(rd)
	header, err := cr.Read()
	if err == io.EOF {
		return nil, []string{filepath.Base(path) + ": empty, no samples"}, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("results: %s:1: %w header: %v", path, ErrCorrupt, err)
	}
	known := map[string]*column{}
	for _, cs := range [][]column{sampleColumns, legacyHeldColumns} {
		for i := range cs {
			known[cs[i].name] = &cs[i]
		}
	}
	cols := make([]*column, len(header)) // nil: a column not of ours, ignored
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		cols[i] = known[h]
		seen[h] = true
	}
	for _, req := range requiredColumns {
		if !seen[req] {
			return nil, nil, fmt.Errorf("results: %s:1: header lacks the %q column (have %s)", path, req, strings.Join(header, ","))
		}
	}
	cr.FieldsPerRecord = len(header)

	var (
		out      []Sample
		pending  error
		pendLine int
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if pending != nil {
			return nil, nil, pending
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
				err = pe.Err
			}
			pending = fmt.Errorf("results: %s:%d: %w sample: %v", path, line, ErrCorrupt, err)
			pendLine = line
			continue
		}
		line, _ := cr.FieldPos(0)
		s, err := parseCSVRow(cols, rec)
		if err == nil {
			err = checkSample(s)
		}
		if err != nil {
			pending = fmt.Errorf("results: %s:%d: %w sample: %v", path, line, ErrCorrupt, err)
			pendLine = line
			continue
		}
		out = append(out, s)
	}
	var warns []string
	if pending != nil {
		warns = append(warns, truncatedWarning(path, pendLine))
	}
	return out, warns, nil
}

// parseCSVRow fills a Sample from one CSV record; an empty cell leaves its
// field zero.
func parseCSVRow(cols []*column, rec []string) (Sample, error) {
	var s Sample
	for i, c := range cols {
		if c == nil {
			continue
		}
		raw := strings.TrimSpace(rec[i])
		if raw == "" {
			continue
		}
		if err := c.read(&s, raw); err != nil {
			return s, fmt.Errorf("column %s: %w", c.name, err)
		}
	}
	return s, nil
}
