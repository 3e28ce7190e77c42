package moddir_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/targets/internal/moddir"
)

func TestFind(t *testing.T) {
	ctx := context.Background()
	m, err := moddir.Find(ctx, "github.com/gen2brain/heic")
	if err != nil {
		t.Fatal(err)
	}
	if m.Version == "" || !strings.HasSuffix(m.Dir, "@"+m.Version) {
		t.Errorf("found %+v: want a versioned module-cache directory", m)
	}
	mod, err := os.ReadFile(filepath.Join(m.Dir, "go.mod"))
	if err != nil || !strings.HasPrefix(string(mod), "module github.com/gen2brain/heic\n") {
		t.Errorf("%s holds no go.mod of github.com/gen2brain/heic: %v", m.Dir, err)
	}
	p, _, err := moddir.File(ctx, "github.com/gen2brain/heic", "testdata")
	if err != nil || filepath.Dir(p) != m.Dir {
		t.Errorf("File(testdata) = %q, %v", p, err)
	}
	if _, _, err := moddir.File(ctx, "github.com/gen2brain/heic", "no/such/file"); err == nil {
		t.Error("a missing file gave no error")
	}
	if _, err := moddir.Find(ctx, "example.com/not/a/dependency"); err == nil {
		t.Error("a module that is not a dependency gave no error")
	}
}
