package workload

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/leakbench/leakbench/internal/results"
)

// TestImagesDir_Hostile checks that no file of an images directory aborts
// the load or is read whole: a sparse file far over the workload's
// input limit with a PNG header is rejected from its size, a FIFO is skipped
// without being opened (the open would block), an unreadable file is
// rejected, and every other file keeps its place.
func TestImagesDir_Hostile(t *testing.T) {
	def, _ := Lookup("tiny")
	dir := t.TempDir()
	var good bytes.Buffer
	must(t, png.Encode(&good, Generate(1, 0, ImageSpec{Width: 16, Height: 16})))
	must(t, os.WriteFile(filepath.Join(dir, "a-good.png"), good.Bytes(), 0o644))

	// Sparse: 4 times the input limit, but only the PNG header on disk.
	limit := int64(MaxSourceBytes)
	sparse, err := os.Create(filepath.Join(dir, "b-sparse.png"))
	must(t, err)
	_, err = sparse.Write(good.Bytes()[:33]) // signature and IHDR
	must(t, err)
	must(t, sparse.Truncate(4*limit))
	must(t, sparse.Close())

	must(t, syscall.Mkfifo(filepath.Join(dir, "c-fifo.png"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "d-empty.png"), nil, 0o644))
	secret := filepath.Join(dir, "e-secret.png")
	must(t, os.WriteFile(secret, good.Bytes(), 0o000))
	must(t, os.Symlink(filepath.Join(dir, "nowhere.png"), filepath.Join(dir, "f-dangling.png")))

	w, err := Build(t.Context(), def, Options{ImagesDir: dir})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	got := map[string]Source{}
	for _, s := range w.Images {
		got[s.Name] = s
	}
	if s := got["a-good.png"]; s.Problem != "" || s.Width != 16 {
		t.Errorf("good file: %+v", s)
	}
	s := got["b-sparse.png"]
	if s.Class != results.ClassLimit || !strings.Contains(s.Problem, "over the workload's input limit of 67108864 bytes") || s.Size != 4*limit {
		t.Errorf("sparse file: %+v, want rejected as over the limit", s)
	}
	if s := got["f-dangling.png"]; s.Class != results.ClassUnreadable || s.Problem == "" {
		t.Errorf("dangling link: %+v, want rejected as unreadable", s)
	}
	if os.Geteuid() != 0 { // root reads a mode-0 file
		if s := got["e-secret.png"]; s.Class != results.ClassUnreadable || !strings.Contains(s.Problem, "permission denied") {
			t.Errorf("unreadable file: %+v, want rejected as unreadable", s)
		}
	}
	skipped := map[string]string{}
	for _, sk := range w.Skipped {
		skipped[filepath.Base(sk.Path)] = sk.Reason
	}
	if r := skipped["c-fifo.png"]; !strings.HasPrefix(r, "not a regular file") {
		t.Errorf("fifo: skipped %q, want not a regular file", r)
	}
	if r := skipped["d-empty.png"]; r != "empty file" {
		t.Errorf("empty file: skipped %q", r)
	}
	// A rejected source is never checked (nor read) by the child.
	for _, s := range w.Rejected() {
		if err := s.Check(); err != nil {
			t.Errorf("Check of rejected %s: %v", s.Name, err)
		}
	}
	if len(w.Requests) == 0 {
		t.Error("no requests")
	}
}
