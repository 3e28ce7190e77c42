package runner

import (
	"fmt"
	"strings"

	"github.com/leakbench/leakbench/internal/results"
)

// stuckText names the requests a killed child was still running, for the
// end of the summary's error: "; still running: request 5 (a.png) in
// decode for 29.8s". It is "" when there were none.
func stuckText(us []results.Unfinished) string {
	if len(us) == 0 {
		return ""
	}
	const show = 3
	parts := make([]string, 0, min(len(us), show))
	for _, u := range us[:min(len(us), show)] {
		t := fmt.Sprintf("request %d", u.Request)
		if u.Source != "" {
			t += " (" + u.Source + ")"
		}
		if u.Op != "" {
			t += " in " + u.Op
		}
		parts = append(parts, t+fmt.Sprintf(" for %.1fs", u.Seconds))
	}
	if n := len(us) - show; n > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", n))
	}
	return "; still running: " + strings.Join(parts, ", ")
}
