package results

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// Strategist is implemented by a target's settings that a run's summary
// records as a Strategy, with the run's worker count: the parent's before
// the child reports, the child's as it ran.
type Strategist interface {
	ResultsStrategy(workers int) Strategy
}

// Strategy is how a run's target was set up, in the target's own words
// (Strategist): the name of its settings when they have one (a preset),
// the switches that make its configuration, and the worker count. A
// target that is no Strategist has the worker count alone. The harness
// reads no switch by name: it prints them, compares them and makes
// benchmark names of them.
type Strategy struct {
	Preset   string   `json:"preset,omitempty"`
	Switches []Switch `json:"switches,omitempty"`
	Workers  int      `json:"workers"`
}

// Switch is one setting of a Strategy: its Name (the settings key,
// "topology"), its Value ("per-worker") and Text, how the strategy's
// one-line description shows it ("per-worker×15"; Name and Value when
// empty).
type Switch struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Text  string `json:"text,omitempty"`
}

// text is how s is shown in a strategy's description.
func (s Switch) text() string {
	if s.Text != "" {
		return s.Text
	}
	return s.Name + " " + s.Value
}

// Switch returns the value of the switch name, or "" when s has none.
func (s Strategy) Switch(name string) string {
	for _, sw := range s.Switches {
		if sw.Name == name {
			return sw.Value
		}
	}
	return ""
}

// String is the one text of a strategy, used by every command, table and
// plot title: the preset and the switches' texts, "fixed (pipeline, fresh,
// views cleared, listeners removed)"; either part alone when the other is
// empty.
func (s Strategy) String() string {
	parts := make([]string, len(s.Switches))
	for i, sw := range s.Switches {
		parts[i] = sw.text()
	}
	sw := strings.Join(parts, ", ")
	switch {
	case s.Preset != "" && sw != "":
		return s.Preset + " (" + sw + ")"
	case s.Preset != "":
		return s.Preset
	}
	return sw
}

// Same reports whether s and o are one configuration: the same preset,
// worker count and switches (names and values, in any order; texts are
// how they are shown, not what they are).
func (s Strategy) Same(o Strategy) bool {
	if s.Preset != o.Preset || s.Workers != o.Workers || len(s.Switches) != len(o.Switches) {
		return false
	}
	key := func(sw Switch) string { return sw.Name + "\x00" + sw.Value }
	a, b := make([]string, len(s.Switches)), make([]string, len(o.Switches))
	for i := range s.Switches {
		a[i], b[i] = key(s.Switches[i]), key(o.Switches[i])
	}
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// UnmarshalJSON reads a strategy, and one written before strategies were
// the target's own words: then every other key of the object with a
// non-empty string or non-zero number (the builtin engine's "topology":
// "pipeline", "recycle_after": 512, ...) is a switch, in the object's
// order, so that a summary or a baseline recorded then reads as the same
// configuration as one recorded now.
func (s *Strategy) UnmarshalJSON(b []byte) error {
	type current Strategy // without this method
	var c current
	if err := json.Unmarshal(b, &c); err != nil {
		return err
	}
	*s = Strategy(c)
	if len(s.Switches) > 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil // not an object: json.Unmarshal above has said so
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := t.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return err
		}
		switch name {
		case "preset", "switches", "workers":
			continue
		}
		var value string
		switch x := v.(type) {
		case string:
			value = x
		case json.Number:
			if x.String() != "0" {
				value = x.String()
			}
		}
		if value != "" {
			s.Switches = append(s.Switches, Switch{Name: name, Value: value})
		}
	}
	return nil
}
