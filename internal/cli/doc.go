// Package cli is leakbench's command line: the core's commands (run,
// list, report, compare, gate, version) for any program, with what the
// program adds (Program: its targets, its default target, the scenarios
// it ships, commands of its own, a factorial design). cmd/bench is the
// Next.js case study's program (package casestudy, which adds reproduce);
// a program built on package harness adds its own targets. RunProgram and
// Main are the whole of it. Its documentation is the commands', as bench
// shows them.
//
// Every scenario runs in its own child process (this same binary, started
// with a hidden subcommand), so its RSS is its own: the parent samples the
// child's RSS and kernel high-water mark from outside, merges the child's
// event stream (phases, rounds, wasm instances, Go heap), and streams it
// all to disk as it happens, so a crash, an OOM kill or Ctrl-C loses
// nothing already measured.
//
// # Usage
//
//	bench <command> [flags] [arguments]
//
// With no command, a program runs its default command (bench's reproduce)
// or prints its usage. Every command has --help with its flags and
// examples.
//
// # Commands
//
// run [flags] [scenario|file.yaml]... runs scenarios (default
// quick-fixed), checks their limits and expectations, and writes the
// results with a plot per scenario:
//
//	# the default scenarios, results under reports/
//	bench run
//	# the leaky control and the stable scenario, side by side
//	bench run quick-leaky quick-fixed
//	# your own scenario on your own images, fewer rounds
//	bench run --images ~/photos --rounds 2 my-scenario.yaml
//
// list shows the scenarios the program ships (bench's with the builtin
// engine's four switches: topology, lifetime, glue views, listeners):
//
//	# what can I run?
//	bench list
//
// report redraws plots and markdown from saved runs:
//
//	# redraw an earlier invocation's reports in place
//	bench report reports/20260101T120000Z-run
//	# compare runs of two invocations on one overlay
//	bench report --out /tmp/cmp reports/A/quick-fixed reports/B/quick-fixed
//
// gate is the CI memory-regression gate: R runs per scenario, medians,
// compared with a committed baseline:
//
//	# gate the default scenarios against reports/baseline.json
//	bench gate
//	# five runs per scenario, JUnit XML for the CI test tab
//	bench gate --runs 5 --junit reports/gate.xml
//	# measure and (re)write the committed baseline
//	bench gate --update-baseline
//	# a quick look at one scenario
//	bench gate quick-fixed --runs 1
//	# calibrate the thresholds (about 10 minutes) and rewrite the baseline
//	bench gate --calibrate
//	# does the gate catch a leak of 256 KiB per request?
//	bench gate --inject-leak 256KiB
//	# A/B: this build against the base commit's, no baseline
//	bench gate --base-bin /tmp/bench-base
//
// compare runs scenarios R times (default 6) interleaved in a seeded
// shuffled order per repetition and prints, laid out as benchstat does,
// each metric's median with its 95% interval and, against the reference
// scenario, the change with its Mann-Whitney p-value and the ratio with
// its interval; --factorial runs the 2^k factorial of the four causes and
// answers which costs most memory and throughput and which pairs
// interact; --shard and --merge spread it over machines:
//
//	# the stable scenario against the leaky control, 6 runs each
//	bench compare quick-fixed quick-leaky
//	# against a chosen reference, fewer runs
//	bench compare --runs 3 --ref quick-leaky quick-fixed quick-leaky
//	# the factorial of two switches
//	bench compare --factorial --switches topology,lifetime --runs 3
//	# the second of four machines
//	bench compare --factorial --shard 2/4 --out shards/2
//	# the merge of the four machines' folders
//	bench compare --merge shards/1 shards/2 shards/3 shards/4
//
// version prints the versions the numbers were measured with:
//
//	# which build produced these numbers?
//	bench version
//
// # Flags of run (and of reproduce)
//
//	--out DIR        results folder (default reports/<UTC time>-<command>;
//	                 never overwritten: an existing one gets -2, -3, ...)
//	--images DIR     your own PNG/JPEG images instead of the generated ones
//	                 (other files are skipped, unusable images rejected and
//	                 their requests failed, each named with its reason)
//	--workers N      worker count, a target's Config.Workers (bench: the
//	                 workers of the builtin's per-worker topology)
//	--rounds N       rounds of the workload
//	--timeout D      wall-clock limit per scenario run (default 30m)
//	--quiet          no progress lines
//	--profiles=false no pprof profiles (by default a Go child writes its heap
//	                 and wasm linear memory profiles at the peak, the end of
//	                 the load and after settle; see docs/pprof.md)
//
// # Targets
//
// A scenario runs the builtin engine unless it says target: NAME, a target
// the program registered with package harness (bench itself registers
// only the builtin; "bench help" lists them). Its options: mapping is
// checked against the target's options type before anything runs.
//
// # Output
//
// An invocation folder holds one folder per scenario with samples.csv,
// samples.jsonl, events.jsonl, summary.json, child.log and rss.png/.svg,
// and at its top summary.md, index.md and, for several runs, overlay.png
// (reproduce adds grid.png). Progress goes to stderr: on a terminal one
// live line per running scenario; otherwise one key=value line per phase
// change, such as
//
//	scenario=quick-fixed phase=load requests=0/48 rss_mib=122.5 elapsed_s=6.4
//
// # Exit status
//
//	0  every run completed and every verdict passed
//	1  a verdict failed: a scenario limit ("settled < 64MiB"), an
//	   expectation (a leaky control that no longer leaks), a failed
//	   request, a run killed at its RSS cap, failed reproduction checks,
//	   a gate regression
//	2  usage error, bad scenario file, a run that crashed, timed out or
//	   was interrupted
package cli
