package cli

import (
	"github.com/leakbench/leakbench/internal/scenario"
)

// find resolves a shipped scenario's name or a scenario file
// (scenario.Catalog.Find) for the program's targets: the target must be
// registered, and its settings (the default target's top-level keys,
// another target's options: mapping) are decoded strictly into the target's
// options type by its Factory. Every problem of the file is reported at
// once, at its file, line and column.
func (c cli) find(nameOrPath string) (scenario.Scenario, error) {
	return c.catalog.Find(nameOrPath)
}
