// Package nextjs tests driver.js, the exec-protocol driver of the real
// Next.js 10 image optimizer, where node and npm are present. It holds no
// code of its own: the driver is JavaScript and the optimizer is installed
// by install.sh into the user cache directory.
package nextjs

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/webp"

	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/runner"
)

// plan is the LEAKBENCH_PLAN file of the exec protocol
// (docs/exec-protocol.md), as the runner writes it.
type (
	plan        = runner.Plan
	planRequest = runner.PlanRequest
)

// needNode skips the test unless node and npm are on PATH.
func needNode(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not on PATH: the Next.js driver needs node and npm", tool)
		}
	}
}

// install runs install.sh for version into its default cache folder and
// returns the folder. It skips the test when npm cannot reach its registry.
func install(t *testing.T, version string) string {
	t.Helper()
	needNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	out, err := exec.CommandContext(ctx, "./install.sh", version).CombinedOutput()
	if err != nil {
		ping, perr := exec.CommandContext(ctx, "npm", "ping").CombinedOutput()
		if perr != nil {
			t.Skipf("npm cannot reach its registry (npm ping: %v: %s); install.sh %s: %s", perr, bytes.TrimSpace(ping), version, out)
		}
		t.Fatalf("install.sh %s: %v\n%s", version, err, out)
	}
	dir := strings.TrimSpace(string(out[bytes.LastIndexByte(bytes.TrimSpace(out), '\n')+1:]))
	t.Logf("install.sh %s: %s in %v", version, dir, time.Since(start).Round(time.Millisecond))
	return dir
}

// nodeArgs returns node's flags for the driver: --expose-gc for the settle
// step and, where node has a global fetch (18 and later), the flag that
// removes it, without which next 10's emscripten codecs can't load.
func nodeArgs(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("node", "-p", "typeof fetch").Output()
	if err != nil {
		t.Fatalf("node -p: %v", err)
	}
	args := []string{"--expose-gc"}
	if strings.TrimSpace(string(out)) == "function" {
		args = append(args, "--no-experimental-fetch")
	}
	return args
}

// driverRun is what one run of the driver left.
type driverRun struct {
	events []results.Event
	raw    []string // the lines as written
	stderr string
	err    error // from Wait
}

// runDriver runs driver.js on nextDir with the plan, the events pipe as
// fd 3 (os/exec ExtraFiles), and env added to the environment.
func runDriver(t *testing.T, nodeFlags []string, nextDir string, p plan, env ...string) driverRun {
	t.Helper()
	return startDriver(t, nodeFlags, nextDir, p, env...).wait(t)
}

// runningDriver is a started driver whose events are not read yet.
type runningDriver struct {
	cmd    *exec.Cmd
	events *os.File
	stderr *bytes.Buffer
	cancel context.CancelFunc
}

// startDriver starts driver.js as runDriver does and returns at once.
func startDriver(t *testing.T, nodeFlags []string, nextDir string, p plan, env ...string) *runningDriver {
	t.Helper()
	planFile := filepath.Join(t.TempDir(), "plan.json")
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(planFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "node", append(nodeFlags, "driver.js", nextDir)...)
	cmd.Env = append(os.Environ(), append([]string{"LEAKBENCH_EVENTS_FD=3", "LEAKBENCH_PLAN=" + planFile}, env...)...)
	cmd.ExtraFiles = []*os.File{w}
	d := &runningDriver{cmd: cmd, events: r, stderr: new(bytes.Buffer), cancel: cancel}
	cmd.Stderr = d.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close() // the child holds the only write end: EOF when it exits
	return d
}

// wait reads the events until the driver closes its end, then waits for
// the driver.
func (d *runningDriver) wait(t *testing.T) driverRun {
	t.Helper()
	defer d.cancel()
	defer d.events.Close()
	var run driverRun
	sc := bufio.NewScanner(d.events)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for sc.Scan() {
		run.raw = append(run.raw, sc.Text())
		var ev results.Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Errorf("malformed event line %q: %v", sc.Text(), err)
			continue
		}
		run.events = append(run.events, ev)
	}
	if err := sc.Err(); err != nil {
		t.Errorf("reading events: %v", err)
	}
	run.err = d.cmd.Wait()
	run.stderr = d.stderr.String()
	return run
}

