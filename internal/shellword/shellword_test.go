package shellword

import "testing"

func TestQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"reports/baseline.json", "reports/baseline.json"},
		{"--runs=3", "--runs=3"},
		{"50%", "50%"},
		{"", "''"},
		{"my file", "'my file'"},
		{"it's", `'it'\''s'`},
		{"$HOME", "'$HOME'"},
	} {
		if got := Quote(tc.in); got != tc.want {
			t.Errorf("Quote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
