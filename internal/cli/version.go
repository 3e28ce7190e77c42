package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/leakbench/leakbench/internal/driver"
	"github.com/leakbench/leakbench/internal/runner"
)

var versionHelp = help{
	usage:       "bench version",
	description: "Print bench's version (module version and VCS revision) and the Go and wazero versions it was built with.",
	examples:    []string{"# which build produced these numbers?", "bench version"},
}

func (c cli) doVersion(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if status, done := c.noArguments("version", versionHelp, args, stdout, stderr); done {
		return status
	}
	fmt.Fprintf(stdout, "%s %s", c.name, runner.Version())
	env := driver.Environment("", "")
	fmt.Fprintf(stdout, " %s wazero %s %s/%s\n", env.GoVersion, env.WazeroVersion, env.GOOS, env.GOARCH)
	return StatusOK
}
