package results

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzRead feeds arbitrary files to the reader of a run directory
// (summary.json, samples.jsonl or samples.csv, events.jsonl) and what it
// reads to Summarize: never a panic; an error names the file it is about;
// a run read back summarizes into a summary that can be written again.
func FuzzRead(f *testing.F) {
	for _, csv := range []bool{false, true} {
		dir := f.TempDir()
		s, e, sum := roundTripRun(f)
		writeRun(f, dir, s, e, sum)
		read := func(name string) []byte {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				f.Fatal(err)
			}
			return b
		}
		summary, events := read(SummaryFile), read(EventsJSON)
		samples := read(SamplesJSON)
		if csv {
			samples = read(SamplesCSV)
		}
		f.Add(summary, samples, events, csv)
		f.Add(summary[:len(summary)/2], samples[:len(samples)-7], events[:len(events)-3], csv) // killed writers
		f.Add(summary, bytes.ReplaceAll(samples, []byte("1"), []byte("-1")), bytes.ReplaceAll(events, []byte(`"kind"`), []byte(`"knd"`)), csv)
	}
	f.Add([]byte(`{"outcome":"timeout","requests":-1}`), []byte("t,rss\nNaN,1\n1e400,2\n"), []byte(`{"kind":"request_start","request":1}`+"\n"), true)
	f.Add([]byte(`{}`), []byte(`{"t":-1}`+"\n"+`{"t":1}`), []byte("\n\n{}\n"), false)
	f.Add([]byte(`{}`), []byte("rss\n1\n"), []byte{}, true)
	f.Fuzz(func(t *testing.T, summary, samples, events []byte, csv bool) {
		dir := t.TempDir()
		write := func(name string, b []byte) {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write(SummaryFile, summary)
		if csv {
			write(SamplesCSV, samples)
		} else {
			write(SamplesJSON, samples)
		}
		write(EventsJSON, events)
		r, err := Read(dir)
		if err != nil {
			if !bytes.Contains([]byte(err.Error()), []byte(dir)) {
				t.Fatalf("the error names no file of %s: %v", dir, err)
			}
			return
		}
		s := Summarize(r.Summary, r.Samples, r.Events)
		if _, err := json.Marshal(s); err != nil {
			t.Fatalf("the summary of a run read back can't be written: %v", err)
		}
	})
}
