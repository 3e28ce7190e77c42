package merge

import (
	"errors"
	"testing"

	"github.com/leakbench/leakbench/internal/results"
)

func env() results.Env {
	return results.Env{GoVersion: "go1.26.8", WazeroVersion: "v1.12.0", GOOS: "linux", GOARCH: "amd64", CPUs: 2,
		Hostname: "runner-a", Kernel: "6.1", WorkloadHash: "sha256:1f2e", LeakbenchVersion: "v0.3.0"}
}

func TestCheck_RefusesMixedEnvironments(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*results.Env)
		want string
	}{
		{"go", func(e *results.Env) { e.GoVersion = "go1.25.3" },
			`merge: refusing to merge results from different environments (allow with --allow-mixed): Go version differs: "go1.26.8" in results/a, "go1.25.3" in results/b`},
		{"wazero", func(e *results.Env) { e.WazeroVersion = "v1.11.0" },
			`merge: refusing to merge results from different environments (allow with --allow-mixed): wazero version differs: "v1.12.0" in results/a, "v1.11.0" in results/b`},
		{"cpus", func(e *results.Env) { e.CPUs = 16 },
			`merge: refusing to merge results from different environments (allow with --allow-mixed): CPU count differs: "2" in results/a, "16" in results/b`},
		{"workload", func(e *results.Env) { e.WorkloadHash = "sha256:9abc" },
			`merge: refusing to merge results from different environments (allow with --allow-mixed): workload hash differs: "sha256:1f2e" in results/a, "sha256:9abc" in results/b`},
		{"leakbench missing", func(e *results.Env) { e.LeakbenchVersion = "" },
			`merge: refusing to merge results from different environments (allow with --allow-mixed): leakbench version differs: "v0.3.0" in results/a, (not recorded) in results/b`},
		{"two fields", func(e *results.Env) { e.GoVersion = "go1.25.3"; e.CPUs = 4 },
			`merge: refusing to merge results from different environments (allow with --allow-mixed): Go version differs: "go1.26.8" in results/a, "go1.25.3" in results/b; CPU count differs: "2" in results/a, "4" in results/b`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			other := env()
			tc.mod(&other)
			sources := []Source{{"results/a", env()}, {"results/a2", env()}, {"results/b", other}}
			_, err := Check(sources, false)
			var mixed *MixedError
			if !errors.As(err, &mixed) || err.Error() != tc.want {
				t.Errorf("error:\n%v\nwant:\n%s", err, tc.want)
			}
			ms, err := Check(sources, true)
			if err != nil || len(ms) != len(mixed.Mismatches) {
				t.Errorf("allowed: %v, %v", ms, err)
			}
		})
	}
}

func TestCheck_AcceptsMatchingEnvironments(t *testing.T) {
	// Host names and kernels differ between machines of one kind: fine.
	b := env()
	b.Hostname, b.Kernel = "runner-b", "6.2"
	ms, err := Check([]Source{{"results/a", env()}, {"results/b", b}}, false)
	if err != nil || len(ms) != 0 {
		t.Errorf("got %v, %v", ms, err)
	}
	if _, err := Check(nil, false); err == nil {
		t.Error("no folders accepted")
	}
}
