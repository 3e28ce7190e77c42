package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/shirou/gopsutil/v4/cpu"

	"github.com/leakbench/leakbench/internal/driver"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/scenario"
	"github.com/leakbench/leakbench/internal/workload"
)

// This file fills the parts of a run's results.Env that only the parent
// knows, in the one place a run's summary head is built: the workload's
// hash, the processor model and the harness version. The child reports
// the rest in its hello event (driver.Environment), which replaces the
// parent's guess; completeEnv then puts these fields back.

// Version is the version of this leakbench build, as `bench version`
// prints it and as results.Env.LeakbenchVersion records it: the module
// version ("(devel)" for a build from a checkout) and, when the build
// has it, the VCS revision with "+dirty" for uncommitted changes:
// "(devel) 1a2b3c4d5e6f+dirty".
func Version() string {
	version, revision := "(devel)", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					revision += "+dirty"
				}
			}
		}
	}
	if revision == "" {
		return version
	}
	return version + " " + revision
}

// parentEnv is the environment of a run of sc as the parent sees it
// before the child reports its own, its workload's hash from ws. ownChild
// says the child is this executable, so that this build's version is the
// child's.
func parentEnv(sc scenario.Scenario, ws *Workloads, ownChild bool) (results.Env, []string) {
	env := driver.Environment(sc.GOGCEnv(), sc.GOMEMLIMITEnv())
	var warns []string
	if ownChild {
		env.LeakbenchVersion = Version()
	}
	env.CPUModel = cpuModel()
	h, err := ws.hash(sc)
	if err != nil {
		warns = append(warns, "no workload hash: "+err.Error())
	}
	env.WorkloadHash = h
	return env, warns
}

// completeEnv is the child's reported environment with the fields only
// the parent knows filled from parent where the child left them empty.
func completeEnv(child, parent results.Env) results.Env {
	if child.CPUModel == "" {
		child.CPUModel = parent.CPUModel
	}
	if child.WorkloadHash == "" {
		child.WorkloadHash = parent.WorkloadHash
	}
	if child.LeakbenchVersion == "" {
		child.LeakbenchVersion = parent.LeakbenchVersion
	}
	return child
}

// cpuModel is the model name of the first processor, "" when unknown.
func cpuModel() string {
	infos, err := cpu.InfoWithContext(context.Background())
	if err != nil || len(infos) == 0 {
		return ""
	}
	return strings.Join(strings.Fields(infos[0].ModelName), " ")
}

// WorkloadHash is the hex SHA-256 of everything that decides what a
// scenario's child is fed: the workload's definition (generator version,
// seed, image specs and request pattern) and, for a scenario with its own
// images, the name and bytes of every file in that folder. Two runs with
// the same hash received the same requests over the same images.
func WorkloadHash(sc scenario.Scenario) (string, error) {
	def, err := workload.Lookup(sc.Workload)
	if err != nil {
		return "", err
	}
	def.Description = "" // words, not input
	h := sha256.New()
	key := struct {
		Generator  int
		Definition workload.Definition
	}{workload.GeneratorVersion, def}
	b, err := json.Marshal(key)
	if err != nil {
		return "", fmt.Errorf("workload %s: %w", sc.Workload, err)
	}
	h.Write(b)
	if sc.Images != "" {
		if err := hashImages(h, sc.Images); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashImages adds the name, size and bytes of every regular file in dir,
// in name order, to h.
func hashImages(h io.Writer, dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("images: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	for _, name := range names {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("images: %w", err)
		}
		fmt.Fprintf(h, "%s\x00", name)
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return fmt.Errorf("images: %s: %w", name, err)
		}
	}
	return nil
}
