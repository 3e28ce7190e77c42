package leakbench

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The module's two wings (issue 24): the case study, the rebuilt Next.js
// optimizer (its codecs and their modules, the engine, the builtin target,
// the V8 models, the presets and the Next.js example), plugs into the
// core from cmd/bench; the core is every other package. The core imports
// neither the case study nor wazero, so that a program built on package
// harness links none of it.
const module = "github.com/leakbench/leakbench"

// caseStudy lists the case study's folders, relative to the module: a
// package in one of them, or below, is the case study's; any other is
// core. A new package of the case study goes under internal/casestudy.
var caseStudy = []string{
	"cmd/bench",          // the case study's program: registers it with the core
	"examples/nextjs",    // the real optimizer, as an exec target
	"internal/casestudy", // the rebuilt optimizer: bench's program, codecs, engine, builtin target, V8 models, scenarios, published figures and the reproduction, squoosh
	"tools/squoosh-memory",
	"wasm", // the codecs' modules
}

// inCaseStudy reports whether the package pkg (relative to the module)
// is the case study's.
func inCaseStudy(pkg string) bool {
	return slices.ContainsFunc(caseStudy, func(dir string) bool { return pkg == dir || strings.HasPrefix(pkg, dir+"/") })
}

// wazeroSide lists the core's packages for users' wazero targets: they may
// import wazero, never the case study.
var wazeroSide = []string{
	"examples/custom-target", // a user's own wazero engine
	"harness/wazeromem",
}

// TestCore_ImportsNoCaseStudy lists every package of the module with its
// dependencies (go list -deps) and checks that no core package depends on
// a package of the case study, nor on wazero unless it is on the wazero
// side.
func TestCore_ImportsNoCaseStudy(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := map[string]bool{}
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(strings.TrimPrefix(fields[0], module), "/")
		seen[pkg] = true
		if inCaseStudy(pkg) {
			continue
		}
		if bad := forbiddenDeps(fields[1:], slices.Contains(wazeroSide, pkg)); len(bad) > 0 {
			t.Errorf("core package %q depends on %s: the core imports neither the case study nor wazero (or list %q in caseStudy if it belongs to the case study)", fields[0], strings.Join(bad, ", "), pkg)
		}
	}
	for _, dir := range slices.Concat(caseStudy, wazeroSide) {
		found := false
		for pkg := range seen {
			found = found || pkg == dir || strings.HasPrefix(pkg, dir+"/")
		}
		if !found {
			t.Errorf("%q is listed in imports_test.go but holds no package of the module", dir)
		}
	}
}

// forbiddenDeps returns the dependencies of a core package that it must
// not have: the case study's packages, and wazero's unless wazeroOK (one
// entry for all of wazero).
func forbiddenDeps(deps []string, wazeroOK bool) []string {
	var bad []string
	wazero := false
	for _, d := range deps {
		switch {
		case strings.HasPrefix(d, "github.com/tetratelabs/wazero"):
			wazero = true
		case strings.HasPrefix(d, module+"/") && inCaseStudy(strings.TrimPrefix(d, module+"/")):
			bad = append(bad, d)
		}
	}
	if wazero && !wazeroOK {
		bad = append(bad, "github.com/tetratelabs/wazero")
	}
	return bad
}

// TestForbiddenDeps proves the check can fail: a case-study package and
// wazero are each caught, wazero is allowed on the wazero side, and the
// core's own packages and other modules pass.
func TestForbiddenDeps(t *testing.T) {
	deps := []string{"fmt", module + "/internal/factory", module + "/internal/casestudy/codecs", "github.com/tetratelabs/wazero/api", "github.com/tetratelabs/wazero", "gonum.org/v1/gonum/stat"}
	if got := forbiddenDeps(deps, false); !slices.Equal(got, []string{module + "/internal/casestudy/codecs", "github.com/tetratelabs/wazero"}) {
		t.Errorf("core: %q, want codecs and wazero", got)
	}
	if got := forbiddenDeps(deps, true); !slices.Equal(got, []string{module + "/internal/casestudy/codecs"}) {
		t.Errorf("wazero side: %q, want codecs only", got)
	}
	if got := forbiddenDeps(deps[:2], false); len(got) != 0 {
		t.Errorf("clean deps: %q, want none", got)
	}
}
