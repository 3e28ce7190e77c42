package reproduction

import (
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/results"
)

const mb = results.MiB

// written returns the markdown rep writes.
func written(t *testing.T, rep Reproduction) string {
	t.Helper()
	var b strings.Builder
	if err := rep.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// wantAll reports every string of wants that text lacks, naming the text
// by what.
func wantAll(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q\n%s", what, want, text)
		}
	}
}
