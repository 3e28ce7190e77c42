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
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/leakbench/leakbench/internal/factory"
)

// Catalog is what one program reads its scenarios against: its targets,
// its default target and the scenarios it ships. The zero Catalog reads
// a scenario for its spelling only: no target is registered, so a
// target's settings are left undecoded and a scenario must name its
// target (or exec a program).
type Catalog struct {
	// Targets are the program's targets: a scenario's target key names
	// one, and its Factory decodes and validates the scenario's settings.
	// Nil: a target is checked for its spelling only.
	Targets factory.Targets
	// Default names the target of a scenario without a target key; ""
	// makes the key required (unless the scenario execs a program). The
	// default target takes its settings as top-level keys, the keys of
	// its options type (factory.Factory.Keys), rather than under options:.
	Default string
	// Shipped holds the scenarios the program ships (*.yaml at its root),
	// found by name and listed; nil: none.
	Shipped fs.FS
	// First names the shipped scenarios All lists first, in this order;
	// the others follow by name.
	First []string
}

// defaultKeys returns the default target's keys, which a scenario writes
// at its top level: none without a registered default target.
func (c Catalog) defaultKeys() []string {
	if f, ok := c.Targets[c.Default]; ok {
		return f.Keys()
	}
	return nil
}

// Fields returns the keys a scenario file may contain, in documentation
// order: the scenario's own and the default target's.
func (c Catalog) Fields() []string {
	own := []string{"name", "description", "target", "options", "workload", "images"}
	own = append(own, c.defaultKeys()...)
	return append(own, "workers", "rounds", "in_flight", "idle", "interval",
		"rss_cap", "gogc", "gomemlimit", "expect", "limits", "exec", "setup", "inject_leak")
}

// Load reads and parses one scenario file from fsys. The file name is
// used in error positions.
func (c Catalog) Load(fsys fs.FS, name string) (Scenario, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return Scenario{}, fmt.Errorf("scenario: %w", err)
	}
	defer f.Close()
	data, err := readFile(name, f)
	if err != nil {
		return Scenario{}, err
	}
	return c.Parse(name, data)
}

