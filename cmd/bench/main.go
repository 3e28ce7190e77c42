package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/leakbench/leakbench/internal/builtin"
	"github.com/leakbench/leakbench/internal/cli"
	"github.com/leakbench/leakbench/internal/target"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, target.Targets{builtin.Name: target.NewFactory(builtin.New)}, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
