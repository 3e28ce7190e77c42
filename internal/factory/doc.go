// Package factory builds targets from a scenario's options: a Factory is
// made by New from a function of the target's own options type, checks a
// scenario's options in the parent (Check, strict decoding with
// line:column errors, then the options' Validate) and builds the target
// in the child from the same options (New, Build). Targets is a program's
// set of them by name.
//
// Decode is the strict YAML decoder behind it (every unknown key and
// wrong type an *OptionError at its position), which package scenario
// uses for a scenario's own keys too.
//
// The contract a target implements (Target, Request, Config, ...) is the
// public package harness/target; this package is the harness's side of
// it and is not for users: they register a target with harness.Register.
package factory