// All loads every scenario the program ships: those First names, in its
// order, then the others by name. Any invalid file or duplicate name is
// an error; a program's test should keep that from ever shipping.
func (c Catalog) All() ([]Scenario, error) {
	if c.Shipped == nil {
		return nil, nil
	}
	files, err := fs.Glob(c.Shipped, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	var (
		out  []Scenario
		errs []error
	)
	byName := map[string]string{}
	for _, f := range files {
		sc, err := c.Load(c.Shipped, f)
		if err != nil {
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
	rank := func(name string) int {
		if i := slices.Index(c.First, name); i >= 0 {
			return i
		}
		return len(c.First)
	}
	slices.SortFunc(out, func(a, b Scenario) int {
		return cmp.Or(cmp.Compare(rank(a.Name), rank(b.Name)), cmp.Compare(a.Name, b.Name))
	})
	return out, nil
}

// Find returns a shipped scenario by name ("fixed"; a file name without
// ".yaml" also works, e.g. "fix1-2"), or parses the file at nameOrPath
// when it ends in .yaml or .yml or contains a path separator, resolves
// its images directory against the file's own directory (or the home
// directory, for "~/...") and checks it (CheckImages), with every other
// problem of the file. It loads the shipped scenarios (All) on each call
// for a name; Finder loads them once.
func (c Catalog) Find(nameOrPath string) (Scenario, error) { return c.find(nameOrPath, c.All) }

// Finder returns Find with the shipped scenarios loaded (All) once, on
// the first name it is given rather than on every name, so that a
// command that resolves several scenarios reads and parses the program's
// files once. A scenario it returns shares its slices and maps with the
// loaded one: change its fields, not their elements.
func (c Catalog) Finder() func(nameOrPath string) (Scenario, error) {
	all := sync.OnceValues(c.All)
	return func(nameOrPath string) (Scenario, error) { return c.find(nameOrPath, all) }
}

// find is Find with the shipped scenarios from all.
func (c Catalog) find(nameOrPath string, all func() ([]Scenario, error)) (Scenario, error) {
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
		return c.parse(nameOrPath, data, filepath.Dir(nameOrPath))
	}
	shipped, err := all()
	if err != nil {
		return Scenario{}, err
	}
	var names []string
	for _, sc := range shipped {
		if sc.Name == nameOrPath || strings.TrimSuffix(sc.File, ".yaml") == nameOrPath {
			return sc, nil
		}
		names = append(names, sc.Name)
	}
	if len(names) == 0 {
		return Scenario{}, fmt.Errorf("scenario: unknown scenario %q (this program ships no scenarios: give the path of a .yaml file)", nameOrPath)
	}
	return Scenario{}, fmt.Errorf("scenario: unknown scenario %q (known: %s; or give the path of a .yaml file)", nameOrPath, strings.Join(names, ", "))
}

// With returns sc running settings instead of its own: a value of its
// target's options type (a shipped scenario's Settings, changed in Go).
// Its Options become the settings' YAML (yaml.Marshal: an options type
// whose decoding does not invert its encoding implements yaml.Marshaler,
// as the builtin's does to send its preset resolved), which the target's
// Factory must decode and validate, as the child will; its Settings
// become settings, labels that do not travel to the child (the
// builtin's preset name) included.
func (c Catalog) With(sc Scenario, settings any) (Scenario, error) {
	node, _, err := c.encode(sc, settings)
	if err != nil {
		return sc, err
	}
	sc.Options, sc.Settings = node, settings
	return sc, nil
}

// Set returns sc with some of its settings' keys set to the values
// given (their YAML text, "per-worker"), over its Settings encoded as
// With encodes them, and its Settings what the target's Factory decodes
// from the result: a factorial's cell is its base with each switch at
// its level.
func (c Catalog) Set(sc Scenario, values map[string]string) (Scenario, error) {
	b, err := yaml.Marshal(sc.Settings)
	if err != nil {
		return sc, fmt.Errorf("scenario %s: encoding its settings: %w", sc.Name, err)
	}
	m := map[string]any{}
	if err := yaml.Unmarshal(b, &m); err != nil {
		return sc, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	for k, v := range values {
		m[k] = v
	}
	node, decoded, err := c.encode(sc, m)
	if err != nil {
		return sc, err
	}
	sc.Options, sc.Settings = node, decoded
	return sc, nil
}

// encode returns settings as YAML for sc's target and what its Factory
// decodes from it.
func (c Catalog) encode(sc Scenario, settings any) (*yaml.Node, any, error) {
	f, ok := c.Targets[sc.Target]
	if !ok || len(sc.Exec) > 0 {
		return nil, nil, fmt.Errorf("scenario %s: no registered target to take settings (target %q)", sc.Name, sc.Target)
	}
	node, err := encodeSettings(settings)
	if err != nil {
		return nil, nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	decoded, errs := f.Decode(node)
	if len(errs) > 0 {
		return nil, nil, fmt.Errorf("scenario %s: %w", sc.Name, errors.Join(errs...))
	}
	return node, decoded, nil
}

// encodeSettings returns settings as the YAML the child is sent.
func encodeSettings(settings any) (*yaml.Node, error) {
	var node yaml.Node
	if err := node.Encode(settings); err != nil {
		return nil, fmt.Errorf("encoding its settings: %w", err)
	}
	return &node, nil
}

// CheckImages checks that the scenario's images directory (as Find
// resolved it: a relative path in a file is taken from the file's
// directory, not from the working directory) is there and is a
// directory, so that a missing one is an error at the images key's line
// and column when the scenario is loaded, before any run. It returns nil
// when the scenario has no images key. Parse does not call it: it reads
// only the bytes it is given.
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
