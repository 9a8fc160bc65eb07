#!/usr/bin/env bash
# soak.sh: mudtop under load and faults (issue 5). Runnable by CI:
#
#   bash scripts/soak.sh                  # defaults, under 3 minutes on 2 cores
#   bash scripts/soak.sh --duration 2m    # longer runs; any `soak run` flag passes through
#   bash scripts/soak.sh --strict         # also fail on the overhead/rate targets
#
# 1. load: a writer process plays the game server through auth beside a
#    monitor polling Snapshot every 100 ms (alternate phases) and an admin
#    kicking a session a second, on a WAL and a rollback-journal database;
#    the figures and checks come from their journals (scripts/soak).
# 2. ssh: the same, with the monitor as 20 SSH viewers of mudtop serve (one
#    shared poll, real clients on 127.0.0.1) in its phases.
# 3. lock: another process holds an exclusive transaction for 10 s.
# 4. terminal: SIGTERM and SIGHUP to the real monitor in a tmux pane must
#    leave the terminal as it was (skipped, and said so, without tmux).
#
# Exits non-zero when any check fails. Every step is bounded in time.
set -uo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d "${TMPDIR:-/tmp}/mudtop-soak.XXXXXX")
sock="mudtop-soak-$$"
cleanup() {
	tmux -L "$sock" kill-server >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

declare -A status
fail=0
step() { # name rc
	if [ "$2" -eq 0 ]; then status[$1]=pass; else status[$1]="FAIL (exit $2)"; fail=1; fi
}

echo "== building"
if ! go build -o "$work/soak" ./scripts/soak; then
	echo "soak.sh: the soak driver does not build" >&2
	exit 1
fi
# Only the terminal check needs the real monitor; a broken build fails that
# check without hiding the load and lock figures.
mudtop_built=1
go build -o "$work/mudtop" . || mudtop_built=0

echo "== load (writer + monitor + admin)"
timeout 3600 "$work/soak" run --dir "$work/run" "$@"
step load $?

echo "== ssh viewers (writer + 20 SSH viewers of mudtop serve + admin)"
timeout 1800 "$work/soak" run --dir "$work/ssh" --ssh 20 --duration 22s
step ssh $?

echo "== lock held by another process"
timeout 120 "$work/soak" lock --dir "$work/lock" --hold 10s
step lock $?

# terminal_check SIGNAL: start the monitor in a fresh pane, send SIGNAL to
# its process (by id), and compare the terminal with how it was before.
terminal_check() {
	local sig=$1 db="$work/term.db" win="t$1"
	tmux -L "$sock" new-session -d -s "$win" -x 100 -y 30 "bash --norc --noprofile" || return 1
	sleep 0.3
	tmux -L "$sock" send-keys -t "$win" \
		"stty -g > $work/before-$sig; $work/mudtop --db $db; echo EXIT=\$?; stty -g > $work/after-$sig" Enter
	local shell pid="" i
	shell=$(tmux -L "$sock" display -p -t "$win" '#{pane_pid}')
	for i in $(seq 50); do # up to 5 s for the monitor to take the screen
		pid=$(ps -o pid= --ppid "$shell" | tr -d ' ' | head -1)
		if [ -n "$pid" ] && [ "$(tmux -L "$sock" display -p -t "$win" '#{alternate_on}')" = 1 ]; then break; fi
		sleep 0.1
	done
	if [ -z "$pid" ]; then echo "  $sig: the monitor did not start"; return 1; fi
	sleep 0.5
	kill -s "$sig" "$pid"
	for i in $(seq 50); do
		[ -s "$work/after-$sig" ] && break
		sleep 0.1
	done
	local state
	state=$(tmux -L "$sock" display -p -t "$win" 'alt=#{alternate_on} cursor=#{cursor_flag} mouse=#{mouse_any_flag}')
	local screen
	screen=$(tmux -L "$sock" capture-pane -p -t "$win" | grep -v '^$' | tail -3 | tr '\n' ' ')
	tmux -L "$sock" kill-session -t "$win" >/dev/null 2>&1
	if ! [ -s "$work/after-$sig" ]; then
		echo "  $sig: the monitor did not exit within 5 s ($state)"
		return 1
	fi
	if [ "$state" != "alt=0 cursor=1 mouse=0" ] || ! cmp -s "$work/before-$sig" "$work/after-$sig"; then
		echo "  $sig: terminal not restored: $state, stty $(cat "$work/before-$sig") -> $(cat "$work/after-$sig")"
		return 1
	fi
	echo "  $sig: terminal restored ($state, stty unchanged; $screen)"
}

echo "== terminal restored after SIGTERM / SIGHUP"
if [ "$mudtop_built" = 0 ]; then
	status[terminal]="FAIL (mudtop does not build)"
	fail=1
elif ! command -v tmux >/dev/null; then
	status[terminal]="skipped (no tmux)"
	echo "  skipped: tmux is not installed"
else
	"$work/soak" seed --db "$work/term.db" >/dev/null
	rc=0
	for sig in TERM HUP; do
		terminal_check "$sig" || rc=1
	done
	step terminal $rc
fi

echo
echo "== soak.sh summary"
for k in load ssh lock terminal; do
	printf '  %-9s %s\n' "$k" "${status[$k]:-not run}"
done
exit $fail
