package builtin

import (
	"context"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/leakbench/leakbench/internal/target"
)

func TestOptions_Decode(t *testing.T) {
	f := target.NewFactory(New)
	check := func(text string) []error {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
			t.Fatal(err)
		}
		return f.Check(doc.Content[0])
	}
	if errs := check("topology: pipeline\nlifetime: fresh\nviews: cleared\nlisteners: removed\nop_timeout: 30s\n"); len(errs) > 0 {
		t.Errorf("the builtin's keys: %v", errs)
	}
	errs := check("topology: star\npreset: fixed\nop_timeout: -1s\n")
	var all []string
	for _, e := range errs {
		all = append(all, e.Error())
	}
	text := strings.Join(all, "\n")
	for _, want := range []string{
		`1:11: topology: unknown topology "star"`,
		`2:1: unknown field "preset" (allowed: topology, lifetime, views, listeners, recycle_after, pool_size, memory_limit, allocator, results, cache, op_timeout)`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("errors lack %q:\n%s", want, text)
		}
	}
	if errs := check("op_timeout: -1s\n"); len(errs) != 1 || !strings.Contains(errs[0].Error(), "op_timeout: must not be negative") {
		t.Errorf("a negative deadline: %v", errs)
	}
}

func TestNew_NeedsARecorder(t *testing.T) {
	if _, err := New(context.Background(), target.Config{}, Options{}); err == nil {
		t.Error("New without a Recorder: no error")
	}
}
