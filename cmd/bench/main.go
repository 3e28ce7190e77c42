package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/leakbench/leakbench/internal/builtin"
	"github.com/leakbench/leakbench/internal/target"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	c := cli{targets: target.Targets{builtin.Name: target.NewFactory(builtin.New)}}
	code := c.run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
