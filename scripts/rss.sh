#!/usr/bin/env bash
# rss.sh measures the memory of the real monitor (issue 4: at most 64 MB RSS
# at 100,000 sessions). It builds mudtop, prepares a copy of the generated
# benchmark database with its timestamps moved to the wall clock
# (scripts/rss), runs `mudtop monitor` on it in a detached 200x60 tmux pane
# as the generated superuser, and reads VmRSS and VmHWM (the peak) from
# /proc after the first frame and again after a while of live ticks, which
# include full count rebuilds; half-way it filters and sorts by role, so
# the view cache is at its largest.
#
#   scripts/rss.sh                          # WAL (a file mudtop created), 100k, 20 s
#   MODE=rollback SESSIONS=100000 SECONDS_LIVE=60 scripts/rss.sh
#   BUSY=1 MODE=rollback scripts/rss.sh     # a commit every 300 ms: the count
#                                           # rebuilds run beside the ticks
#
# Needs tmux and Linux's /proc.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${MODE:-wal}
SESSIONS=${SESSIONS:-100000}
SECONDS_LIVE=${SECONDS_LIVE:-20}
command -v tmux >/dev/null || { echo "rss.sh needs tmux (apt-get install tmux)" >&2; exit 1; }
[ -r /proc/self/status ] || { echo "rss.sh needs Linux's /proc" >&2; exit 1; }

work=$(mktemp -d)
sock="mudtop-rss-$$"
toucher=""
cleanup() {
	[ -n "$toucher" ] && kill "$toucher" 2>/dev/null || true
	tmux -L "$sock" kill-server >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/mudtop" .
go build -o "$work/rss" ./scripts/rss
read -r db token < <("$work/rss" -mode "$MODE" -sessions "$SESSIONS" -out "$work/mud.db")
if [ -n "${BUSY:-}" ]; then
	"$work/rss" -touch "$db" -for "$(( SECONDS_LIVE + 30 ))s" &
	toucher=$!
fi

mb() { awk -v k="$1" '$1 == k":" { printf "%.1f", $2 / 1024 }' "/proc/$pid/status"; }

start=$(date +%s%N)
tmux -L "$sock" new-session -d -s rss -x 200 -y 60 \
	"MUDTOP_SESSION=$token exec $work/mudtop monitor --db $db"
pid=$(tmux -L "$sock" display -p -t rss '#{pane_pid}')
# The first frame is up when the table's header row is on screen.
for _ in $(seq 1 200); do
	if tmux -L "$sock" capture-pane -p -t rss | grep -q 'IDLE'; then break; fi
	sleep 0.05
done
frame_ms=$(( ($(date +%s%N) - start) / 1000000 ))
if ! tmux -L "$sock" capture-pane -p -t rss | grep -q 'IDLE'; then
	echo "the monitor did not show its table; the screen was:" >&2
	tmux -L "$sock" capture-pane -p -t rss >&2
	exit 1
fi
first_rss=$(mb VmRSS)
# Half the run on the default view, half under a filter that matches most
# sessions, sorted by role: the view cache (storage/viewcache.go) then holds
# every session's filter keys and a whole cached order, its largest state.
sleep $(( SECONDS_LIVE / 2 ))
tmux -L "$sock" send-keys -t rss ${RSS_KEYS:-/ e Enter s s}
sleep $(( SECONDS_LIVE - SECONDS_LIVE / 2 ))
if ! kill -0 "$pid" 2>/dev/null; then
	echo "the monitor exited during the run" >&2
	exit 1
fi
echo "monitor on $SESSIONS sessions ($MODE${BUSY:+, a commit every 300 ms}), its header at the end:"
tmux -L "$sock" capture-pane -p -t rss | sed -n '1,3p' | sed 's/^/  | /' 
echo "  first frame after ~${frame_ms} ms (from exec, polled every 50 ms): RSS ${first_rss} MB"
echo "  after ${SECONDS_LIVE} s of live ticks: RSS $(mb VmRSS) MB, peak (VmHWM) $(mb VmHWM) MB; target 64 MB"
