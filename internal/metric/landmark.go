package metric

import "github.com/leakbench/leakbench/internal/results"

// Landmark returns the moment of a run whose profiles explain m
// (results.Landmark): the peak for the peak figures, the end of the load
// for what the load left (and the slope of its rounds), after settle for
// what survived settling; false for the metrics no memory profile
// explains (baseline, requests, errors, throughput, latency).
func (m Metric) Landmark() (results.Landmark, bool) {
	switch m {
	case Peak, PeakHWM, Instances:
		return results.LandmarkPeak, true
	case EndOfLoad, AfterIdle, Growth, Retained, Slope, SlopeCIHigh, InstancesCreated:
		return results.LandmarkEndOfLoad, true
	case AfterSettle, Settled, HeapLiveAfterSettle, LeakedAfterSettle, EndInstances:
		return results.LandmarkAfterSettle, true
	}
	return "", false
}
