package srccache

import (
	"context"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"slices"
	"sync"

	"github.com/leakbench/leakbench/targets/internal/moddir"
)

// Samples are the sample images a module ships under a directory of its
// module-cache copy, read in place at run time, never copied: the heic
// decode target's sources, since gen2brain/heic has no encoder. A workload
// source is mapped to one of them by a hash of its file name, so the same
// source always decodes the same sample.
type Samples struct {
	Module string // module path, e.g. github.com/gen2brain/heic
	Dir    string // directory in the module, e.g. testdata
	Glob   string // file pattern, e.g. *.heic

	once  sync.Once
	files []string
	err   error
}

// HEICSamples are the heic decode target's sources: gen2brain/heic has no
// encoder, so they are the sample images its module ships (testdata/*.heic).
func HEICSamples() *Samples {
	return &Samples{Module: "github.com/gen2brain/heic", Dir: "testdata", Glob: "*.heic"}
}

// Files returns the sample files, sorted by name.
func (s *Samples) Files(ctx context.Context) ([]string, error) {
	s.once.Do(func() {
		dir, m, err := moddir.File(ctx, s.Module, s.Dir)
		if err != nil {
			s.err = err
			return
		}
		files, err := filepath.Glob(filepath.Join(dir, s.Glob))
		if err != nil || len(files) == 0 {
			s.err = fmt.Errorf("srccache: %s %s has no %s in %s", m.Path, m.Version, s.Glob, s.Dir)
			return
		}
		slices.Sort(files)
		s.files = files
	})
	return s.files, s.err
}

// Source returns the sample for the workload source at path.
func (s *Samples) Source(ctx context.Context, path string) (string, error) {
	files, err := s.Files(ctx)
	if err != nil {
		return "", err
	}
	h := fnv.New32a()
	h.Write([]byte(filepath.Base(path)))
	return files[int(h.Sum32()%uint32(len(files)))], nil
}

// NameFor returns a workload source name that Source maps to the sample
// named sample (its base name), for measuring one sample on purpose.
func (s *Samples) NameFor(ctx context.Context, sample string) (string, error) {
	for i := range 10000 {
		name := fmt.Sprintf("img-%04d.png", i)
		p, err := s.Source(ctx, name)
		if err != nil {
			return "", err
		}
		if filepath.Base(p) == sample {
			return name, nil
		}
	}
	return "", fmt.Errorf("srccache: no source name maps to %s of %s", sample, s.Module)
}

var (
	_ Sources = (*Cache)(nil)
	_ Sources = (*Samples)(nil)
)
