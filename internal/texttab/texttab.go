// Package texttab lays out tables of text cells, the one way leakbench's
// terminal tables and markdown cells are written: aligned columns two
// spaces apart for a terminal, escaped cells for GitHub markdown, and
// paragraphs wrapped to a width.
//
// It owns only layout. What goes in a cell, and how a number is formatted,
// belong to the package that builds the table (gate, compare, report).
package texttab

import (
	"strings"
	"unicode/utf8"
)

// Layout writes rows to b as columns two spaces apart, each line prefixed
// by indent and without trailing spaces. Column i is right-aligned (for
// numbers) when right[i] is true; right may be shorter than a row. Rows
// may have different lengths; a missing cell is empty.
func Layout(b *strings.Builder, indent string, rows [][]string, right []bool) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, r := range rows {
		var line strings.Builder
		line.WriteString(indent)
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				line.WriteString("  ")
			}
			if i < len(right) && right[i] {
				line.WriteString(pad + c)
			} else {
				line.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
}

// markdown escapes what would break a table cell or a list item, or be
// read as HTML.
var markdown = strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;")

// MarkdownCell makes s safe as a GitHub markdown table cell or list item:
// line breaks and runs of white space fold into one space, and |, < and >
// are escaped.
func MarkdownCell(s string) string {
	return markdown.Replace(strings.Join(strings.Fields(s), " "))
}

// Wrap breaks text into lines of at most width runes, at white space,
// which it folds into one space; a word longer than width stands on a
// line of its own.
func Wrap(text string, width int) string {
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(text) {
		l := utf8.RuneCountInString(word)
		if i > 0 && n+1+l > width {
			b.WriteString("\n")
			n = 0
		} else if i > 0 {
			b.WriteString(" ")
			n++
		}
		b.WriteString(word)
		n += l
	}
	return b.String()
}
