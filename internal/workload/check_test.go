package workload

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestLoad_GeneratedAndCheck: a first Load on an empty cache generates
// every image and says so, a second one generates none; the sources it
// returns pass the cheap re-check until a file changes.
func TestLoad_GeneratedAndCheck(t *testing.T) {
	opts := Options{CacheDir: t.TempDir()}
	w, err := Load(context.Background(), "tiny", opts)
	if err != nil {
		t.Fatal(err)
	}
	if w.Generated != len(w.Images) || w.Generated == 0 {
		t.Fatalf("first load generated %d of %d images", w.Generated, len(w.Images))
	}
	again, err := Load(context.Background(), "tiny", opts)
	if err != nil {
		t.Fatal(err)
	}
	if again.Generated != 0 {
		t.Errorf("second load generated %d images, want 0", again.Generated)
	}
	for _, s := range again.Images {
		if s.ModTime.IsZero() {
			t.Errorf("%s: no modification time", s.Name)
		}
		if err := s.Check(); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
	}
	s := again.Images[0]
	later := s.ModTime.Add(time.Second)
	if err := os.Chtimes(s.Path, later, later); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err == nil || !strings.Contains(err.Error(), "changed since it was verified") {
		t.Errorf("touched file: Check() = %v", err)
	}
	if err := os.Remove(s.Path); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err == nil || !strings.Contains(err.Error(), s.Name) {
		t.Errorf("removed file: Check() = %v", err)
	}
}
