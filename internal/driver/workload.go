package driver

import (
	"fmt"

	"github.com/leakbench/leakbench/internal/workload"
)

// workload returns the workload the parent verified, after re-checking
// each source cheaply (size and modification time): the child generates
// and hashes nothing, so its startup phase is the codecs' alone.
func (c *child) workload() (*workload.Workload, error) {
	w := &workload.Workload{Name: c.spec.Workload, Images: c.spec.Sources, Requests: c.spec.Requests}
	for _, s := range w.Images {
		if err := s.Check(); err != nil {
			return nil, fmt.Errorf("workload %q: %w (the parent verified it before this child started)", c.spec.Workload, err)
		}
	}
	return w, nil
}
