package harness

import (
	"context"
	"strings"
	"testing"
)

func TestRegister_Mistakes(t *testing.T) {
	f := func(context.Context, Config, struct{}) (Target, error) { return nil, nil }
	panics := func(name string, register func()) {
		t.Helper()
		defer func() {
			r := recover()
			if r == nil || !strings.Contains(r.(string), name) {
				t.Errorf("Register(%q): panic %v, want one naming it", name, r)
			}
		}()
		register()
	}
	h := New()
	Register(h, "mine", f)
	if _, ok := h.targets["mine"]; !ok {
		t.Fatal("mine not registered")
	}
	panics("mine", func() { Register(h, "mine", f) })
	panics("My Target", func() { Register(h, "My Target", f) })
	panics("nil", func() { Register[struct{}](h, "nil", nil) })
}

// starts is a Recorder that takes starts, as the harness's does.
type starts struct {
	Recorder
	got []Op
}

func (s *starts) OpStarted(op Op) { s.got = append(s.got, op) }

// plainRecorder takes finished operations only.
type plainRecorder struct{ Recorder }

// TestStartOp: a target reports an operation's start through StartOp, to
// a Recorder that takes starts, and to any other Recorder without harm.
func TestStartOp(t *testing.T) {
	rec := &starts{}
	StartOp(rec, Op{Name: "decode", Request: 3, Worker: 1})
	if len(rec.got) != 1 || rec.got[0].Name != "decode" || rec.got[0].Request != 3 {
		t.Errorf("starts recorded %+v", rec.got)
	}
	StartOp(plainRecorder{}, Op{Name: "decode"}) // no OpStarter: nothing to do, no panic
}
