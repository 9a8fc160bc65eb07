#!/usr/bin/env bash
# Regenerates screenshots/*.png from real frames of the real program:
# `mudtop demo` runs in a private tmux server, keys are sent to it, each
# pane is captured with its colours (tmux capture-pane -e) and freeze
# renders the ANSI frame to PNG. Needs tmux and Go (freeze is fetched with
# `go run`). Usage: scripts/screenshots.sh [outdir]   (default screenshots/)
set -euo pipefail
export LC_ALL=C.UTF-8 # ${#var} counts characters, not bytes

cd "$(dirname "$0")/.."
out=${1:-screenshots}
mkdir -p "$out"
tmp=$(mktemp -d)
sock="mudtop-shots-$$"
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

freeze="go run github.com/charmbracelet/freeze@v0.2.2"
go build -o "$tmp/mudtop" .

cols=120 rows=34
env="env -u MUDTOP_SESSION -u NO_COLOR TERM=xterm-256color COLORTERM=truecolor XDG_CONFIG_HOME=$tmp/config"
tmux -L "$sock" -f /dev/null new-session -d -s demo -x $cols -y $rows \
	"$env $tmp/mudtop demo --seed 7 --users 400 --rate 40 --db $tmp/demo.db 2>$tmp/demo.err"

# wait_for TEXT: until the pane shows TEXT (at most 15 s).
wait_for() {
	for _ in $(seq 150); do
		if tmux -L "$sock" capture-pane -p -t "$1" | grep -qF -- "$2"; then return 0; fi
		sleep 0.1
	done
	echo "screenshots: timed out waiting for '$2' in $1" >&2
	tmux -L "$sock" capture-pane -p -t "$1" >&2
	exit 1
}
keys() { local t=$1; shift; for k in "$@"; do tmux -L "$sock" send-keys -t "$t" "$k"; sleep 0.3; done; }
# pad: tmux leaves out cells the program never wrote, so every captured
# line is padded to the pane width and freeze draws the whole terminal.
pad() {
	local line plain n width=$1
	while IFS= read -r line; do
		plain=$(printf '%s' "$line" | sed 's/\x1b\[[0-9;:]*[A-Za-z]//g')
		n=$((width - ${#plain}))
		((n < 0)) && n=0
		# freeze does not honour SGR 49 (default background): name the
		# background colour it is given instead.
		line=${line//$'\e[49m'/$'\e[48;2;23;23;23m'}
		printf '%s%*s\n' "$line" "$n" ''
	done
}
shoot() {
	local width
	width=$(tmux -L "$sock" display-message -p -t "$1" '#{pane_width}')
	tmux -L "$sock" capture-pane -p -e -N -t "$1" | pad "$width" >"$tmp/$2.ansi"
	$freeze --language ansi --window --padding 20 --font.size 14 --background '#171717' -o "$out/$2.png" "$tmp/$2.ansi" >/dev/null
	go run ./scripts/shrinkpng "$out/$2.png"
	echo "wrote $out/$2.png"
}

wait_for demo "USER"
sleep 20 # let the simulated server fill the table and the sparkline
keys demo j j j
sleep 1.2
shoot demo monitor
# On a wide terminal the detail panel sits beside the table.
tmux -L "$sock" resize-window -t demo -x 170 -y $rows
sleep 1.5
shoot demo monitor-wide
tmux -L "$sock" resize-window -t demo -x $cols -y $rows
sleep 1
keys demo Enter
sleep 1.2
shoot demo detail
keys demo Escape r
shoot demo roles
keys demo r x
wait_for demo "Kick this session?"
shoot demo kick-confirm
keys demo Escape
keys demo '?'
shoot demo help
keys demo Escape P
wait_for demo "findings"
sleep 1.2
shoot demo grants
keys demo Escape /
tmux -L "$sock" send-keys -t demo -l "telnet"
keys demo Enter F
wait_for demo "matching the filter?"
shoot demo kick-scope
keys demo Escape Escape q

# The login form: the monitor without a session on the demo's database.
tmux -L "$sock" new-session -d -s login -x $cols -y $rows "$env $tmp/mudtop --db $tmp/demo.db"
wait_for login "username"
tmux -L "$sock" send-keys -t login -l "demo-admin"
keys login Tab
tmux -L "$sock" send-keys -t login -l "not-the-password"
keys login Enter
wait_for login "Invalid username or password"
shoot login login

# Over SSH: a headless demo keeps the game going on the same database,
# mudtop serve serves it, and OpenSSH connects with a key registered to
# demo-admin (`mudtop keys add`).
tmux -L "$sock" new-session -d -s game -x $cols -y 5 \
	"$env $tmp/mudtop demo --headless --seed 7 --users 400 --rate 40 --db $tmp/demo.db 2>$tmp/game.err"
for _ in $(seq 150); do grep -q "password" "$tmp/game.err" 2>/dev/null && break; sleep 0.1; done
pw=$(grep -o 'password [A-Z0-9]*' "$tmp/game.err" | head -1 | cut -d' ' -f2)
ssh-keygen -q -t ed25519 -N "" -C demo-admin@laptop -f "$tmp/id_demo"
token=$(MUDTOP_PASSWORD=$pw $tmp/mudtop --db "$tmp/demo.db" login demo-admin)
# The login above replaced the demo's own monitor session, not the game's.
MUDTOP_SESSION=$token $tmp/mudtop --db "$tmp/demo.db" keys add demo-admin "$tmp/id_demo.pub" >/dev/null
port=$((20000 + RANDOM % 20000))
tmux -L "$sock" new-session -d -s serve -x $cols -y 5 \
	"$env XDG_DATA_HOME=$tmp/data $tmp/mudtop --db $tmp/demo.db serve --listen 127.0.0.1:$port 2>$tmp/serve.err"
for _ in $(seq 100); do grep -q "listening" "$tmp/serve.err" 2>/dev/null && break; sleep 0.1; done
tmux -L "$sock" new-session -d -s ssh -x $cols -y $rows \
	"ssh -t -p $port -o UserKnownHostsFile=$tmp/known -o StrictHostKeyChecking=accept-new -o IdentitiesOnly=yes -i $tmp/id_demo demo-admin@127.0.0.1"
wait_for ssh "USER"
sleep 6
shoot ssh ssh
keys ssh q
