#!/usr/bin/env bash
# speed.sh [ROUNDS]: wazero against V8 on next@10.1.0's own squoosh modules.
# For each operation, ROUNDS times (default 3): golden.js bench in Node, then
# internal/casestudy/squoosh's BenchmarkOps under wazero, the two back to back so that
# the load of this shared machine hits both sides alike; then benchstat sets
# them side by side (MP/s, higher is better). Installs next@10.1.0 first
# (idempotent).
set -euo pipefail
cd -P -- "$(dirname -- "$0")/../.."
rounds=${1:-3}
root=$(bash examples/nextjs/install.sh 10.1.0 | tail -n 1)
out=$(mktemp -d)
go test -c -o "$out/squoosh.test" ./internal/casestudy/squoosh
mapfile -t cases < <(node tools/squoosh-golden/golden.js bench "$root" 1 list)
for ((r = 1; r <= rounds; r++)); do
	for c in "${cases[@]}"; do
		echo "round $r/$rounds: $c" >&2
		node tools/squoosh-golden/golden.js bench "$root" 1 "$c" 2>/dev/null | grep '^Benchmark' >>"$out/node.txt"
		(cd internal/casestudy/squoosh && "$out/squoosh.test" -test.run '^$' -test.bench "^BenchmarkOps\$/^op=${c%%/*}\$/^${c#*/}\$" -test.benchtime 1s) |
			grep '^Benchmark' >>"$out/wazero.txt"
	done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
go run golang.org/x/perf/cmd/benchstat -col .file node="$out/node.txt" wazero="$out/wazero.txt"
echo "raw results: $out" >&2
