package target

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSnapshotLeaked(t *testing.T) {
	s := Snapshot{Held: []Held{{Holder: "views", Bytes: 1}, {Holder: "cache", Bytes: 2, Refs: 5}}}
	if s.Leaked() != 3 {
		t.Errorf("Leaked = %d, want 3", s.Leaked())
	}
}

// TestRequestData_Bounded: with Size set, Data reads exactly Size bytes,
// and a file that has grown or shrunk since is an error.
func TestRequestData_Bounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.png")
	if err := os.WriteFile(path, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := (Request{Source: path, Size: 10}).Data(); err != nil || string(b) != "0123456789" {
		t.Errorf("Data = %q, %v", b, err)
	}
	if _, err := (Request{Source: path, Size: 4}).Data(); err == nil || !strings.Contains(err.Error(), "has grown past the 4 bytes") {
		t.Errorf("grown: %v", err)
	}
	if _, err := (Request{Source: path, Size: 20}).Data(); err == nil || !strings.Contains(err.Error(), "shorter than the 20 bytes") {
		t.Errorf("shrunk: %v", err)
	}
	if _, err := (Request{Source: path + ".gone", Size: 4}).Data(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v, want fs.ErrNotExist", err)
	}
	if b, err := (Request{Source: path}).Data(); err != nil || len(b) != 10 {
		t.Errorf("no Size: %q, %v", b, err)
	}
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
