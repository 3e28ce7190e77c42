package scenario

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParse_ErrorsAreCapped feeds a scenario of almost MaxFileBytes of
// unknown keys: the error keeps the first MaxErrors problems in file order
// and counts the rest, so that it prints MaxErrors+1 lines, not tens of
// thousands.
func TestParse_ErrorsAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("preset: fixed\n")
	keys := 0
	for b.Len() < MaxFileBytes-100 {
		fmt.Fprintf(&b, "bogus%07d: 1\n", keys)
		keys++
	}
	b.WriteString("rounds: -1\n") // a Validate problem after them all: counted, not shown
	_, err := testCatalog.Parse("big.yaml", []byte(b.String()))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("got %v, want an ErrorList", err)
	}
	text := err.Error()
	lines := strings.Split(text, "\n")
	if len(lines) != MaxErrors+1 || len(text) > 500*(MaxErrors+1) {
		t.Fatalf("%d lines, %d bytes of error; want %d lines", len(lines), len(text), MaxErrors+1)
	}
	if !strings.HasPrefix(lines[0], `big.yaml:2:1: unknown field "bogus0000000"`) ||
		!strings.HasPrefix(lines[MaxErrors-1], fmt.Sprintf(`big.yaml:%d:1: unknown field "bogus%07d"`, MaxErrors+1, MaxErrors-1)) {
		t.Errorf("first and last shown: %q, %q", lines[0], lines[MaxErrors-1])
	}
	want := fmt.Sprintf("... and %d more errors", keys+1-MaxErrors)
	if lines[MaxErrors] != want {
		t.Errorf("last line %q, want %q", lines[MaxErrors], want)
	}
	var om *Omitted
	if len(list) != MaxErrors+1 || !errors.As(err, &om) || om.N != keys+1-MaxErrors {
		t.Errorf("%d items, omitted %+v; want %d and %d", len(list), om, MaxErrors+1, keys+1-MaxErrors)
	}
}

// TestParse_CapKeepsEarlyChecks: a problem found after the walk of the
// keys (a missing switch, reported at the document's start) sorts before
// the walk's and is kept even when the walk's fill the list.
func TestParse_CapKeepsEarlyChecks(t *testing.T) {
	var b strings.Builder
	b.WriteString("topology: pipeline\n")
	for i := range 2 * MaxErrors {
		fmt.Fprintf(&b, "bad%d: 1\n", i)
	}
	_, err := testCatalog.Parse("t.yaml", []byte(b.String()))
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != MaxErrors+1 || !strings.Contains(lines[0], "lifetime: required") {
		t.Fatalf("%d lines, first %q; want %d and the missing lifetime first", len(lines), lines[0], MaxErrors+1)
	}
	if want := fmt.Sprintf("... and %d more errors", 2*MaxErrors+1-MaxErrors); lines[MaxErrors] != want {
		t.Errorf("last line %q, want %q", lines[MaxErrors], want)
	}
}

// TestErrorList_CapsAnyList: a list built elsewhere (the target's
// options, checked by the CLI) is shown capped too.
func TestErrorList_CapsAnyList(t *testing.T) {
	var l ErrorList
	for i := range MaxErrors + 7 {
		l = append(l, &Error{File: "o.yaml", Line: i + 1, Msg: "x"})
	}
	lines := strings.Split(l.Error(), "\n")
	if len(lines) != MaxErrors+1 || lines[MaxErrors] != "... and 7 more errors" {
		t.Errorf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
}

// TestFind_MissingImages: an images directory that is not there is an
// error when the scenario is loaded, at the key's line and column.
func TestFind_MissingImages(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "s.yaml")
	write := func(images string) {
		t.Helper()
		if err := os.WriteFile(file, []byte("preset: fixed\nimages: "+images+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "nope"))
	_, err := testCatalog.Find(file)
	var e *Error
	if !errors.As(err, &e) || e.Line != 2 || e.Column != 9 || e.Field != "images" ||
		!strings.Contains(err.Error(), file+":2:9: images: directory "+filepath.Join(dir, "nope")+": no such file or directory") {
		t.Errorf("missing dir: %v", err)
	}
	write(file) // a file, not a directory
	if _, err := testCatalog.Find(file); err == nil || !strings.Contains(err.Error(), ":2:9: images: "+file+" is not a directory") {
		t.Errorf("a file as images: %v", err)
	}
	write(dir)
	if sc, err := testCatalog.Find(file); err != nil || sc.Images != dir {
		t.Errorf("existing dir: %v, images %q", err, sc.Images)
	}
}

// TestFind_ImagesBesideTheFile: a relative images directory is taken
// from the scenario file's directory, wherever bench runs; "~/" from the
// home directory.
func TestFind_ImagesBesideTheFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "pics"), 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(file, []byte("preset: fixed\nimages: pics\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir()) // elsewhere: no pics here
	if sc, err := testCatalog.Find(file); err != nil || sc.Images != filepath.Join(dir, "pics") {
		t.Errorf("images %q, %v; want %s", sc.Images, err, filepath.Join(dir, "pics"))
	}
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip("no home directory")
	}
	if got := resolvePath(dir, "~/photos"); got != filepath.Join(home, "photos") {
		t.Errorf("~/photos resolved to %q", got)
	}
	if got := resolvePath(dir, "/abs/pics"); got != "/abs/pics" {
		t.Errorf("an absolute path resolved to %q", got)
	}
}

// TestParse_TooBig: 10 MB of unknown keys is one error, found before any
// parsing, by Parse and by Find (which reads no more than the bound).
func TestParse_TooBig(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 10<<20; i++ {
		fmt.Fprintf(&b, "bogus%07d: 1\n", i)
	}
	want := fmt.Sprintf("big.yaml: over %d bytes: not a scenario", MaxFileBytes)
	if _, err := testCatalog.Parse("big.yaml", []byte(b.String())); err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Errorf("Parse: %v, want one line %q", err, want)
	}
	file := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var list ErrorList
	if _, err := testCatalog.Find(file); !errors.As(err, &list) || len(list) != 1 || !strings.Contains(err.Error(), "over 1048576 bytes") {
		t.Errorf("Find: %v", err)
	}
}

// TestFind_AllProblemsAtOnce: a file's missing images directory is
// reported with its other problems, in one pass.
func TestFind_AllProblemsAtOnce(t *testing.T) {
	file := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(file, []byte("preset: fixed\nrounds: 0\nimages: nowhere\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := testCatalog.Find(file)
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 2 || !strings.Contains(err.Error(), ":2:9: rounds:") || !strings.Contains(err.Error(), ":3:9: images: directory") {
		t.Errorf("Find: %v; want the rounds and the images problems", err)
	}
}
