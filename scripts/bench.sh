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
#
# When ActiveSessionCountBusy/100k ran and python3 is on PATH, the table gets
# one more row, orig:ActiveSessionCountBusy/100k: the original server's own
# count (scripts/origcount.py) on a copy of the same 100k file, then the
# ratio of the two p50s. ORIGCOUNT_N sets its number of calls (default 30).
set -eu
cd "$(dirname "$0")/.."
COUNT=${COUNT:-1}
BENCH=${BENCH:-'^Benchmark(ValidateSession|ValidateSessionParallel|ActiveSessionCount|ActiveSessionCountBusy|ActiveSessionCountFloor|ViewFloor|ActiveSessionCountCreated|ActiveSessionCountCreatedBusy|MonitorTick|MonitorTickBusy|MonitorTickCreated|MonitorTickViews|MonitorTickViewsBusy|SharedViews|Login|View|Startup)$'}
BENCHTIME=${BENCHTIME:-}
ORIGCOUNT_N=${ORIGCOUNT_N:-30}
out=$(mktemp)
orig=$(mktemp)
trap 'rm -f "$out" "$orig"' EXIT
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
function row(name, ops, p50, p99, ns, allocs) {
	printf "%-46s %12s %10s %10s %14s %10s\n", name, ops, p50, p99, ns, allocs
}
BEGIN { printf "%-46s %12s %10s %10s %14s %10s\n", "benchmark", "ops/s", "p50", "p99", "ns/op", "allocs/op" }
/^Benchmark/ {
	ns = metric("ns/op"); ops = metric("ops/s")
	if (ops == "" && ns != "") ops = sprintf("%.0f", 1e9 / ns)
	else if (ops != "") ops = sprintf("%.0f", ops)
	p50 = metric("p50-ms"); p99 = metric("p99-ms")
	name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
	row(name, ops, fmt(p50, " ms"), fmt(p99, " ms"), ns, fmt(metric("allocs/op"), ""))
}' "$out"

# The original's count beside mudtop's: the median p50 and the active count
# of mudtop's ActiveSessionCountBusy/100k rows (one per -count).
mudtop=$(awk '
function metric(name,   i) {
	for (i = 3; i < NF; i++) if ($(i+1) == name) return $i
	return ""
}
$1 ~ /^BenchmarkActiveSessionCountBusy\/100k(-[0-9]+)?$/ { p[n++] = metric("p50-ms"); a = metric("active") }
END {
	if (n == 0) exit
	for (i = 1; i < n; i++) for (j = i; j > 0 && p[j-1] + 0 > p[j] + 0; j--) { t = p[j]; p[j] = p[j-1]; p[j-1] = t }
	print p[int((n - 1) / 2)], a
}' "$out")
if [ -z "$mudtop" ]; then
	echo "orig:ActiveSessionCountBusy/100k skipped: ActiveSessionCountBusy/100k was not in this run"
elif ! command -v python3 >/dev/null 2>&1; then
	echo "orig:ActiveSessionCountBusy/100k skipped: python3 is not on PATH"
elif ! python3 scripts/origcount.py -n "$ORIGCOUNT_N" >"$orig" 2>&1; then
	echo "orig:ActiveSessionCountBusy/100k skipped: $(tail -n 1 "$orig")"
else
	awk -v mudtop="$mudtop" '
function row(name, ops, p50, p99, ns, allocs) {
	printf "%-46s %12s %10s %10s %14s %10s\n", name, ops, p50, p99, ns, allocs
}
/^p50-ms=/ {
	for (i = 1; i <= NF; i++) { k = $i; sub(/=.*/, "", k); v = $i; sub(/^[^=]*=/, "", v); m[k] = v }
	row("orig:ActiveSessionCountBusy/100k", sprintf("%.0f", m["ops/s"]), m["p50-ms"] " ms", m["p99-ms"] " ms", m["ns/op"], "-")
	split(mudtop, mt, " ")
	printf "ActiveSessionCountBusy/100k: mudtop %.1f ms vs original %.1f ms p50 = %.2fx", mt[1], m["p50-ms"], mt[1] / m["p50-ms"]
	printf " (active %s vs %s%s; original on python3 sqlite3 %s, n=%s)\n", mt[2], m["active"], mt[2] == m["active"] ? "" : ", DIFFERENT", m["sqlite"], m["n"]
}' "$orig"
fi
