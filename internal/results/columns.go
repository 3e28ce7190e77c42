package results

import (
	"fmt"
	"strconv"
)

// column is one column of samples.csv: its name (the JSON tag of the
// Sample field it holds) and how the field is written and read. The
// writer and the reader both work from sampleColumns, so the two can't
// disagree on a name, an order or a format.
type column struct {
	name  string
	write func(b []byte, s *Sample) []byte
	read  func(s *Sample, raw string) error
}

// sampleColumns are the columns of samples.csv, in the order they are
// written: every field of Sample and its Snapshot.
var sampleColumns = []column{
	floatColumn("t", 3, func(s *Sample) *float64 { return &s.T }),
	{
		name:  "phase",
		write: func(b []byte, s *Sample) []byte { return append(b, s.Phase...) },
		read:  func(s *Sample, raw string) error { s.Phase = Phase(raw); return nil },
	},
	intColumn("round", func(s *Sample) *int { return &s.Round }),
	uintColumn("rss", func(s *Sample) *uint64 { return &s.RSS }),
	uintColumn("hwm", func(s *Sample) *uint64 { return &s.HWM }),
	uintColumn("pss", func(s *Sample) *uint64 { return &s.PSS }),
	intColumn("processes", func(s *Sample) *int { return &s.Processes }),
	intColumn("live_instances", func(s *Sample) *int { return &s.LiveInstances }),
	intColumn("total_instances", func(s *Sample) *int { return &s.TotalInstances }),
	uintColumn("linear_memory", func(s *Sample) *uint64 { return &s.LinearMemory }),
	heldColumn(),
	uintColumn("off_heap", func(s *Sample) *uint64 { return &s.OffHeap }),
	uintColumn("off_heap_unreleased", func(s *Sample) *uint64 { return &s.OffHeapUnreleased }),
	uintColumn("heap_live", func(s *Sample) *uint64 { return &s.HeapLive }),
	uintColumn("heap_objects", func(s *Sample) *uint64 { return &s.HeapObjects }),
	uintColumn("heap_free", func(s *Sample) *uint64 { return &s.HeapFree }),
	uintColumn("heap_released", func(s *Sample) *uint64 { return &s.HeapReleased }),
	uintColumn("gc_cycles", func(s *Sample) *uint64 { return &s.GCCycles }),
	intColumn("requests", func(s *Sample) *int { return &s.Requests }),
	intColumn("errors", func(s *Sample) *int { return &s.Errors }),
}

// legacyHeldColumns are the columns of legacyHeld in samples.csv: the
// reader adds their bytes to Held; nothing writes them.
var legacyHeldColumns = func() []column {
	cs := make([]column, len(legacyHeld))
	for i, name := range legacyHeld {
		cs[i] = column{name: name, read: addHeld}
	}
	return cs
}()

// heldColumn is held, a byte count like the others, but read by adding
// to Held: a legacy file's holder columns (legacyHeldColumns) may come
// before it.
func heldColumn() column {
	c := uintColumn("held", func(s *Sample) *uint64 { return &s.Held })
	c.read = addHeld
	return c
}

// addHeld adds a holder column's bytes to Held.
func addHeld(s *Sample, raw string) error {
	v, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		return fmt.Errorf("%q is not a byte count", raw)
	}
	s.Held += v
	return nil
}

// requiredColumns are the columns a samples.csv must have to be read.
var requiredColumns = []string{"t", "rss"}

// numberColumn is a column of numbers of type T, written by format and
// read by parse; what names the kind of number in the reader's errors.
func numberColumn[T any](name string, field func(*Sample) *T, format func([]byte, T) []byte, parse func(string) (T, error), what string) column {
	return column{
		name:  name,
		write: func(b []byte, s *Sample) []byte { return format(b, *field(s)) },
		read: func(s *Sample, raw string) error {
			v, err := parse(raw)
			if err != nil {
				return fmt.Errorf("%q is not %s", raw, what)
			}
			*field(s) = v
			return nil
		},
	}
}

// floatColumn is a column of seconds written with prec decimals.
func floatColumn(name string, prec int, field func(*Sample) *float64) column {
	return numberColumn(name, field,
		func(b []byte, v float64) []byte { return strconv.AppendFloat(b, v, 'f', prec, 64) },
		func(raw string) (float64, error) { return strconv.ParseFloat(raw, 64) }, "a number")
}

// intColumn is a column of counts.
func intColumn(name string, field func(*Sample) *int) column {
	return numberColumn(name, field,
		func(b []byte, v int) []byte { return strconv.AppendInt(b, int64(v), 10) },
		strconv.Atoi, "an integer")
}

// uintColumn is a column of byte counts (and the GC's cycle count).
func uintColumn(name string, field func(*Sample) *uint64) column {
	return numberColumn(name, field,
		func(b []byte, v uint64) []byte { return strconv.AppendUint(b, v, 10) },
		func(raw string) (uint64, error) { return strconv.ParseUint(raw, 10, 64) }, "a byte count")
}

// csvHeader is the header line of samples.csv.
func csvHeader() []byte {
	var b []byte
	for i, c := range sampleColumns {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, c.name...)
	}
	return append(b, '\n')
}

// appendCSVRow appends one sample as a line of samples.csv.
func appendCSVRow(b []byte, s *Sample) []byte {
	for i, c := range sampleColumns {
		if i > 0 {
			b = append(b, ',')
		}
		b = c.write(b, s)
	}
	return append(b, '\n')
}
