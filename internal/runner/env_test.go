package runner

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/scenario"
)

func TestWorkloadHash(t *testing.T) {
	hash := func(sc scenario.Scenario) string {
		t.Helper()
		h, err := WorkloadHash(sc)
		if err != nil || len(h) != 64 {
			t.Fatalf("WorkloadHash(%s, %q) = %q, %v", sc.Workload, sc.Images, h, err)
		}
		return h
	}
	tiny := hash(scenario.Scenario{Workload: "tiny"})
	if tiny != hash(scenario.Scenario{Workload: "tiny", Name: "other"}) {
		t.Error("the hash depends on more than the workload")
	}
	if tiny == hash(scenario.Scenario{Workload: "quick"}) {
		t.Error("tiny and quick have one hash")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.png"), []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	own := hash(scenario.Scenario{Workload: "tiny", Images: dir})
	if own == tiny {
		t.Error("own images do not change the hash")
	}
	if err := os.WriteFile(filepath.Join(dir, "a.png"), []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	if own == hash(scenario.Scenario{Workload: "tiny", Images: dir}) {
		t.Error("changed image bytes do not change the hash")
	}
	if _, err := WorkloadHash(scenario.Scenario{Workload: "nope"}); err == nil {
		t.Error("no error for an unknown workload")
	}
}

func TestCompleteEnv(t *testing.T) {
	parent := results.Env{GoVersion: "parent", CPUModel: "cpu", WorkloadHash: "h", LeakbenchVersion: "v"}
	got := completeEnv(results.Env{GoVersion: "child", LeakbenchVersion: "child-v"}, parent)
	want := results.Env{GoVersion: "child", CPUModel: "cpu", WorkloadHash: "h", LeakbenchVersion: "child-v"}
	if got != want {
		t.Errorf("completeEnv = %+v, want %+v", got, want)
	}
}
