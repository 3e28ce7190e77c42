package runner

import (
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/scenario"
)

// childStream returns an event stream as a child writes it: hello, the
// phases, requests (one failed), ops with their starts, rounds, snapshots
// and an error, one JSON line each.
func childStream(tb testing.TB, cut bool) []byte {
	tb.Helper()
	snap := &results.Snapshot{LiveInstances: 1, TotalInstances: 3, LinearMemory: 1 << 20, Requests: 2, Errors: 1}
	env := &results.Env{GoVersion: "go1.26", CPUs: 2, GOGC: "100"}
	evs := []results.Event{
		{Time: 1, Kind: results.EventHello, Env: env},
		{Time: 2, Kind: results.EventPhase, Phase: results.PhaseStartup},
		{Time: 3, Kind: results.EventPhase, Phase: results.PhaseLoad, Total: 3},
		{Time: 4, Kind: results.EventRequestStart, Request: 1, Round: 1, Source: "/img/a.png"},
		{Time: 5, Kind: results.EventInstanceCreated, Codec: "decode", Worker: 1, Instance: 1, Memory: 1 << 16},
		{Time: 6, Kind: results.EventOpStart, Codec: "decode", Request: 1, Worker: 1, Instance: 1},
		{Time: 7, Kind: results.EventOp, Codec: "decode", Request: 1, Worker: 1, Instance: 1, Seconds: 0.01, BytesIn: 100, BytesOut: 400},
		{Time: 8, Kind: results.EventRequest, Request: 1, Round: 1, Source: "/img/a.png", Seconds: 0.02},
		{Time: 9, Kind: results.EventRequestStart, Request: 2, Round: 1, Source: "/img/b.png"},
		{Time: 10, Kind: results.EventRequest, Request: 2, Round: 1, Source: "/img/b.png", Codec: results.OpLoad, Class: results.ClassCorrupt, Err: "codecs: corrupt: /img/b.png: bad header"},
		{Time: 11, Kind: results.EventSnapshot, Snapshot: snap},
		{Time: 12, Kind: results.EventRequestStart, Request: 3, Round: 1, Source: "/img/c.png"},
		{Time: 13, Kind: results.EventOpStart, Codec: "resize", Request: 3, Worker: 2, Instance: 2},
	}
	if !cut {
		evs = append(evs,
			results.Event{Time: 14, Kind: results.EventOp, Codec: "resize", Request: 3, Err: "codecs: limit exceeded: x"},
			results.Event{Time: 15, Kind: results.EventRequest, Request: 3, Source: "/img/c.png", Codec: "resize", Class: results.ClassLimit, Err: "engine: request 3: resize: codecs: limit exceeded: x"},
			results.Event{Time: 16, Kind: results.EventRound, Round: 1, RSS: 50 << 20, Snapshot: snap},
			results.Event{Time: 17, Kind: results.EventPhase, Phase: results.PhaseIdle},
			results.Event{Time: 18, Kind: results.EventIdleGC, GC: 1, Seconds: 0.001, Memory: 1 << 20},
			results.Event{Time: 19, Kind: results.EventPhase, Phase: results.PhaseSettle},
			results.Event{Time: 20, Kind: results.EventError, Err: "closing target: boom"},
			results.Event{Time: 21, Kind: results.EventPhase, Phase: results.PhaseDone},
		)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, ev := range evs {
		if err := enc.Encode(ev); err != nil {
			tb.Fatal(err)
		}
	}
	return b.Bytes()
}

type discardCloser struct{ io.Writer }

func (discardCloser) Close() error { return nil }

// FuzzEventStream feeds arbitrary bytes to the parent as the child's event
// stream: the parent's line reader, its handling of each event (phase
// barriers, snapshots, errors) and the summary derived at the end must
// never panic; every line is either kept (written to events.jsonl, which
// results.Read gives back as the same events) or counted as bad; no line
// kept is longer than MaxEventLine; and the summary can be written.
func FuzzEventStream(f *testing.F) {
	full := childStream(f, false)
	f.Add(full)
	f.Add(childStream(f, true))                      // killed mid-request
	f.Add(full[:len(full)/2])                        // cut mid-line
	f.Add(bytes.ReplaceAll(full, []byte("\n"), nil)) // no newlines at all
	f.Add(bytes.ReplaceAll(full, []byte(`"`), []byte(`'`)))
	f.Add([]byte("not json\n{}\n\n  \n{\"kind\":\"phase\",\"phase\":\"load\",\"total\":-5}\n"))
	f.Add([]byte(`{"kind":"round","round":1000000000,"rss":18446744073709551615}` + "\n" + `{"kind":"round","round":-1}` + "\n"))
	f.Add([]byte(`{"kind":"request_start","request":1,"time":-9223372036854775808}` + "\n" + `{"kind":"phase","phase":"load","time":9223372036854775807}` + "\n"))
	f.Fuzz(func(t *testing.T, stream []byte) {
		dir := t.TempDir()
		files, err := results.Create(dir)
		if err != nil {
			t.Fatal(err)
		}
		p := &parent{
			opts:  Options{OutDir: dir},
			sc:    scenario.Scenario{Name: "fuzz"},
			sum:   results.Summary{Scenario: "fuzz"},
			files: files,
			stdin: discardCloser{io.Discard},
			phase: results.PhaseStartup,
		}
		lines := make(chan eventLine)
		go readLines(bytes.NewReader(stream), lines)
		n, blank := 0, 0
		for line := range lines {
			if len(line.line) > MaxEventLine {
				t.Fatalf("a line of %d bytes, over MaxEventLine", len(line.line))
			}
			n++
			if !line.long && len(bytes.TrimSpace(line.line)) == 0 {
				blank++
			}
			p.event(line)
		}
		if got := len(p.events) + p.badLines + p.longLines + p.dropped + blank; got != n {
			t.Fatalf("%d lines read, %d kept, %d bad, %d long", n, len(p.events), p.badLines, p.longLines)
		}
		if err := files.Close(); err != nil {
			t.Fatal(err)
		}
		p.finish(nil)
		if err := results.WriteSummary(dir, p.sum); err != nil {
			t.Fatalf("the summary can't be written: %v", err)
		}
		back, err := results.Read(dir)
		if err != nil {
			t.Fatalf("reading back what the parent wrote: %v", err)
		}
		if len(back.Events) != len(p.events) || (len(p.events) > 0 && !reflect.DeepEqual(back.Events, p.events)) {
			t.Fatalf("events.jsonl gives back %d events, the parent kept %d", len(back.Events), len(p.events))
		}
		for _, w := range back.Warnings {
			if strings.Contains(w, filepath.Base(results.EventsJSON)) {
				t.Fatalf("reading events.jsonl back: %s", w)
			}
		}
	})
}

// TestReadLines_LongLine: a line over MaxEventLine is sent once, cut to
// it and marked long (the parent counts and drops it), and the lines after
// it are read whole.
func TestReadLines_LongLine(t *testing.T) {
	long := append(append([]byte(`{"kind":"error","err":"`), bytes.Repeat([]byte("x"), 3*MaxEventLine)...), "\"}\n"...)
	in := append(append([]byte(`{"kind":"hello"}`+"\n"), long...), `{"kind":"phase","phase":"load"}`...)
	lines := make(chan eventLine)
	go readLines(bytes.NewReader(in), lines)
	var got []eventLine
	for l := range lines {
		got = append(got, l)
	}
	if len(got) != 3 || string(got[0].line) != `{"kind":"hello"}`+"\n" || got[0].long ||
		len(got[1].line) != MaxEventLine || !got[1].long ||
		string(got[2].line) != `{"kind":"phase","phase":"load"}` || got[2].long {
		t.Fatalf("%d lines of %d bytes", len(got), func() []int {
			var n []int
			for _, l := range got {
				n = append(n, len(l.line))
			}
			return n
		}())
	}
}
