package results

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/leakbench/leakbench/internal/atomicfile"
)

// Writer streams a run's time series and events into its directory, one
// write per line, so that whatever happens to the writing process
// afterwards, every line already written is on disk: samples.csv (columns
// as sampleColumns says), samples.jsonl and events.jsonl.
type Writer struct {
	csv, jsonl, events *os.File
	buf                []byte
	err                error // first write error
}

// Create creates the three files of a run's series in dir, which must not
// hold them already, and writes the CSV header.
func Create(dir string) (*Writer, error) {
	w := &Writer{}
	var err error
	open := func(name string) *os.File {
		if err != nil {
			return nil
		}
		var f *os.File
		f, err = os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		return f
	}
	w.csv = open(SamplesCSV)
	w.jsonl = open(SamplesJSON)
	w.events = open(EventsJSON)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("results: %w", err)
	}
	w.write(w.csv, csvHeader())
	return w, nil
}

func (w *Writer) write(f *os.File, line []byte) {
	if _, err := f.Write(line); err != nil && w.err == nil {
		w.err = fmt.Errorf("results: writing %s: %w", filepath.Base(f.Name()), err)
	}
}

// Sample writes one sample to samples.csv and samples.jsonl.
func (w *Writer) Sample(s Sample) {
	w.buf = appendCSVRow(w.buf[:0], &s)
	w.write(w.csv, w.buf)
	b, err := json.Marshal(s)
	if err != nil { // can't happen: Sample holds no floats but T, which is finite
		return
	}
	w.write(w.jsonl, append(b, '\n'))
}

// Event writes one line of the child's event stream to events.jsonl as
// the child wrote it (a JSON-encoded Event), adding the newline if it
// lacks one.
func (w *Writer) Event(line []byte) {
	if n := len(line); n == 0 || line[n-1] != '\n' {
		line = append(line, '\n')
	}
	w.write(w.events, line)
}

// Close closes the files and returns the first error of any write.
func (w *Writer) Close() error {
	for _, f := range []*os.File{w.csv, w.jsonl, w.events} {
		if f == nil {
			continue
		}
		if err := f.Close(); err != nil && w.err == nil {
			w.err = fmt.Errorf("results: %w", err)
		}
	}
	return w.err
}

// WriteSummary writes dir/summary.json, replacing any earlier one
// atomically.
func WriteSummary(dir string, s Summary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("results: encoding the summary: %w", err)
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, SummaryFile), append(b, '\n')); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

// RewriteSamples replaces the time series of the run in dir (samples.csv
// and samples.jsonl) with samples, each file atomically. The runner uses
// it once a run is over to relabel the phases of a program that reported
// none.
func RewriteSamples(dir string, samples []Sample) error {
	var csvBuf, jsonBuf []byte
	csvBuf = append(csvBuf, csvHeader()...)
	for i := range samples {
		csvBuf = appendCSVRow(csvBuf, &samples[i])
		b, err := json.Marshal(samples[i])
		if err != nil {
			return fmt.Errorf("results: encoding a sample: %w", err)
		}
		jsonBuf = append(append(jsonBuf, b...), '\n')
	}
	for name, data := range map[string][]byte{SamplesCSV: csvBuf, SamplesJSON: jsonBuf} {
		if err := atomicfile.WriteBytes(filepath.Join(dir, name), data); err != nil {
			return fmt.Errorf("results: %w", err)
		}
	}
	return nil
}
