// Package shellword quotes the words of a command line that leakbench
// prints for a user to paste into a POSIX shell (the gate's command to
// update its baseline, pprof's diff of two profiles).
package shellword

import "strings"

// Quote returns w as one word of a POSIX shell command line: unchanged
// when it holds only letters, digits and - _ . / = : , + @ %, otherwise
// in single quotes, each single quote in it written as a quote closed,
// an escaped quote and a quote reopened.
func Quote(w string) string {
	if w != "" && strings.IndexFunc(w, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%", r))
	}) < 0 {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}
