package report

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
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/leakbench/leakbench/internal/results"
)

// Load reads one run directory: results.SummaryFile and the time series
// from results.SamplesJSON, or from results.SamplesCSV when there are no
// JSON lines. Every error names the file (and the line, for a corrupt
// sample). A run that ended badly (rss-cap, crashed, signaled) loads like
// any other; its Summary.Outcome says how it ended.
//
// A corrupt last line of the time series is what a killed writer leaves
// behind: it is dropped with a warning in Run.Warnings rather than failing
// the load. A corrupt line anywhere else is an error.
//
// The CSV form has a header row naming its columns as the JSON tags of
// results.Sample ("t", "phase", "rss", "heap_live", ...), in any order;
// unknown columns are ignored, "t" and "rss" are required.
func Load(dir string) (Run, error) {
	r := Run{Dir: dir}
	sumPath := filepath.Join(dir, results.SummaryFile)
	data, err := os.ReadFile(sumPath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return r, fmt.Errorf("report: %s: missing: a run directory needs its summary (%w)", sumPath, fs.ErrNotExist)
		}
		return r, fmt.Errorf("report: %s: %w", sumPath, err)
	}
	if err := json.Unmarshal(data, &r.Summary); err != nil {
		return r, fmt.Errorf("report: %s: corrupt: %s", sumPath, jsonErrorText(data, err))
	}

	jsonPath := filepath.Join(dir, results.SamplesJSON)
	csvPath := filepath.Join(dir, results.SamplesCSV)
	var warns []string
	switch f, err := os.Open(jsonPath); {
	case err == nil:
		r.Samples, warns, err = readSamplesJSONL(f, jsonPath)
		f.Close()
		if err != nil {
			return r, err
		}
	case errors.Is(err, fs.ErrNotExist):
		f, err := os.Open(csvPath)
		if errors.Is(err, fs.ErrNotExist) {
			return r, fmt.Errorf("report: %s: no time series: neither %s nor %s exists (%w)",
				dir, results.SamplesJSON, results.SamplesCSV, fs.ErrNotExist)
		}
		if err != nil {
			return r, fmt.Errorf("report: %s: %w", csvPath, err)
		}
		r.Samples, warns, err = readSamplesCSV(f, csvPath)
		f.Close()
		if err != nil {
			return r, err
		}
	default:
		return r, fmt.Errorf("report: %s: %w", jsonPath, err)
	}
	r.Warnings = append(r.Warnings, warns...)

	if !sort.SliceIsSorted(r.Samples, func(i, j int) bool { return r.Samples[i].T < r.Samples[j].T }) {
		sort.SliceStable(r.Samples, func(i, j int) bool { return r.Samples[i].T < r.Samples[j].T })
		r.Warnings = append(r.Warnings, "samples were out of time order; sorted by t")
	}
	if n := r.Summary.Samples; n > 0 && n != len(r.Samples) {
		r.Warnings = append(r.Warnings, fmt.Sprintf("summary counts %d samples, the time series holds %d", n, len(r.Samples)))
	}
	return r, nil
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

// readSamplesJSONL reads one results.Sample per line; blank lines are
// skipped. A corrupt last line is dropped with a warning.
func readSamplesJSONL(rd io.Reader, path string) ([]results.Sample, []string, error) {
	br := bufio.NewReader(rd)
	var (
		out      []results.Sample
		warns    []string
		pending  error // corrupt line seen; fatal unless it turns out to be the last
		pendLine int
	)
	for line := 1; ; line++ {
		b, rerr := br.ReadBytes('\n')
		if rerr != nil && rerr != io.EOF {
			return nil, nil, fmt.Errorf("report: %s:%d: %w", path, line, rerr)
		}
		if t := bytes.TrimSpace(b); len(t) > 0 {
			if pending != nil {
				return nil, nil, pending
			}
			var s results.Sample
			err := json.Unmarshal(t, &s)
			if err == nil {
				err = checkSample(s)
			}
			if err != nil {
				pending = fmt.Errorf("report: %s:%d: corrupt sample: %v", path, line, err)
				pendLine = line
			} else {
				out = append(out, s)
			}
		}
		if rerr == io.EOF {
			break
		}
	}
	if pending != nil {
		warns = append(warns, fmt.Sprintf("%s: dropped line %d, the last one, as truncated (a killed writer?)", filepath.Base(path), pendLine))
	}
	return out, warns, nil
}

