//go:build !linux

package runner

import (
	"os"
	"syscall"
)

// childSysProcAttr puts the child in its own process group where the
// platform allows it.
func childSysProcAttr() *syscall.SysProcAttr { return nil }

// killTree kills the child with SIGKILL.
func killTree(proc *os.Process) error { return proc.Kill() }
