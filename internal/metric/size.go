package metric

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// sizeUnits are the units ParseSize accepts, with their sizes in bytes,
// in the order error messages list them.
func sizeUnits() [9]struct {
	name  string
	bytes float64
} {
	return [...]struct {
		name  string
		bytes float64
	}{
		{"B", 1},
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
	}
}

// sizeUnit returns the bytes of the unit named name ("MB": 1e6).
func sizeUnit(name string) (float64, bool) {
	for _, u := range sizeUnits() {
		if u.name == name {
			return u.bytes, true
		}
	}
	return 0, false
}

// SizeUnits returns the unit suffixes ParseSize accepts: "B", the binary
// units "KiB".."TiB" (powers of 1024) and the decimal units "KB".."TB"
// (powers of 1000).
func SizeUnits() []string {
	out := make([]string, len(sizeUnits()))
	for i, u := range sizeUnits() {
		out[i] = u.name
	}
	return out
}

// ParseSize parses a memory size such as "4GiB", "512MB", "1.5 GiB" or
// "1048576B" into bytes. The number may have a fraction and may be
// followed by one space; the unit is required and case-sensitive (b is a
// bit elsewhere, so "mb" is refused rather than guessed). The result is
// rounded to the nearest byte and must fit in 2^63-1.
func ParseSize(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.TrimPrefix(t[i:], " ")
	if num == "" {
		return 0, fmt.Errorf("invalid size %q: want a number and a unit such as \"512MiB\" or \"4GiB\" (units: %s)", s, strings.Join(SizeUnits(), ", "))
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid size %q: bad number %q", s, num)
	}
	if unit == "" {
		return 0, fmt.Errorf("invalid size %q: missing unit (units: %s)", s, strings.Join(SizeUnits(), ", "))
	}
	for _, u := range sizeUnits() {
		if u.name == unit {
			b := math.Round(v * u.bytes)
			if b >= math.MaxInt64 {
				return 0, fmt.Errorf("invalid size %q: too large", s)
			}
			return uint64(b), nil
		}
	}
	return 0, fmt.Errorf("invalid size %q: unknown unit %q (units: %s)", s, unit, strings.Join(SizeUnits(), ", "))
}

// FormatSize formats bytes with the largest binary unit that keeps the
// number at least 1, with up to two decimals: 1536 -> "1.5KiB",
// 4<<30 -> "4GiB", 0 -> "0B". ParseSize reads its output back (rounded to
// the shown precision).
func FormatSize(b uint64) string {
	units := [...]string{"B", "KiB", "MiB", "GiB", "TiB"}
	v := float64(b)
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) + units[i]
}

// Size is a size setting in bytes, written in a file as a size with a
// unit ("384MiB", "4GB", ParseSize) or as the integer 0 for none. Its
// text is exact: the largest binary unit that divides it ("384MiB"), else
// bytes ("1000B"), so that it reads back to the same value.
type Size uint64

// UnmarshalText implements encoding.TextUnmarshaler with ParseSize; "0"
// alone is zero bytes.
func (b *Size) UnmarshalText(text []byte) error {
	if string(text) == "0" {
		*b = 0
		return nil
	}
	n, err := ParseSize(string(text))
	if err != nil {
		return err
	}
	*b = Size(n)
	return nil
}

// MarshalText implements encoding.TextMarshaler, exactly (see Size).
func (b Size) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// String is the exact text of b (exactSize): "384MiB", "64MB", "1000B",
// "0B".
func (b Size) String() string { return exactSize(uint64(b)) }
