//go:build !linux

package sampler

import "testing"

func TestTree(t *testing.T) {
	t.Skip("TreeSampler reads /proc/PID/smaps_rollup, which only Linux has")
}
