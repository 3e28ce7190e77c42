package texttab

import (
	"strings"
	"testing"
)

func TestLayout(t *testing.T) {
	var b strings.Builder
	Layout(&b, "  ", [][]string{
		{"metric", "base", "now"},
		{"peak", "1.5MiB", "12.0MiB"},
		{"μ", "1", ""},
	}, []bool{false, true, true})
	want := "" +
		"  metric    base      now\n" +
		"  peak    1.5MiB  12.0MiB\n" +
		"  μ            1\n"
	if got := b.String(); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

func TestLayout_RaggedRows(t *testing.T) {
	var b strings.Builder
	Layout(&b, "", [][]string{{"a"}, {"bb", "c"}}, nil)
	if got, want := b.String(), "a\nbb  c\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestMarkdownCell(t *testing.T) {
	for in, want := range map[string]string{
		"a|b":           `a\|b`,
		"x < 5 > 3":     "x &lt; 5 &gt; 3",
		"two\nlines  x": "two lines x",
		"":              "",
	} {
		if got := MarkdownCell(in); got != want {
			t.Errorf("MarkdownCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWrap(t *testing.T) {
	for _, c := range []struct {
		in    string
		width int
		want  string
	}{
		{"a bb ccc dddd", 6, "a bb\nccc\ndddd"},
		{"  fold \n  spaces  ", 80, "fold spaces"},
		{"μμμ μμ", 6, "μμμ μμ"},
		{"longerthanwidth x", 4, "longerthanwidth\nx"},
		{"", 10, ""},
	} {
		if got := Wrap(c.in, c.width); got != c.want {
			t.Errorf("Wrap(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}
