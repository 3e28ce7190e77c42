package leakbench

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// TestDocLinks checks that every relative link and image of README.md and
// docs/*.md points at a file or folder of the repository, and that every
// #anchor into a markdown page names one of its headings.
func TestDocLinks(t *testing.T) {
	pages, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	pages = append([]string{"README.md"}, pages...)
	for _, p := range pages {
		broken, err := brokenLinks(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range broken {
			t.Error(b)
		}
	}
}

// TestBrokenLinks_FindsEachKind proves the check can fail: a missing file,
// a missing image, a missing anchor in another page and in the same page,
// an empty anchor are each reported, and links that resolve, external links and links
// inside code are not.
func TestBrokenLinks_FindsEachKind(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("docs/other.md", "# Other\n\n## The idle phase: `idle_gc: go` or `v8`\n\n## A/B of two builds\n\n<a id=\"allocator-v8\"></a>**allocator: v8**\n")
	write("img/ok.png", "png")
	write("docs/page.md", strings.Join([]string{
		"# Page",
		"[ok](other.md) [ok anchor](other.md#the-idle-phase-idle_gc-go-or-v8) [ok](other.md#ab-of-two-builds) [html](other.md#allocator-v8)",
		"![ok](../img/ok.png) [ok dir](../img/) [self](#page) [web](https://example.com/x.md)",
		"`[in code](missing-in-code.md)`",
		"```",
		"[in a fence](missing-in-fence.md)",
		"```",
		"[gone](gone.md) ![gone image](../img/gone.png)",
		"[bad anchor](other.md#no-such-heading) [bad self](#nowhere) [empty](other.md#)",
	}, "\n"))
	broken, err := brokenLinks(filepath.Join(dir, "docs/page.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"gone.md", "../img/gone.png", "other.md#no-such-heading", "#nowhere", "other.md#"}
	if len(broken) != len(want) {
		t.Fatalf("broken links: %q, want one for each of %q", broken, want)
	}
	for i, w := range want {
		if !strings.Contains(broken[i], "("+w+")") || !strings.Contains(broken[i], "page.md:") {
			t.Errorf("broken[%d] = %q, want it to name page.md's line and %q", i, broken[i], w)
		}
	}
}

// TestREADME_Short keeps the README what issue 24 made it: at most 200
// lines, opening with the sh block of the two commands that do everything
// on a fresh machine (.ci/run runs the test command written there).
func TestREADME_Short(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if n := strings.Count(text, "\n"); n > 200 {
		t.Errorf("README.md has %d lines, at most 200: move the detail into docs/", n)
	}
	const opening = "# leakbench\n\n```sh\ngo run ./cmd/bench "
	if !strings.HasPrefix(text, opening) {
		t.Errorf("README.md does not open with %q", opening)
	}
	if first, _, _ := strings.Cut(strings.TrimPrefix(text, opening), "```"); !strings.Contains(first, "\ngo test ./... ") {
		t.Errorf("README.md's first sh block lacks the test command go test ./...:\n%s", first)
	}
	if !strings.Contains(text, "\n## The reproduction\n") {
		t.Error(`README.md lacks its section "## The reproduction"`)
	}
}

// linkRE matches an inline markdown link or image: [text](target) or
// ![alt](target), the target up to the first space or closing parenthesis.
var linkRE = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)[^)]*\)`)

// htmlAnchorRE matches an HTML anchor, <a id="x"> or <a name="x">, which
// a link can name as #x.
var htmlAnchorRE = regexp.MustCompile(`<a (?:id|name)="([^"]+)"`)

// codeSpanRE matches an inline code span, whose brackets are not links.
var codeSpanRE = regexp.MustCompile("`[^`]*`")

// brokenLinks returns, as "file:line: [..](target): reason", every
// relative link of the markdown file at path whose target does not exist,
// or whose #anchor names no heading of the target page.
func brokenLinks(path string) ([]string, error) {
	lines, err := readLines(path)
	if err != nil {
		return nil, err
	}
	var broken []string
	inFence := false
	for i, line := range lines {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		for _, m := range linkRE.FindAllStringSubmatch(codeSpanRE.ReplaceAllString(line, ""), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			if reason := checkTarget(path, target); reason != "" {
				broken = append(broken, fmt.Sprintf("%s:%d: [..](%s): %s", path, i+1, target, reason))
			}
		}
	}
	return broken, nil
}

// checkTarget says why target, relative to the page at from, does not
// resolve, or returns "".
func checkTarget(from, target string) string {
	file, anchor, hasAnchor := strings.Cut(target, "#")
	if hasAnchor && anchor == "" {
		return "empty anchor"
	}
	page := from
	if file != "" {
		page = filepath.Join(filepath.Dir(from), filepath.FromSlash(file))
		if _, err := os.Stat(page); err != nil {
			return "no such file or folder " + page
		}
	}
	if anchor == "" || !strings.HasSuffix(page, ".md") {
		return ""
	}
	slugs, err := headingSlugs(page)
	if err != nil {
		return err.Error()
	}
	if !slugs[anchor] {
		return fmt.Sprintf("%s has no heading whose anchor is #%s", page, anchor)
	}
	return ""
}

// headingSlugs returns the anchors of a markdown file: its HTML anchors
// (<a id="x">), and those GitHub gives its headings: the heading's text
// without markup, lower-cased, with every character but letters, digits,
// spaces, hyphens and underscores removed and spaces made hyphens; a
// repeated anchor gets -1, -2, ...
func headingSlugs(path string) (map[string]bool, error) {
	lines, err := readLines(path)
	if err != nil {
		return nil, err
	}
	slugs := map[string]bool{}
	seen := map[string]int{}
	inFence := false
	for _, line := range lines {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		for _, m := range htmlAnchorRE.FindAllStringSubmatch(line, -1) {
			slugs[m[1]] = true
		}
		text, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " ")
		if inFence || !ok || !strings.HasPrefix(line, "#") || len(line)-len(strings.TrimLeft(line, "#")) > 6 {
			continue
		}
		text = linkRE.ReplaceAllStringFunc(text, func(l string) string {
			return l[strings.Index(l, "[")+1 : strings.Index(l, "]")]
		})
		var b strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(text)) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		slug := b.String()
		if n := seen[slug]; n > 0 {
			slugs[fmt.Sprintf("%s-%d", slug, n)] = true
		} else {
			slugs[slug] = true
		}
		seen[slug]++
	}
	return slugs, nil
}

// readLines returns the lines of the file at path.
func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return lines, nil
}
