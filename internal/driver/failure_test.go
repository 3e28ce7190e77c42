package driver

import (
	"context"
	"fmt"
	"testing"

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/casestudy/codecs"
	"github.com/leakbench/leakbench/internal/factory"
	"github.com/leakbench/leakbench/internal/results"
)

// classedTarget fails request 2 in its op "decode" with a codecs error,
// after reporting the op's start.
type classedTarget struct{ rec target.Recorder }

func (c classedTarget) Do(_ context.Context, req target.Request) error {
	op := target.Op{Name: "decode", Request: req.ID}
	target.StartOp(c.rec, op)
	if req.ID == 2 {
		op.Err = fmt.Errorf("%w: decode: Corrupt PNG", codecs.ErrCorrupt)
	}
	c.rec.Op(op)
	return op.Err
}

// TestChild_RequestFailuresNameFileOpAndClass: every request is announced
// with its file (request_start) and each op start reported (op_start); a
// failed request's event names its file, the op that failed and the
// class of its error; a source the parent rejected fails its requests
// with its problem, as operation "load", without reaching the target.
func TestChild_RequestFailuresNameFileOpAndClass(t *testing.T) {
	targets := factory.Targets{"classed": factory.New(func(_ context.Context, cfg target.Config, _ struct{}) (target.Target, error) {
		return classedTarget{cfg.Recorder}, nil
	})}
	sp := fakeSpec(t)
	sp.Target, sp.Rounds = "classed", 1
	rejected := sp.Sources[1].Path
	sp.Sources[1].Problem, sp.Sources[1].Class = "codecs: limit exceeded: too big", results.ClassLimit
	events, err := runSpecWith(t, sp, targets)
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	starts, opStarts := map[int]string{}, map[int]bool{}
	var failed2, rejectedReqs int
	for _, ev := range events {
		switch ev.Kind {
		case results.EventRequestStart:
			starts[ev.Request] = ev.Source
		case results.EventOpStart:
			opStarts[ev.Request] = ev.Codec == "decode"
		case results.EventRequest:
			if ev.Source == "" || ev.Source != starts[ev.Request] {
				t.Errorf("request %d: source %q, its start said %q", ev.Request, ev.Source, starts[ev.Request])
			}
			switch {
			case ev.Request == 2 && ev.Source != rejected:
				failed2++
				if ev.Codec != "decode" || ev.Class != results.ClassCorrupt || ev.Err == "" {
					t.Errorf("request 2: %+v, want decode, corrupt, its error", ev)
				}
			case ev.Source == rejected:
				rejectedReqs++
				if ev.Codec != results.OpLoad || ev.Class != results.ClassLimit || ev.Err != "codecs: limit exceeded: too big" || opStarts[ev.Request] {
					t.Errorf("request %d of the rejected source: %+v (op started: %v)", ev.Request, ev, opStarts[ev.Request])
				}
			default:
				if ev.Err != "" || ev.Class != "" || !opStarts[ev.Request] {
					t.Errorf("request %d: %+v (op started: %v), want ok", ev.Request, ev, opStarts[ev.Request])
				}
			}
		}
	}
	want2 := 1 // request 2 reaches the target unless its source is the rejected one
	if sp.Requests[1].Image == 1 {
		want2 = 0
	}
	if rejectedReqs == 0 || failed2 != want2 {
		t.Errorf("%d requests of the rejected source, %d failures of request 2", rejectedReqs, failed2)
	}
}
