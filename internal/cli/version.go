package cli

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/leakbench/leakbench/internal/driver"
)

var versionHelp = help{
	usage:       "bench version",
	description: "Print bench's version (module version and VCS revision) and the Go and wazero versions it was built with.",
	examples:    []string{"# which build produced these numbers?", "bench version"},
}

func doVersion(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version")
	if status, done := parseFlags(fs, versionHelp, args, stdout, stderr); done {
		return status
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "version", "unexpected arguments %q", fs.Args())
	}
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
	fmt.Fprintf(stdout, "bench %s", version)
	if revision != "" {
		fmt.Fprintf(stdout, " (%s)", revision)
	}
	env := driver.Environment("", "")
	fmt.Fprintf(stdout, " %s wazero %s %s/%s\n", env.GoVersion, env.WazeroVersion, env.GOOS, env.GOARCH)
	return statusOK
}
