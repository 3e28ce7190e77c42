package harness

import (
	"context"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/harness/target"
)

func TestRegister_Mistakes(t *testing.T) {
	f := func(context.Context, target.Config, struct{}) (target.Target, error) { return nil, nil }
	panics := func(name string, register func()) {
		t.Helper()
		defer func() {
			r := recover()
			if r == nil || !strings.Contains(r.(string), name) {
				t.Errorf("Register(%q): panic %v, want one naming it", name, r)
			}
		}()
		register()
	}
	h := New()
	Register(h, "mine", f)
	if _, ok := h.targets["mine"]; !ok {
		t.Fatal("mine not registered")
	}
	panics("mine", func() { Register(h, "mine", f) })
	panics("My Target", func() { Register(h, "My Target", f) })
	panics("nil", func() { Register[struct{}](h, "nil", nil) })
}
