package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/leakbench/leakbench/internal/driver"
	"github.com/leakbench/leakbench/internal/runner"
)

// childCommand is the hidden subcommand a run's child process runs: the
// runner starts it, the driver is its body.
const childCommand = runner.ChildCommand

// doChild is the child process of one scenario run: the parent writes the
// scenario on its stdin and reads its events from file descriptor 3.
func (c cli) doChild(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if err := driver.Child(ctx, args, c.catalog.Targets); err != nil {
		fmt.Fprintf(stderr, "%s %s: %v\n", c.name, childCommand, err)
		return StatusError
	}
	return StatusOK
}
