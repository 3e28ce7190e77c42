package scenario

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/leakbench/leakbench/internal/factory"
)

// An exec scenario runs any program as the measured child instead of the
// builtin engine (see docs/exec-protocol.md for what the program is given
// and may report):
//
//	name: my-service
//	exec: [node, server-bench.js, --port, "0"]   # the program and its arguments
//	setup: [./install.sh, "1.2.3"]               # optional: run to completion first
//	workload: quick
//	workers: 15
//	idle: 5s
//
// exec and setup take the program first; "${LEAKBENCH_CACHE}" in any of
// their words is replaced by leakbench's cache folder (the user cache
// directory's leakbench/), which the program also finds in its
// environment. A relative program path is taken from the current
// directory, a bare name is looked up on PATH. The default target's keys,
// target and options (execConflicts) are errors beside exec.

// execConflicts are the keys that set the default target or another
// target, which an exec scenario does not run.
func (c Catalog) execConflicts() []string {
	return append([]string{"target", "options"}, c.defaultKeys()...)
}

// CacheVar is the word of an exec or setup command line that the runner
// replaces by leakbench's cache folder.
const CacheVar = "${LEAKBENCH_CACHE}"

// command reads a non-empty list of non-empty strings: a program and its
// arguments.
func (p *parser) command(field string, n *yaml.Node) []string {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		p.fail(field, n, "must be a list: the program and its arguments, such as [node, bench.js], got %s", factory.Describe(n))
		return nil
	}
	var argv []string
	for i, item := range n.Content {
		s, ok := p.str(fmt.Sprintf("%s[%d]", field, i), item)
		if !ok {
			continue
		}
		if i == 0 && strings.TrimSpace(s) == "" {
			p.fail(field, item, "the program (the first word) must not be empty")
			continue
		}
		argv = append(argv, s)
	}
	if len(argv) != len(n.Content) {
		return nil
	}
	return argv
}

// checkExec reports the keys that can't stand beside exec (and setup
// without exec), once the whole file has been read.
func (p *parser) checkExec(seen map[string]*yaml.Node) {
	k, ok := seen["exec"]
	if !ok {
		if s, ok := seen["setup"]; ok {
			p.fail("setup", s, "applies only beside exec: a setup command prepares an exec program")
		}
		return
	}
	for _, key := range p.cat.execConflicts() {
		if c, ok := seen[key]; ok {
			p.fail(key, c, "exec and %s are mutually exclusive: exec (line %d) runs its own program, %s sets a target; drop one of them", key, k.Line, key)
		}
	}
}
