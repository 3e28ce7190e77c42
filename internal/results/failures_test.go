package results

import (
	"reflect"
	"testing"
	"time"
)

// TestSummarize_Failures: failed requests counted by class and grouped by
// file with the first MaxFailureMessages of each; a request started and
// never finished is unfinished, with the op that had started and not
// ended; Total is the load phase's.
func TestSummarize_Failures(t *testing.T) {
	sec := int64(time.Second)
	events := []Event{
		{Time: 1 * sec, Kind: EventPhase, Phase: PhaseLoad, Total: 9},
	}
	req := func(id int, src, op string, class ErrorClass, err string) {
		events = append(events,
			Event{Time: 2 * sec, Kind: EventRequestStart, Request: id, Round: 1, Source: src},
			Event{Time: 2 * sec, Kind: EventOpStart, Request: id, Codec: "decode"},
			Event{Time: 3 * sec, Kind: EventOp, Request: id, Codec: "decode", Seconds: 0.5, Err: err},
			Event{Time: 3 * sec, Kind: EventRequest, Request: id, Round: 1, Source: src, Codec: op, Class: class, Err: err})
	}
	req(1, "a.png", "", "", "")
	for id := 2; id <= 6; id++ {
		req(id, "bad.png", "decode", ClassCorrupt, "Corrupt PNG")
	}
	req(7, "big.png", OpLoad, ClassLimit, "over the limit")
	req(8, "odd.png", "", "", "no class given") // a target's own error, unclassified
	// Request 9 starts its decode, finishes it, starts its resize: stuck.
	events = append(events,
		Event{Time: 4 * sec, Kind: EventRequestStart, Request: 9, Round: 1, Source: "stuck.png"},
		Event{Time: 4 * sec, Kind: EventOpStart, Request: 9, Codec: "decode"},
		Event{Time: 5 * sec, Kind: EventOp, Request: 9, Codec: "decode", Seconds: 1},
		Event{Time: 5 * sec, Kind: EventOpStart, Request: 9, Codec: "resize"},
	)
	head := Summary{Started: time.Unix(0, 0), Seconds: 10}
	s := Summarize(head, nil, events)
	if s.Total != 9 || s.Requests != 8 || s.Errors != 7 {
		t.Errorf("total %d, requests %d, errors %d; want 9, 8, 7", s.Total, s.Requests, s.Errors)
	}
	if want := map[ErrorClass]int{ClassCorrupt: 5, ClassLimit: 1, ClassOther: 1}; !reflect.DeepEqual(s.ErrorClasses, want) {
		t.Errorf("classes %v, want %v", s.ErrorClasses, want)
	}
	if len(s.FailedSources) != 3 || s.FailedSources[0].Source != "bad.png" || s.FailedSources[0].Failed != 5 ||
		len(s.FailedSources[0].First) != MaxFailureMessages || s.FailedSources[0].First[0] != (RequestFailure{Request: 2, Op: "decode", Class: ClassCorrupt, Err: "Corrupt PNG"}) {
		t.Errorf("failed sources %+v", s.FailedSources)
	}
	if f := s.FailedSources[1]; f.Source != "big.png" || f.First[0].Op != OpLoad || f.Classes[ClassLimit] != 1 {
		t.Errorf("big.png: %+v", f)
	}
	want := []Unfinished{{Request: 9, Round: 1, Source: "stuck.png", Op: "resize", Seconds: 6}}
	if !reflect.DeepEqual(s.Unfinished, want) {
		t.Errorf("unfinished %+v, want %+v", s.Unfinished, want)
	}
	if s.Latency["decode"].Count != 2 { // requests 1 and 9; failed ops don't count
		t.Errorf("decode latencies %d, want 2", s.Latency["decode"].Count)
	}
	// Summarizing again gives the same figures (the runner may).
	if again := Summarize(s, nil, events); !reflect.DeepEqual(again.FailedSources, s.FailedSources) || !reflect.DeepEqual(again.Unfinished, s.Unfinished) {
		t.Error("Summarize is not idempotent on its failure figures")
	}
}