// writePNG writes a w×h gradient PNG (with alpha when alpha is set).
func writePNG(t *testing.T, name string, w, h int, alpha bool) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			a := uint8(255)
			if alpha {
				a = uint8(128 + x*127/w)
			}
			img.SetNRGBA(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) % 256), a})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestDriver_Tiny runs a tiny plan through the real optimizer of the
// leaky and of the fixed release and checks the event stream and the
// decoded outputs.
func TestDriver_Tiny(t *testing.T) {
	if testing.Short() {
		t.Skip("installs next with npm")
	}
	for _, version := range []string{"10.1.0", "10.1.3"} {
		t.Run(version, func(t *testing.T) { testTiny(t, version) })
	}
}

func testTiny(t *testing.T, version string) {
	dir := install(t, version)
	wide := writePNG(t, "wide.png", 96, 64, false)
	small := writePNG(t, "small.png", 40, 30, true)
	p := plan{
		Scenario: "nextjs-tiny", Workload: "test", Rounds: 2, InFlight: 2, IdleSeconds: 0.5, Workers: 3,
		Requests: []planRequest{
			{ID: 1, Round: 1, Source: wide, Width: 48, Format: "webp", Quality: 75},
			{ID: 2, Round: 1, Source: small, Width: 16, Format: "png", Quality: 6, Rotate: 90},
			{ID: 3, Round: 1, Source: wide, Width: 640, Format: "jpeg", Quality: 80, Rotate: 180},
			{ID: 4, Round: 2, Source: small, Width: 32, Format: "webp", Quality: 50, Rotate: 270},
		},
	}
	// want: the decoded size of each output (rotated, then resized to the
	// width when wider, height in proportion).
	want := map[int]image.Point{1: {48, 32}, 2: {16, 21}, 3: {96, 64}, 4: {30, 40}}
	out := t.TempDir()
	start := time.Now()
	run := runDriver(t, nodeArgs(t), dir, p, "LEAKBENCH_NEXTJS_OUT="+out)
	t.Logf("%d requests on next@%s in %v; stderr: %s", len(p.Requests), version, time.Since(start).Round(time.Millisecond), strings.TrimSpace(run.stderr))
	if run.err != nil {
		t.Fatalf("driver: %v\nstderr: %s\nevents:\n%s", run.err, run.stderr, strings.Join(run.raw, "\n"))
	}

	var phases []results.Phase
	seen := map[int]results.Event{}
	var rounds []int
	for i, ev := range run.events {
		if ev.Time <= 0 || (i > 0 && ev.Time < run.events[i-1].Time) {
			t.Errorf("event %d: time %d not after %d", i, ev.Time, run.events[max(i-1, 0)].Time)
		}
		switch ev.Kind {
		case results.EventPhase:
			phases = append(phases, ev.Phase)
			if ev.Phase == results.PhaseLoad && ev.Total != len(p.Requests) {
				t.Errorf("load phase total = %d, want %d", ev.Total, len(p.Requests))
			}
		case results.EventRequest:
			if _, dup := seen[ev.Request]; dup {
				t.Errorf("request %d reported twice", ev.Request)
			}
			seen[ev.Request] = ev
			if len(rounds) != ev.Round-1 {
				t.Errorf("request %d of round %d after %d round events", ev.Request, ev.Round, len(rounds))
			}
		case results.EventRound:
			rounds = append(rounds, ev.Round)
		case results.EventSnapshot:
			if ev.Snapshot == nil || ev.Snapshot.HeapLive == 0 {
				t.Errorf("snapshot without heap_live: %s", run.raw[i])
			}
		default:
			t.Errorf("unexpected event %s", run.raw[i])
		}
	}
	wantPhases := []results.Phase{results.PhaseLoad, results.PhaseIdle, results.PhaseSettle, results.PhaseDone}
	if fmt.Sprint(phases) != fmt.Sprint(wantPhases) {
		t.Errorf("phases %v, want %v", phases, wantPhases)
	}
	if last := run.events[len(run.events)-1]; last.Kind != results.EventPhase || last.Phase != results.PhaseDone {
		t.Errorf("last event %s, want the done phase", run.raw[len(run.raw)-1])
	}
	if fmt.Sprint(rounds) != "[1 2]" {
		t.Errorf("round events %v, want [1 2]", rounds)
	}
	for _, r := range p.Requests {
		ev, ok := seen[r.ID]
		if !ok {
			t.Errorf("request %d: no event", r.ID)
			continue
		}
		fi, err := os.Stat(r.Source)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Err != "" || ev.BytesIn != int(fi.Size()) || ev.BytesOut <= 0 || ev.Seconds <= 0 || ev.Round != r.Round {
			t.Errorf("request %d: event %+v; want no error, bytes_in %d, bytes_out > 0, seconds > 0, round %d", r.ID, ev, fi.Size(), r.Round)
			continue
		}
		got := decodeSize(t, filepath.Join(out, fmt.Sprintf("%d.%s", r.ID, r.Format)), r.Format, ev.BytesOut)
		if w := want[r.ID]; got.X != w.X || got.Y < w.Y-1 || got.Y > w.Y+1 {
			t.Errorf("request %d: output %s is %v, want %v (height ±1)", r.ID, r.Format, got, w)
		}
	}
}