// checkSample rejects values no writer produces.
func checkSample(s results.Sample) error {
	if math.IsNaN(s.T) || math.IsInf(s.T, 0) || s.T < 0 {
		return fmt.Errorf("t = %v is not a time", s.T)
	}
	return nil
}

// csvColumns maps a JSON tag of results.Sample (or its embedded
// Snapshot) to the field's index path.
func csvColumns() map[string][]int {
	cols := map[string][]int{}
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			idx := append(append([]int(nil), prefix...), i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				walk(f.Type, idx)
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name != "" && name != "-" {
				cols[name] = idx
			}
		}
	}
	walk(reflect.TypeFor[results.Sample](), nil)
	return cols
}

// readSamplesCSV reads samples from a CSV file with a header row. A corrupt
// last row is dropped with a warning.
func readSamplesCSV(rd io.Reader, path string) ([]results.Sample, []string, error) {
	cr := csv.NewReader(rd)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, []string{filepath.Base(path) + ": empty, no samples"}, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("report: %s:1: corrupt header: %v", path, err)
	}
	known := csvColumns()
	fields := make([][]int, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		fields[i] = known[h]
		seen[h] = true
	}
	for _, req := range []string{"t", "rss"} {
		if !seen[req] {
			return nil, nil, fmt.Errorf("report: %s:1: header lacks the %q column (have %s)", path, req, strings.Join(header, ","))
		}
	}
	cr.FieldsPerRecord = len(header)

	var (
		out      []results.Sample
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
			pending = fmt.Errorf("report: %s:%d: corrupt sample: %v", path, line, err)
			pendLine = line
			continue
		}
		line, _ := cr.FieldPos(0)
		s, err := parseCSVSample(header, fields, rec)
		if err == nil {
			err = checkSample(s)
		}
		if err != nil {
			pending = fmt.Errorf("report: %s:%d: corrupt sample: %v", path, line, err)
			pendLine = line
			continue
		}
		out = append(out, s)
	}
	var warns []string
	if pending != nil {
		warns = append(warns, fmt.Sprintf("%s: dropped line %d, the last one, as truncated (a killed writer?)", filepath.Base(path), pendLine))
	}
	return out, warns, nil
}

// parseCSVSample fills a Sample from one CSV record.
func parseCSVSample(header []string, fields [][]int, rec []string) (results.Sample, error) {
	var s results.Sample
	v := reflect.ValueOf(&s).Elem()
	for i, idx := range fields {
		if idx == nil {
			continue
		}
		raw := strings.TrimSpace(rec[i])
		if raw == "" {
			continue
		}
		f := v.FieldByIndex(idx)
		switch f.Kind() {
		case reflect.String:
			f.SetString(raw)
		case reflect.Float64:
			x, err := strconv.ParseFloat(raw, 64)
			if err != nil {
				return s, fmt.Errorf("column %s: %q is not a number", header[i], raw)
			}
			f.SetFloat(x)
		case reflect.Int:
			x, err := strconv.ParseInt(raw, 10, 64)
			if err != nil {
				return s, fmt.Errorf("column %s: %q is not an integer", header[i], raw)
			}
			f.SetInt(x)
		case reflect.Uint64:
			x, err := strconv.ParseUint(raw, 10, 64)
			if err != nil {
				return s, fmt.Errorf("column %s: %q is not a byte count", header[i], raw)
			}
			f.SetUint(x)
		}
	}
	return s, nil
}
