#!/bin/sh
# bench.sh runs mudtop's performance benchmarks (issue 4) and prints a small
# table: name, ops/s, p50, p99, ns/op, allocs/op.
#
#   scripts/bench.sh                 # every benchmark, -count 1
#   COUNT=5 scripts/bench.sh         # -count 5 (the table shows each run)
#   BENCH='ValidateSession' scripts/bench.sh
#   BENCHTIME=1x scripts/bench.sh    # what CI runs: compile and run once
#
# The generated databases (1k and 100k sessions, the original's rollback
# mode and mudtop's WAL mode) are built on first use and cached in
# $TMPDIR/mudtop-bench-<version>/; the first run takes a minute longer.
set -eu
cd "$(dirname "$0")/.."
COUNT=${COUNT:-1}
BENCH=${BENCH:-'^Benchmark(ValidateSession|ValidateSessionParallel|ActiveSessionCount|ActiveSessionCountBusy|ActiveSessionCountFloor|ActiveSessionCountCreated|ActiveSessionCountCreatedBusy|MonitorTick|MonitorTickBusy|MonitorTickCreated|Login|View|Startup)$'}
BENCHTIME=${BENCHTIME:-}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
set -- -run '^$' -bench "$BENCH" -benchmem -count "$COUNT" -timeout 30m
[ -n "$BENCHTIME" ] && set -- "$@" -benchtime "$BENCHTIME"
go test "$@" ./storage/ ./auth/ ./tui/ | tee "$out" >&2
echo
awk '
function metric(name,   i) {
	for (i = 3; i < NF; i++) if ($(i+1) == name) return $i
	return ""
}
function fmt(v, unit) { return v == "" ? "-" : v unit }
BEGIN { printf "%-46s %12s %10s %10s %14s %10s\n", "benchmark", "ops/s", "p50", "p99", "ns/op", "allocs/op" }
/^Benchmark/ {
	ns = metric("ns/op"); ops = metric("ops/s")
	if (ops == "" && ns != "") ops = sprintf("%.0f", 1e9 / ns)
	else if (ops != "") ops = sprintf("%.0f", ops)
	p50 = metric("p50-ms"); p99 = metric("p99-ms")
	name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
	printf "%-46s %12s %10s %10s %14s %10s\n", name, ops, fmt(p50, " ms"), fmt(p99, " ms"), ns, fmt(metric("allocs/op"), "")
}' "$out"
