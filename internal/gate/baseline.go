package gate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/leakbench/leakbench/internal/atomicfile"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/results"
)

// SchemaVersion is the version of the baseline file format this package
// reads and writes. A file of another version is rejected with an error
// that says how to regenerate it.
const SchemaVersion = 1

// ErrBaseline is wrapped by every error about a baseline file: missing,
// unreadable, corrupt, of another schema version or inconsistent. The gate
// maps it to exit code 2.
var ErrBaseline = errors.New("gate: bad baseline")

// Baseline is the committed reference the gate compares against: per
// scenario the medians and spread of every metric over R runs, and where
// they were measured.
type Baseline struct {
	Schema    int                         `json:"schema"`
	Created   time.Time                   `json:"created"`
	Env       results.Env                 `json:"env"`
	Runs      int                         `json:"runs"` // R, runs per scenario
	Scenarios map[string]ScenarioBaseline `json:"scenarios"`
}

// ScenarioBaseline is one scenario's reference figures and what it ran, so
// that a changed workload or strategy is noticed instead of compared.
type ScenarioBaseline struct {
	Expect   metric.Expect          `json:"expect"`
	Workload string                 `json:"workload,omitempty"`
	Strategy results.Strategy       `json:"strategy"`
	Rounds   int                    `json:"rounds"`
	Requests int                    `json:"requests"` // median requests per run
	Runs     int                    `json:"runs"`
	Metrics  map[metric.Metric]Stat `json:"metrics"` // in the metrics' units; see fileScale for the file's

	// Calibration is what bench gate --calibrate measured of the
	// scenario: its thresholds and their figures; nil for a scenario never
	// calibrated, judged by DefaultThresholds.
	Calibration *Calibration `json:"calibration,omitempty"`
}

// fileScale is what a metric's values in a baseline file are multiplied by
// to get them in the metric's unit. The file keeps the slope in MiB per
// round, as every baseline so far and results.Slope in summary.json do;
// in memory it is in bytes per round like everywhere else. Scaling by a
// power of two is exact, so a baseline read and written again is
// unchanged to the bit.
func fileScale(m metric.Metric) float64 {
	if m.Unit() == metric.BytesPerRound {
		return results.MiB
	}
	return 1
}

// scaled returns a copy of b with every metric's values multiplied by
// fileScale (up) or divided by it (down).
func (b Baseline) scaled(up bool) Baseline {
	out := b
	out.Scenarios = make(map[string]ScenarioBaseline, len(b.Scenarios))
	for name, sb := range b.Scenarios {
		ms := make(map[metric.Metric]Stat, len(sb.Metrics))
		for m, st := range sb.Metrics {
			f := fileScale(m)
			if !up {
				f = 1 / f
			}
			if f != 1 {
				st = st.times(f)
			}
			ms[m] = st
		}
		sb.Metrics = ms
		out.Scenarios[name] = sb
	}
	return out
}

// NewBaseline builds a baseline from the measurements of a gate run. It
// refuses measurements with failed or incomplete runs: a baseline must
// come from clean runs only.
func NewBaseline(created time.Time, env results.Env, ms []Measurement) (*Baseline, error) {
	if len(ms) == 0 {
		return nil, errors.New("gate: no scenarios to put in the baseline")
	}
	b := &Baseline{Schema: SchemaVersion, Created: created.UTC(), Env: env, Scenarios: make(map[string]ScenarioBaseline, len(ms))}
	for _, m := range ms {
		if len(m.Failures) > 0 {
			return nil, fmt.Errorf("gate: scenario %s: %d run(s) failed, first: %v: refusing to write a baseline", m.Scenario, len(m.Failures), m.Failures[0])
		}
		if len(m.Runs) == 0 {
			return nil, fmt.Errorf("gate: scenario %s: no runs: refusing to write a baseline", m.Scenario)
		}
		for i, s := range m.Runs {
			if s.Outcome != results.OutcomeCompleted {
				return nil, fmt.Errorf("gate: scenario %s: run %d ended %q, not completed: refusing to write a baseline", m.Scenario, i+1, s.Outcome)
			}
		}
		if _, dup := b.Scenarios[m.Scenario]; dup {
			return nil, fmt.Errorf("gate: scenario %s measured twice", m.Scenario)
		}
		b.Scenarios[m.Scenario] = m.baseline()
		b.Runs = max(b.Runs, len(m.Runs))
	}
	return b, nil
}

// baseline condenses a measurement's runs into its baseline entry.
func (m Measurement) baseline() ScenarioBaseline {
	first := m.Runs[0]
	reqs := make([]float64, len(m.Runs))
	for i, s := range m.Runs {
		reqs[i] = float64(s.Requests)
	}
	sb := ScenarioBaseline{
		Expect:   m.Expect,
		Workload: first.Workload,
		Strategy: first.Strategy,
		Rounds:   first.Rounds,
		Requests: int(NewStat(reqs).Median),
		Runs:     len(m.Runs),
		Metrics:  make(map[metric.Metric]Stat, len(metric.Gated())),
	}
	for _, met := range metric.Gated() {
		if st := m.stat(met); st.N() > 0 {
			sb.Metrics[met] = st
		}
	}
	return sb
}

