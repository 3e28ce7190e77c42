//go:build !race

package engine

// raceEnabled: the race detector changes sync.Pool's behaviour.
const raceEnabled = false
