// Command perimage prints what the harness measured a kept decoded image
// of each gen2brain library to retain, from the results of a bench run of
// the decode targets' stable, keep and copy-out scenarios: the RSS (and
// the Go heap live) after settle with N images kept minus with none, over
// N, against the image's pixels, its decoder instance's Memory().Size()
// at the end of the decode, and the array behind that memory (the
// target's own account); and the same with the pixels copied out.
//
//	cd targets
//	go run ./cmd/bench run --out /tmp/kept webp-decode-stable webp-decode-keep webp-decode-copyout \
//	    avif-decode-stable avif-decode-keep avif-decode-copyout heic-decode-stable heic-decode-keep heic-decode-copyout
//	go run ./cmd/perimage /tmp/kept
//
// Several folders may be given (a bench run per library, say); a
// library's three runs are taken from the first folder that has all of
// them, and a library no folder has all three of is left out; none at
// all is an error (exit 2).
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"text/tabwriter"

	"go.yaml.in/yaml/v3"

	"github.com/leakbench/leakbench/targets/internal/perimage"
	"github.com/leakbench/leakbench/targets/scenarios"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" {
		fmt.Fprintln(os.Stderr, "usage: perimage RESULTS-DIR... (bench run --out folders of the decode targets' stable, keep and copy-out scenarios)")
		os.Exit(2)
	}
	if err := run(os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "perimage:", err)
		os.Exit(2)
	}
}

// decoders are the decode targets, in the order printed.
var decoders = []string{"webp-decode", "avif-decode", "heic-decode"}

func run(w io.Writer, dirs []string) error {
	rows, err := Rows(dirs...)
	if err != nil {
		return err
	}
	return Print(w, rows)
}

// Rows computes the row of every decode target whose three runs are in
// one of dirs.
func Rows(dirs ...string) ([]perimage.Row, error) {
	var rows []perimage.Row
	for _, t := range decoders {
		names := [3]string{t + "-stable", t + "-keep", t + "-copyout"}
		runs, found, err := find(dirs, names)
		if err != nil {
			return nil, err
		}
		if !found {
			continue
		}
		n, err := keep(names[1])
		if err != nil {
			return nil, err
		}
		if c, err := keep(names[2]); err != nil || c != n {
			return nil, fmt.Errorf("%s keeps %d images, %s %d: they must keep as many", names[1], n, names[2], c)
		}
		// The runs do not record their options: a run of another version
		// of the scenario shows in its decode count.
		for _, r := range runs[1:] {
			if r.Decodes < n {
				return nil, fmt.Errorf("%s: %d decodes, fewer than the %d images the shipped scenario keeps: a run of another version of it", r.Scenario, r.Decodes, n)
			}
		}
		row, err := perimage.Compute(runs[0], runs[1], runs[2], n)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%v: no complete set of a decode target's stable, keep and copy-out runs", dirs)
	}
	return rows, nil
}

// find reads the runs names from the first of dirs that has them all.
func find(dirs []string, names [3]string) (runs [3]perimage.Run, found bool, err error) {
next:
	for _, dir := range dirs {
		for i, name := range names {
			r, err := perimage.Read(filepath.Join(dir, name))
			if errors.Is(err, fs.ErrNotExist) {
				continue next
			}
			if err != nil {
				return runs, false, err
			}
			runs[i] = r
		}
		return runs, true, nil
	}
	return runs, false, nil
}

// keep reads options.keep of the shipped scenario name.
func keep(name string) (int, error) {
	data, err := fs.ReadFile(scenarios.FS, name+".yaml")
	if err != nil {
		return 0, err
	}
	var sc struct {
		Options struct {
			Keep int `yaml:"keep"`
		} `yaml:"options"`
	}
	if err := yaml.Unmarshal(data, &sc); err != nil {
		return 0, fmt.Errorf("%s.yaml: %w", name, err)
	}
	return sc.Options.Keep, nil
}

const mib = 1 << 20

// Print writes the rows as a table, MiB and ratios.
func Print(w io.Writer, rows []perimage.Row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "target\tkept\tpixels MiB\tMemory().Size() MiB\tarray MiB\tRSS retained MiB\t× pixels\t× Size\t× array\theap retained MiB\t× Size\tcopied out: RSS MiB\t× pixels\theap MiB\t× pixels\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.3f\t%.3f\t%.2f\t%.3f\t%.2f\t%.2f\t%.2f\t%.2f\t\n",
			r.Target, r.Kept, r.Pixels/mib, r.Memory/mib, r.Backing/mib,
			r.RSS/mib, r.RSS/r.Pixels, r.RSS/r.Memory, r.RSS/r.Backing,
			r.Heap/mib, r.Heap/r.Memory,
			r.CopyRSS/mib, r.CopyRSS/r.Pixels, r.CopyHeap/mib, r.CopyHeap/r.Pixels)
	}
	return tw.Flush()
}
