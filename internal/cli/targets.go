package cli

import (
	"errors"
	"fmt"

	"github.com/leakbench/leakbench/internal/scenario"
	"github.com/leakbench/leakbench/internal/target"
)

// find resolves a builtin scenario's name or a scenario file (scenario.Find)
// and checks its target against the program's: registered, and its
// options: mapping decoded strictly into the target's options type. Every
// problem is reported at once, at its file, line and column, like the
// scenario parser's own.
func (c cli) find(nameOrPath string) (scenario.Scenario, error) {
	sc, err := scenario.FindIn(c.shipped(), nameOrPath)
	if err != nil {
		return sc, err
	}
	return sc, c.checkTarget(sc)
}

// checkTarget checks the scenario's target and its options. An exec
// target is a program, not a registered target: the scenario's parser has
// checked what it may set. The builtin target's settings are its
// top-level keys, which the parser has decoded and validated with the
// builtin's own Factory: here it only needs to be registered.
func (c cli) checkTarget(sc scenario.Scenario) error {
	if len(sc.Exec) > 0 {
		return nil
	}
	name := sc.Target
	if sc.Builtin() {
		name = scenario.DefaultTarget
	}
	f, ok := c.targets[name]
	if !ok {
		return sc.TargetError("target", 0, 0, fmt.Sprintf("target %q is not registered in this program (registered: %s)",
			name, c.targets.List()))
	}
	if sc.Builtin() {
		return nil
	}
	var errs scenario.ErrorList
	for _, err := range f.Check(sc.Options) {
		var oe *target.OptionError
		if !errors.As(err, &oe) {
			line, col := sc.OptionsAt()
			errs = append(errs, sc.TargetError("options", line, col, err.Error()))
			continue
		}
		field := "options"
		if oe.Field != "" {
			field += "." + oe.Field
		}
		line, col := oe.Line, oe.Column
		if line == 0 {
			line, col = sc.OptionsAt()
		}
		errs = append(errs, sc.TargetError(field, line, col, oe.Msg))
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}
