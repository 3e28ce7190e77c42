package runner

import "syscall"

// childSysProcAttr puts the child in its own process group, so that a
// Ctrl-C at the terminal reaches only the parent (which then kills the
// child and finishes its files), and has the kernel kill the child if the
// parent dies first.
func childSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