// decodeSize decodes an output file with Go's own decoders and returns its
// size.
func decodeSize(t *testing.T, file, format string, size int) image.Point {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != size {
		t.Errorf("%s: %d bytes, the event said %d", file, len(b), size)
	}
	img, err := decodeImage(format, b)
	if err != nil {
		t.Fatalf("%s does not decode as %s: %v", file, format, err)
	}
	return img.Bounds().Size()
}

func decodeImage(format string, b []byte) (image.Image, error) {
	switch format {
	case "png":
		return png.Decode(bytes.NewReader(b))
	case "jpeg":
		return jpeg.Decode(bytes.NewReader(b))
	case "webp":
		return webp.Decode(bytes.NewReader(b))
	}
	return nil, errors.New("unknown format " + format)
}

// TestDriver_BadPlan: a plan the optimizer can't run is refused before any
// work, with one error event per problem naming it.
func TestDriver_BadPlan(t *testing.T) {
	needNode(t)
	src := writePNG(t, "a.png", 8, 8, false)
	p := plan{Rounds: 2, InFlight: 1, Workers: 1, Requests: []planRequest{
		{ID: 1, Round: 1, Source: src, Width: 8, Format: "avif", Quality: 50},
		{ID: 2, Round: 1, Source: src, Width: 8, Format: "webp", Quality: 50, Rotate: 45},
		{ID: 3, Round: 1, Source: src + ".missing", Width: 8, Format: "png"},
		{ID: 4, Round: 3, Source: src, Width: 8, Format: "jpeg", Quality: 101},
	}}
	// No install needed: the plan is checked before next is loaded.
	run := runDriver(t, nodeArgs(t), t.TempDir(), p)
	var exit *exec.ExitError
	if !errors.As(run.err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("driver exit: %v, want status 1", run.err)
	}
	var errs []string
	for _, ev := range run.events {
		if ev.Kind != results.EventError {
			t.Errorf("event of kind %s before any work", ev.Kind)
		}
		errs = append(errs, ev.Err)
	}
	all := strings.Join(errs, "\n")
	for _, want := range []string{
		`format "avif" unsupported`,
		`rotate 45 unsupported`,
		`a.png.missing: no such file`,
		`requests[3].quality 101`,
		`round 3 but the plan has 2 rounds`,
		`round 2 of 2 has no requests`,
		`6 problem(s) in the plan; nothing run`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("errors lack %q:\n%s", want, all)
		}
	}
}

// TestDriver_NoInstall: a next folder without next gets an error naming it
// and the install command.
func TestDriver_NoInstall(t *testing.T) {
	needNode(t)
	dir := t.TempDir()
	p := plan{Rounds: 1, InFlight: 1, Workers: 1, Requests: []planRequest{{ID: 1, Round: 1, Source: writePNG(t, "a.png", 8, 8, false), Width: 8, Format: "png"}}}
	run := runDriver(t, nodeArgs(t), dir, p)
	if run.err == nil || len(run.events) != 1 || run.events[0].Kind != results.EventError ||
		!strings.Contains(run.events[0].Err, "no next install in "+dir) || !strings.Contains(run.events[0].Err, "install.sh") {
		t.Errorf("driver on an empty folder: %v, events %q; want one error naming %s and install.sh", run.err, run.raw, dir)
	}
}
