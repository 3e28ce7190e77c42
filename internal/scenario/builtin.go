package scenario

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/leakbench/leakbench/internal/builtin"
	"github.com/leakbench/leakbench/internal/engine"
	"github.com/leakbench/leakbench/internal/target"
	"github.com/leakbench/leakbench/scenarios"
)

// Builtin loads every scenario embedded in package scenarios: the four
// published stages first, in preset order (before, fix1, fix1+2, fixed),
// then the patterns from the field in theirs (engine.FieldPresets), then
// the others by name. Any invalid file or duplicate name is an error;
// a test keeps that from ever shipping.
func Builtin() ([]Scenario, error) {
	return LoadAll(scenarios.FS)
}

// LoadAll loads every *.yaml file at the root of fsys, sorted as Builtin
// sorts them. Any invalid file or duplicate name is an error.
func LoadAll(fsys fs.FS) ([]Scenario, error) {
	files, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	var (
		out  []Scenario
		errs []error
	)
	byName := map[string]string{}
	for _, f := range files {
		sc, err := Load(fsys, f)
		if err != nil {
			if !forThisPlatform(fsys, f) {
				continue // mmap-fixed off Linux: not an error in the file
			}
			errs = append(errs, err)
			continue
		}
		if other, dup := byName[sc.Name]; dup {
			errs = append(errs, &Error{File: f, Field: "name", Msg: fmt.Sprintf("scenario name %q is also used by %s", sc.Name, other)})
			continue
		}
		byName[sc.Name] = f
		out = append(out, sc)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	presets := builtin.PresetNames()
	rank := func(name string) int {
		if i := slices.Index(presets, name); i >= 0 {
			return i
		}
		return len(presets)
	}
	slices.SortFunc(out, func(a, b Scenario) int {
		return cmp.Or(cmp.Compare(rank(a.Name), rank(b.Name)), cmp.Compare(a.Name, b.Name))
	})
	return out, nil
}

// Find returns a builtin scenario by name ("fixed", "quick-leaky"; a
// builtin's file name without ".yaml" also works, e.g. "fix1-2"), or
// parses the file at nameOrPath when it ends in .yaml or .yml or contains
// a path separator, resolves its images directory against the file's own
// directory (or the home directory, for "~/...") and checks it
// (CheckImages).
func Find(nameOrPath string) (Scenario, error) {
	return FindIn(scenarios.FS, nil, nameOrPath)
}

// FindIn is Find with the scenarios of fsys (LoadAll) in the place of the
// builtin ones (a program built on package harness ships its own), parsed
// for the program's targets (ParseFor; nil as Parse does).
func FindIn(fsys fs.FS, targets target.Targets, nameOrPath string) (Scenario, error) {
	if isPath(nameOrPath) {
		f, err := os.Open(nameOrPath)
		if err != nil {
			return Scenario{}, fmt.Errorf("scenario: %w", err)
		}
		data, err := readFile(nameOrPath, f)
		f.Close()
		if err != nil {
			return Scenario{}, err
		}
		sc, err := ParseFor(nameOrPath, data, targets)
		if err != nil {
			return sc, err
		}
		sc.Images = resolvePath(filepath.Dir(nameOrPath), sc.Images)
		if err := sc.CheckImages(); err != nil {
			return Scenario{}, ErrorList{err}
		}
		return sc, nil
	}
	all, err := LoadAll(fsys)
	if err != nil {
		return Scenario{}, err
	}
	var names []string
	for _, sc := range all {
		if sc.Name == nameOrPath || strings.TrimSuffix(sc.File, ".yaml") == nameOrPath {
			if targets == nil {
				return sc, nil
			}
			data, err := fs.ReadFile(fsys, sc.File)
			if err != nil {
				return Scenario{}, fmt.Errorf("scenario: %w", err)
			}
			return ParseFor(sc.File, data, targets)
		}
		names = append(names, sc.Name)
	}
	if len(names) == 0 {
		return Scenario{}, fmt.Errorf("scenario: unknown scenario %q (this program ships no scenarios: give the path of a .yaml file)", nameOrPath)
	}
	return Scenario{}, fmt.Errorf("scenario: unknown scenario %q (known: %s; or give the path of a .yaml file)", nameOrPath, strings.Join(names, ", "))
}

// CheckImages checks that the scenario's images directory (as Find
// resolved it: a relative path in a file is taken from the file's
// directory, not from the working directory) is there and is a
// directory, so that a missing one is an error at the images key's line
// and column when the scenario is loaded, before any run. It returns nil when the scenario has no images key. Parse does not
// call it: it reads only the bytes it is given.
func (s Scenario) CheckImages() error {
	if s.Images == "" {
		return nil
	}
	st, err := os.Stat(s.Images)
	switch {
	case err != nil:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return s.errorAt("images", fmt.Sprintf("directory %s: %v", s.Images, err))
	case !st.IsDir():
		return s.errorAt("images", fmt.Sprintf("%s is not a directory", s.Images))
	}
	return nil
}

// resolvePath returns p, a path written in a scenario file in dir: "~/x"
// under the home directory, a relative path under dir, an absolute one
// (or "") as it is.
func resolvePath(dir, p string) string {
	switch {
	case p == "" || filepath.IsAbs(p):
		return p
	case p == "~" || strings.HasPrefix(p, "~/"):
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
		return p
	}
	return filepath.Join(dir, p)
}

func isPath(s string) bool {
	ext := strings.ToLower(filepath.Ext(s))
	return ext == ".yaml" || ext == ".yml" || strings.ContainsRune(s, '/') || strings.ContainsRune(s, filepath.Separator)
}

// forThisPlatform reports whether a builtin file's allocator (its own key,
// or its preset's) exists on this platform. Off Linux the mmap scenarios
// fail to load, as every scenario asking for mmap does there, and are
// left out of the builtins rather than making every other one unusable.
func forThisPlatform(fsys fs.FS, name string) bool {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return true
	}
	var keys struct {
		Preset    string `yaml:"preset"`
		Allocator string `yaml:"allocator"`
	}
	if yaml.Unmarshal(data, &keys) != nil {
		return true
	}
	st, _ := engine.Preset(keys.Preset)
	if keys.Allocator != "" {
		if a, err := engine.ParseAllocator(keys.Allocator); err == nil {
			st.Allocator = a
		}
	}
	return st.Allocator.Supported()
}
