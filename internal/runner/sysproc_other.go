//go:build !linux

package runner

import "syscall"

// childSysProcAttr puts the child in its own process group where the
// platform allows it.
func childSysProcAttr() *syscall.SysProcAttr { return nil }
