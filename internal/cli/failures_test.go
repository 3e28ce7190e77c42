package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/results"
)

// TestPrintFailures: the terminal names each failed file with its first
// failure on the file's own line, the stuck request of a killed run, and
// the skipped files.
func TestPrintFailures(t *testing.T) {
	s := results.Summary{
		Requests: 5, Errors: 3, Total: 7,
		ErrorClasses: map[results.ErrorClass]int{results.ClassCorrupt: 2, results.ClassLimit: 1},
		FailedSources: []results.SourceFailures{
			{Source: "/p/bad.png", Failed: 2, Classes: map[results.ErrorClass]int{results.ClassCorrupt: 2}, First: []results.RequestFailure{
				{Request: 2, Op: "decode", Class: results.ClassCorrupt, Err: "png: truncated"},
				{Request: 4, Op: "decode", Class: results.ClassCorrupt, Err: "png: truncated"},
			}},
			{Source: "/p/big.png", Failed: 5, Classes: map[results.ErrorClass]int{results.ClassLimit: 5}, First: []results.RequestFailure{
				{Request: 3, Op: results.OpLoad, Class: results.ClassLimit, Err: "over the limit"},
			}},
		},
		Unfinished: []results.Unfinished{{Request: 6, Source: "/p/slow.jpg", Op: "decode", Seconds: 29.5}, {Request: 7}},
		Skipped:    []results.SkippedFile{{Path: "/p/notes.txt", Reason: "not a PNG or JPEG image"}},
	}
	var b bytes.Buffer
	printFailures(&b, s)
	want := strings.Join([]string{
		"  requests: 5 of 7 done, 2 ok, 3 failed (corrupt 2, limit 1), 2 not done",
		"  failed: /p/bad.png: 2 request(s) (corrupt 2); request 2, decode, corrupt: png: truncated",
		"    request 4, decode, corrupt: png: truncated",
		"  failed: /p/big.png: 5 request(s) (limit 5); request 3, load, limit: over the limit",
		"    ... and 4 more",
		"  unfinished: request 6 of /p/slow.jpg, in decode for 29.5s when the run ended",
		"  unfinished: request 7 of an unknown file, between operations for 0.0s when the run ended",
		"  skipped: /p/notes.txt: not a PNG or JPEG image",
	}, "\n") + "\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	printFailures(&b, results.Summary{Requests: 4, Total: 4})
	if b.Len() != 0 {
		t.Errorf("a run without failures prints %q", b.String())
	}
}
