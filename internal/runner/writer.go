package runner

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/leakbench/leakbench/internal/results"
)

// seriesWriter streams a run's time series and events to its directory,
// one write per line, so that whatever happens to the parent or the child
// afterwards, every line already written is on disk.
type seriesWriter struct {
	csv, jsonl, events *os.File
	buf                []byte
	err                error // first write error
}

// csvHeader names the columns of samples.csv by the JSON tags of
// results.Sample, in the order csvRow writes them.
const csvHeader = "t,phase,round,rss,hwm,live_instances,total_instances,linear_memory,leaked_views,listeners,listener_count,heap_live,heap_objects,heap_free,heap_released,gc_cycles,requests,errors\n"

func createSeries(dir string) (*seriesWriter, error) {
	w := &seriesWriter{}
	var err error
	open := func(name string) *os.File {
		if err != nil {
			return nil
		}
		var f *os.File
		f, err = os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		return f
	}
	w.csv = open(results.SamplesCSV)
	w.jsonl = open(results.SamplesJSON)
	w.events = open(results.EventsJSON)
	if err != nil {
		w.close()
		return nil, fmt.Errorf("runner: %w", err)
	}
	w.write(w.csv, []byte(csvHeader))
	return w, nil
}

func (w *seriesWriter) write(f *os.File, line []byte) {
	if _, err := f.Write(line); err != nil && w.err == nil {
		w.err = fmt.Errorf("runner: writing %s: %w", filepath.Base(f.Name()), err)
	}
}

// sample writes one sample to samples.csv and samples.jsonl.
func (w *seriesWriter) sample(s results.Sample) {
	w.buf = csvRow(w.buf[:0], s)
	w.write(w.csv, w.buf)
	b, err := json.Marshal(s)
	if err != nil { // can't happen: Sample holds no floats but T, which is finite
		return
	}
	w.write(w.jsonl, append(b, '\n'))
}

// event writes one line of the child's event stream, as the child wrote it.
func (w *seriesWriter) event(line []byte) {
	if n := len(line); n == 0 || line[n-1] != '\n' {
		line = append(line, '\n')
	}
	w.write(w.events, line)
}

func (w *seriesWriter) close() error {
	for _, f := range []*os.File{w.csv, w.jsonl, w.events} {
		if f == nil {
			continue
		}
		if err := f.Close(); err != nil && w.err == nil {
			w.err = fmt.Errorf("runner: %w", err)
		}
	}
	return w.err
}

// csvRow appends one sample as a line of samples.csv.
func csvRow(b []byte, s results.Sample) []byte {
	b = strconv.AppendFloat(b, s.T, 'f', 3, 64)
	b = append(b, ',')
	b = append(b, s.Phase...)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(s.Round), 10)
	for _, v := range [...]uint64{s.RSS, s.HWM} {
		b = append(b, ',')
		b = strconv.AppendUint(b, v, 10)
	}
	for _, v := range [...]int{s.LiveInstances, s.TotalInstances} {
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(v), 10)
	}
	for _, v := range [...]uint64{s.LinearMemory, s.LeakedViews, s.Listeners} {
		b = append(b, ',')
		b = strconv.AppendUint(b, v, 10)
	}
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(s.ListenerCount), 10)
	for _, v := range [...]uint64{s.HeapLive, s.HeapObjects, s.HeapFree, s.HeapReleased, s.GCCycles} {
		b = append(b, ',')
		b = strconv.AppendUint(b, v, 10)
	}
	for _, v := range [...]int{s.Requests, s.Errors} {
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(v), 10)
	}
	return append(b, '\n')
}

// writeSummary writes summary.json, replacing any earlier one atomically.
func writeSummary(dir string, s results.Summary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("runner: encoding the summary: %w", err)
	}
	tmp := filepath.Join(dir, "."+results.SummaryFile+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("runner: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, results.SummaryFile)); err != nil {
		return fmt.Errorf("runner: %w", err)
	}
	return nil
}
