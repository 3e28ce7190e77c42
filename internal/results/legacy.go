package results

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// legacyHeld are the holder figures that snapshots carried under names of
// their own before the harness named no holder of a target's: the case
// study's glue views and listeners, which counted in what was leaked with
// held. samples.csv had them as columns, samples.jsonl, events.jsonl and
// exec programs written to the protocol of then as snapshot fields. The
// readers add their bytes to Held, so an older run, or an exec program
// that still sends them, reads as it was measured; nothing writes them.
var legacyHeld = []string{"leaked_views", "listeners"}

// UnmarshalJSON reads a sample, adding the bytes of a legacy holder
// field (legacyHeld) to Held.
func (s *Sample) UnmarshalJSON(b []byte) error {
	type fields Sample // no methods: the plain decoding
	if err := json.Unmarshal(b, (*fields)(s)); err != nil {
		return err
	}
	return addLegacyHeld(b, &s.Held)
}

// UnmarshalJSON reads an event, adding the bytes of a legacy holder field
// (legacyHeld) of its snapshot to the snapshot's Held.
func (e *Event) UnmarshalJSON(b []byte) error {
	type fields Event // no methods: the plain decoding
	if err := json.Unmarshal(b, (*fields)(e)); err != nil {
		return err
	}
	if e.Snapshot == nil || !mentionsLegacyHeld(b) {
		return nil
	}
	var raw struct {
		Snapshot json.RawMessage `json:"snapshot"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	return addLegacyHeld(raw.Snapshot, &e.Snapshot.Held)
}

// mentionsLegacyHeld reports whether b may hold a legacy holder field: a
// key of legacyHeld whose value is not an object. It is a quick test that
// spares the lines of today's writers a second decoding, the builtin's
// snapshot events included, whose held map has a "listeners" key with an
// object for its value.
func mentionsLegacyHeld(b []byte) bool {
	for _, name := range legacyHeld {
		key := []byte(`"` + name + `"`)
		for rest := b; ; {
			i := bytes.Index(rest, key)
			if i < 0 {
				break
			}
			rest = bytes.TrimLeft(rest[i+len(key):], " \t\r\n")
			if v, ok := bytes.CutPrefix(rest, []byte(":")); ok && !bytes.HasPrefix(bytes.TrimLeft(v, " \t\r\n"), []byte("{")) {
				return true
			}
		}
	}
	return false
}

// addLegacyHeld adds to held the bytes of the legacy holder fields of the
// JSON object obj.
func addLegacyHeld(obj []byte, held *uint64) error {
	if !mentionsLegacyHeld(obj) {
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(obj, &fields); err != nil {
		return err
	}
	for _, name := range legacyHeld {
		raw, ok := fields[name]
		if !ok {
			continue
		}
		var v uint64
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("%s: %s is not a byte count", name, raw)
		}
		*held += v
	}
	return nil
}
