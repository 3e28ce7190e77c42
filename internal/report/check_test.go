package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wantTexts reports every string of wants that text lacks (a markdown
// file, an SVG's text), naming the text by what.
func wantTexts(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q\n%s", what, want, text)
		}
	}
}

// keepOutput writes data as name into $LEAKBENCH_REPORT_OUT when it is
// set, to look at what a test rendered; otherwise it does nothing.
func keepOutput(name string, data []byte) {
	if dir := os.Getenv("LEAKBENCH_REPORT_OUT"); dir != "" {
		os.WriteFile(filepath.Join(dir, name), data, 0o644)
	}
}

// writeIndex writes the index of dir with WriteIndex and returns it.
func writeIndex(t *testing.T, dir, invocation string, runs []Run) string {
	t.Helper()
	if err := WriteIndex(dir, invocation, runs); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
