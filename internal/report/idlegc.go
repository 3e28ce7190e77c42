package report

import (
	"gonum.org/v1/plot/vg/draw"

	"github.com/leakbench/leakbench/internal/results"
)

// idleGCGlyph marks a collection the target's model of its idle runtime
// made (target.Idler; bench: V8's memory reducer, idle_gc: v8).
var idleGCGlyph = draw.GlyphStyle{Color: vermillion, Radius: 3, Shape: draw.RingGlyph{}}

// idleGCMarkers returns a marker per collection of the target's idle
// model in the run's idle phase (results.EventIdleGC), at its end (seconds
// since the child started, as the samples) and the child's RSS read just
// then; the first is labelled when labels is set.
func idleGCMarkers(r Run, labels bool) []marker {
	return gcMarkers(r, results.EventIdleGC, idleGCGlyph, labels, "idle GC")
}

// externalGCGlyph marks a collection a target started for
// external-memory pressure (bench: allocator v8).
var externalGCGlyph = draw.GlyphStyle{Color: sky, Radius: 3, Shape: draw.TriangleGlyph{}}

// externalGCMarkers returns a marker per collection the target started
// for external-memory pressure (results.EventExternalGC), placed as
// idleGCMarkers places the memory reducer's.
func externalGCMarkers(r Run, labels bool) []marker {
	return gcMarkers(r, results.EventExternalGC, externalGCGlyph, labels, "external-memory GC")
}

// gcMarkers returns a marker per event of kind, a collection: at its end
// and the child's RSS read just then, the first labelled with label when
// labels is set.
func gcMarkers(r Run, kind results.EventKind, glyph draw.GlyphStyle, labels bool, label string) []marker {
	if r.Summary.Started.IsZero() {
		return nil
	}
	t0 := r.Summary.Started.UnixNano()
	var out []marker
	for _, ev := range r.Events {
		if ev.Kind != kind || ev.RSS == 0 {
			continue
		}
		m := marker{x: float64(ev.Time-t0)/1e9 + ev.Seconds, y: mib(ev.RSS), glyph: glyph}
		if labels && len(out) == 0 {
			m.label, m.dx, m.dy = label, 7, 7
		}
		out = append(out, m)
	}
	return out
}

// idleGCTitle is what a title says of the idle phase's model: "" for
// runs recorded before it existed.
func idleGCTitle(s results.Summary) string {
	if s.IdleGC == "" {
		return ""
	}
	return " · idle GC: " + s.IdleGC
}
