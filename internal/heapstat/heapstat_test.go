package heapstat

import (
	"runtime"
	"testing"
)

// TestRead: the figures are the runtime's (a forced GC is counted, a live
// allocation is in the live heap) and every metric name is one the
// runtime has.
func TestRead(t *testing.T) {
	var r Reader
	before := r.Read()
	keep := make([]byte, 8<<20)
	runtime.GC()
	after := r.Read()
	runtime.KeepAlive(keep)
	if after.GCCycles <= before.GCCycles {
		t.Errorf("GC cycles %d then %d: the forced GC is not counted", before.GCCycles, after.GCCycles)
	}
	if after.Live < 8<<20 || after.Objects < after.Live/2 {
		t.Errorf("live %d, objects %d: an 8 MiB live slice is missing", after.Live, after.Objects)
	}
	for i, smp := range r.samples {
		if smp.Value.Kind() == 0 {
			t.Errorf("metric %s is not supported by this runtime", names[i])
		}
	}
}