// Names returns the baseline's scenario names, sorted.
func (b *Baseline) Names() []string {
	names := make([]string, 0, len(b.Scenarios))
	for n := range b.Scenarios {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Validate reports every inconsistency of a baseline: schema version,
// missing scenarios, runs, metrics whose median, min, max or values are
// not finite or not ordered.
func (b *Baseline) Validate() []error {
	var errs []error
	if b.Schema != SchemaVersion {
		errs = append(errs, fmt.Errorf("schema version %d, this gate reads version %d", b.Schema, SchemaVersion))
	}
	if len(b.Scenarios) == 0 {
		errs = append(errs, errors.New("no scenarios"))
	}
	for _, name := range b.Names() {
		sb := b.Scenarios[name]
		if sb.Runs < 1 {
			errs = append(errs, fmt.Errorf("scenario %s: runs must be >= 1, is %d", name, sb.Runs))
		}
		if len(sb.Metrics) == 0 {
			errs = append(errs, fmt.Errorf("scenario %s: no metrics", name))
		}
		if sb.Calibration != nil {
			for _, err := range sb.Calibration.Validate() {
				errs = append(errs, fmt.Errorf("scenario %s: %w", name, err))
			}
		}
		for _, m := range metric.Gated() {
			st, ok := sb.Metrics[m]
			if ok && !st.valid() {
				errs = append(errs, fmt.Errorf("scenario %s: metric %s: median %g, min %g, max %g over %d values is not a valid summary",
					name, m, st.Median, st.Min, st.Max, st.N()))
			}
		}
	}
	return errs
}

// Load reads and validates a baseline file. Every error wraps ErrBaseline
// and names the file; a missing file says how to create one and also
// wraps fs.ErrNotExist.
func Load(path string) (*Baseline, error) { return LoadFor(path, "") }

// LoadFor is Load with the command that rewrites the baseline, as the
// user would type it, in its hints; "" says "bench gate --update-baseline".
func LoadFor(path, update string) (*Baseline, error) {
	update = Config{UpdateCommand: update}.updateCommand()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s does not exist: create it with `%s` (%w)", ErrBaseline, path, update, fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBaseline, err)
	}
	return decode(data, path, update)
}

// Decode parses and validates a baseline held in memory; name is used in
// errors. It checks the schema version before decoding strictly (unknown
// fields are errors), so a file of another version is reported as such.
func Decode(data []byte, name string) (*Baseline, error) { return decode(data, name, "") }

// decode is Decode with the hint's update command.
func decode(data []byte, name, update string) (*Baseline, error) {
	update = Config{UpdateCommand: update}.updateCommand()
	var probe struct {
		Schema *int `json:"schema"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%w: %s: corrupt JSON%s: %v", ErrBaseline, name, position(data, err), err)
	}
	if probe.Schema == nil {
		return nil, fmt.Errorf("%w: %s: no schema version: not a leakbench gate baseline", ErrBaseline, name)
	}
	if *probe.Schema != SchemaVersion {
		return nil, fmt.Errorf("%w: %s: schema version %d, this gate reads version %d: regenerate it with `%s`",
			ErrBaseline, name, *probe.Schema, SchemaVersion, update)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var b Baseline
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBaseline, name, err)
	}
	b = b.scaled(true)
	if errs := b.Validate(); len(errs) > 0 {
		return nil, fmt.Errorf("%w: %s: %w", ErrBaseline, name, errors.Join(errs...))
	}
	b = b.resummarized()
	return &b, nil
}

// resummarized returns a copy of b with every metric's figures computed
// again from its values (NewStat): the values are what was measured, and
// a file written by an older gate may hold a median by another rule (the
// lower middle value for an even R, before compare.Median was the one
// rule). Validate has checked that every value is finite, so none is
// dropped.
func (b Baseline) resummarized() Baseline {
	out := b
	out.Scenarios = make(map[string]ScenarioBaseline, len(b.Scenarios))
	for name, sb := range b.Scenarios {
		ms := make(map[metric.Metric]Stat, len(sb.Metrics))
		for m, st := range sb.Metrics {
			ms[m] = NewStat(st.Values)
		}
		sb.Metrics = ms
		out.Scenarios[name] = sb
	}
	return out
}

// position turns a JSON syntax error's offset into " at line L, column C".
func position(data []byte, err error) string {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return ""
	}
	off := min(int(se.Offset), len(data))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Sprintf(" at line %d, column %d", line, col)
}

// Marshal encodes the baseline as indented JSON with a final newline.
func (b *Baseline) Marshal() ([]byte, error) {
	if errs := b.Validate(); len(errs) > 0 {
		return nil, fmt.Errorf("gate: refusing to write an invalid baseline: %w", errors.Join(errs...))
	}
	data, err := json.MarshalIndent(b.scaled(false), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("gate: encoding baseline: %w", err)
	}
	return append(data, '\n'), nil
}

// Write writes the baseline to path atomically (a temporary file in the
// same directory, then a rename), creating the directory if needed.
func (b *Baseline) Write(path string) error {
	data, err := b.Marshal()
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("gate: writing baseline: %w", err)
	}
	if err := atomicfile.WriteBytes(path, data); err != nil {
		return fmt.Errorf("gate: writing baseline %s: %w", path, err)
	}
	return nil
}
