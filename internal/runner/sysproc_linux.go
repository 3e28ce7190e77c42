package runner

import (
	"os"
	"syscall"
)

// childSysProcAttr puts the child in its own process group, so that a
// Ctrl-C at the terminal reaches only the parent (which then kills the
// child and finishes its files), and has the kernel kill the child if the
// parent dies first.
func childSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killTree kills the child's process group (the child and every
// descendant that kept it) with SIGKILL, falling back to the child alone.
func killTree(proc *os.Process) error {
	if err := syscall.Kill(-proc.Pid, syscall.SIGKILL); err == nil {
		return nil
	}
	return proc.Kill()
}
