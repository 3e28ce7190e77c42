package cli

import (
	"bytes"
	"slices"
	"testing"
)

func TestParseFlags_anyOrder(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		out       string
		quiet     bool
		positions []string
	}{
		{name: "flags first", args: []string{"--out", "d", "--quiet", "a", "b"}, out: "d", quiet: true, positions: []string{"a", "b"}},
		{name: "flags last", args: []string{"a", "b", "--out", "d", "-quiet"}, out: "d", quiet: true, positions: []string{"a", "b"}},
		{name: "between", args: []string{"a", "-out=d", "b"}, out: "d", positions: []string{"a", "b"}},
		{name: "double dash", args: []string{"--quiet", "--", "-not-a-flag"}, quiet: true, positions: []string{"-not-a-flag"}},
		{name: "none", args: nil, positions: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFlagSet("t")
			out := fs.String("out", "", "")
			quiet := fs.Bool("quiet", false, "")
			var stdout, stderr bytes.Buffer
			if status, done := parseFlags("bench", fs, help{usage: "t"}, tt.args, &stdout, &stderr); done {
				t.Fatalf("parseFlags stopped with %d: %s", status, stderr.String())
			}
			if *out != tt.out || *quiet != tt.quiet || !slices.Equal(append([]string{}, fs.Args()...), tt.positions) {
				t.Errorf("out=%q quiet=%v args=%q, want %q %v %q", *out, *quiet, fs.Args(), tt.out, tt.quiet, tt.positions)
			}
		})
	}
}

func TestParseFlags_unknownFlag(t *testing.T) {
	fs := newFlagSet("t")
	fs.String("out", "", "")
	var stdout, stderr bytes.Buffer
	status, done := parseFlags("bench", fs, help{usage: "t"}, []string{"a", "--nope", "b"}, &stdout, &stderr)
	if !done || status != StatusError || !bytes.Contains(stderr.Bytes(), []byte("nope")) {
		t.Fatalf("status %d done %v stderr %q: want usage error naming the flag", status, done, stderr.String())
	}
}
