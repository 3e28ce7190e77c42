package runner

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/leakbench/leakbench/internal/results"
)

// maxEventLine bounds one line of the child's event stream. The child's
// events are a few hundred bytes (the hello event, the largest, under
// 1 KiB); a longer line is cut to this length, fails to parse and is
// dropped as a bad line, so that a broken or hostile child (an exec target
// writes this stream too) can't grow the parent's memory without bound.
const maxEventLine = 1 << 20

// readLines sends each line of r, newline included, then closes lines at
// EOF or at the first read error. A line longer than maxEventLine is sent
// cut to maxEventLine bytes, its rest discarded.
func readLines(r io.Reader, lines chan<- []byte) {
	defer close(lines)
	br := bufio.NewReaderSize(r, 64<<10)
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if room := maxEventLine - len(line); room > 0 {
			line = append(line, chunk[:min(len(chunk), room)]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if len(line) > 0 {
			lines <- line
		}
		line = nil
		if err != nil {
			return
		}
	}
}

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
