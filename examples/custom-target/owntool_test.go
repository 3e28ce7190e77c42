package main

import (
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/childtest"
)

// TestOwnTool: the program is its own tool, as a new user meets it. Its
// help and errors carry its name, it has no reproduce (leakbench's case
// study), list shows the scenario it ships without the builtin engine's
// switch columns, and a scenario it does not ship is refused under its
// name with the ones it does.
func TestOwnTool(t *testing.T) {
	t.Parallel()
	bin := build(t)
	code, text := childtest.Run(t, nil, bin, "--help")
	if code != 0 || !strings.HasPrefix(text, "usage: custom-target <command>") || strings.Contains(text, "reproduce") {
		t.Errorf("--help: exit %d, want 0, its own name and no reproduce:\n%s", code, text)
	}
	if code, text = childtest.Run(t, nil, bin, "list"); code != 0 || !strings.Contains(text, "filler  tiny      filler") || strings.Contains(text, "TOPOLOGY") {
		t.Errorf("list: exit %d, want the shipped filler without switch columns:\n%s", code, text)
	}
	code, text = childtest.Run(t, nil, bin, "run", "--quiet", "quick-fixed")
	if want := `custom-target run: scenario: unknown scenario "quick-fixed" (known: filler;`; code != 2 || !strings.Contains(text, want) {
		t.Errorf("run quick-fixed: exit %d, want 2 and %q:\n%s", code, want, text)
	}
}
