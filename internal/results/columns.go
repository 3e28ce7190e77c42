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
	intColumn("live_instances", func(s *Sample) *int { return &s.LiveInstances }),
	intColumn("total_instances", func(s *Sample) *int { return &s.TotalInstances }),
	uintColumn("linear_memory", func(s *Sample) *uint64 { return &s.LinearMemory }),
	uintColumn("leaked_views", func(s *Sample) *uint64 { return &s.LeakedViews }),
	uintColumn("listeners", func(s *Sample) *uint64 { return &s.Listeners }),
	intColumn("listener_count", func(s *Sample) *int { return &s.ListenerCount }),
	uintColumn("heap_live", func(s *Sample) *uint64 { return &s.HeapLive }),
	uintColumn("heap_objects", func(s *Sample) *uint64 { return &s.HeapObjects }),
	uintColumn("heap_free", func(s *Sample) *uint64 { return &s.HeapFree }),
	uintColumn("heap_released", func(s *Sample) *uint64 { return &s.HeapReleased }),
	uintColumn("gc_cycles", func(s *Sample) *uint64 { return &s.GCCycles }),
	intColumn("requests", func(s *Sample) *int { return &s.Requests }),
	intColumn("errors", func(s *Sample) *int { return &s.Errors }),
}

// requiredColumns are the columns a samples.csv must have to be read.
var requiredColumns = []string{"t", "rss"}

// floatColumn is a column of seconds written with prec decimals.
func floatColumn(name string, prec int, field func(*Sample) *float64) column {
	return column{
		name:  name,
		write: func(b []byte, s *Sample) []byte { return strconv.AppendFloat(b, *field(s), 'f', prec, 64) },
		read: func(s *Sample, raw string) error {
			v, err := strconv.ParseFloat(raw, 64)
			if err != nil {
				return fmt.Errorf("%q is not a number", raw)
			}
			*field(s) = v
			return nil
		},
	}
}

// intColumn is a column of counts.
func intColumn(name string, field func(*Sample) *int) column {
	return column{
		name:  name,
		write: func(b []byte, s *Sample) []byte { return strconv.AppendInt(b, int64(*field(s)), 10) },
		read: func(s *Sample, raw string) error {
			v, err := strconv.Atoi(raw)
			if err != nil {
				return fmt.Errorf("%q is not an integer", raw)
			}
			*field(s) = v
			return nil
		},
	}
}

// uintColumn is a column of byte counts (and the GC's cycle count).
func uintColumn(name string, field func(*Sample) *uint64) column {
	return column{
		name:  name,
		write: func(b []byte, s *Sample) []byte { return strconv.AppendUint(b, *field(s), 10) },
		read: func(s *Sample, raw string) error {
			v, err := strconv.ParseUint(raw, 10, 64)
			if err != nil {
				return fmt.Errorf("%q is not a byte count", raw)
			}
			*field(s) = v
			return nil
		},
	}
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
