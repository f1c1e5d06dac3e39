#!/bin/sh
# tui.sh FEEDBENCH DB [N_PROMPTS] - how fast the annotation workbench is on a
# big database: time to the first screen, and per keystroke (the rating's
# sqlite commit plus the redraw) over a scripted run of a few hundred keys.
#
#   sh tests/bench/tui.sh ./feedbench /tmp/bench.db          64,000 prompts
#   sh tests/bench/tui.sh ./feedbench /tmp/small.db 4000     a quicker one
#
# When DB does not exist it is made first: tests/bench/gen.c writes
# N_PROMPTS UltraFeedback records with GPT-4 ratings (64,000: about 800 MB,
# the import takes a few minutes), `feedbench import` reads them.
#
# The program runs in a private tmux server at 200x50 (the 2x2 grid, the
# bigger screen) with FEEDBENCH_TRACE set, which makes it append, per key,
# the time from reading the key to the end of doupdate().  A fresh rater
# rates ROUNDS prompts (16 digits and Space each).  Prints the figures and
# the targets: first screen < 200 ms, keystroke median < 5 ms, p99 < 20 ms.
# Exits 0 either way (a benchmark reports; it does not judge).
#
#   ROUNDS=20 (prompts rated)   BENCH_TIMEOUT=30 (seconds per wait)

prog=${1:-}
db=${2:-}
n=${3:-64000}
rounds=${ROUNDS:-20}
timeout=${BENCH_TIMEOUT:-30}
if [ -z "$prog" ] || [ -z "$db" ]; then
	echo "usage: tui.sh FEEDBENCH DB [N_PROMPTS]" >&2
	exit 2
fi
case $prog in /*) ;; *) prog=$(pwd)/$prog ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd) || exit 1
command -v tmux >/dev/null 2>&1 || { echo "tui bench: tmux is needed" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/feedbench-bench-tui.XXXXXX") || exit 1
sock=feedbench-bench-$$
cleanup() {
	tmux -L "$sock" kill-server >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -f "$db" ]; then
	echo "tui bench: making $db with $n prompts"
	mkdir -p "$root/build"
	cc -O2 -o "$root/build/gen" "$root/tests/bench/gen.c" || exit 1
	"$root/build/gen" "$n" >"$tmp/data.jsonl" || exit 1
	t=$(date +%s)
	"$prog" --db "$db" import --quiet --dataset bench "$tmp/data.jsonl" || exit 1
	echo "tui bench: imported in $(( $(date +%s) - t )) s"
	rm -f "$tmp/data.jsonl"
fi
prompts=$(sqlite3 "$db" "SELECT count(*) FROM prompt")

tm() {
	tmux -L "$sock" -f /dev/null "$@"
}
screen() {
	tm capture-pane -p -t "=main:"
}
wait_for() {
	i=$((timeout * 50))
	until screen | grep -qF -- "$1"; do
		i=$((i - 1))
		[ $i -gt 0 ] || { echo "tui bench: no \"$1\" on the screen" >&2; screen >&2; exit 1; }
		sleep 0.02
	done
}

# a cold page cache would measure the disk: read the database once
cat "$db" >/dev/null 2>&1

rater=bench-$$
trace=$tmp/trace
tm start-server \; set -g status off \; set -g escape-time 0 \; set -g exit-empty off
start=$(date +%s%6N)
tm new-session -d -s main -x 200 -y 50 -- env -i "PATH=$PATH" "HOME=$tmp" TERM=tmux-256color \
	LANG=C.UTF-8 LC_ALL=C.UTF-8 "FEEDBENCH_TRACE=$trace" "$prog" --db "$db" annotate \
	--rater "$rater"
wait_for "1 of $prompts"

r=1
while [ $r -le "$rounds" ]; do
	tm send-keys -t "=main:" 4 5 3 4 2 3 3 2 5 5 5 5 1 n 1 1 Space
	wait_for "$((r + 1)) of $prompts"
	r=$((r + 1))
done
tm send-keys -t "=main:" q
i=$((timeout * 50))
while tm has-session -t "=main" 2>/dev/null && [ $i -gt 0 ]; do
	sleep 0.02
	i=$((i - 1))
done
rated=$(sqlite3 "$db" "SELECT count(*) FROM rating r JOIN rater x ON x.id = r.rater_id WHERE x.name = '$rater'")

awk -v start="$start" -v prompts="$prompts" -v rated="$rated" '
function stats(name, v, n,    i, j, t, med, p99) {
	for (i = 2; i <= n; i++) {          # insertion sort: a few hundred values
		t = v[i]
		for (j = i - 1; j >= 1 && v[j] > t; j--)
			v[j + 1] = v[j]
		v[j + 1] = t
	}
	med = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	p99 = v[int(n * 0.99 + 0.999999)]
	printf "  %-26s %4d keys  median %6.2f ms  p99 %6.2f ms  max %6.2f ms\n", name, n, med / 1000, p99 / 1000, v[n] / 1000
	return med
}
/^first-screen / { first = $2; wall = ($3 - start) / 1000 }
/^key / {
	all[++na] = $4
	if ($3 ~ /^rate-|^na$/) {
		rate[++nr] = $4
		write[nr] = $5
		draw[nr] = $4 - $5
	} else
		other[++no] = $4
}
END {
	printf "tui bench: %d prompts, %d values written by the run\n", prompts, rated
	printf "  first screen               %.1f ms in the program, %.1f ms from launch (target < 200 ms)\n", first, wall
	if (nr) {
		stats("rating keys (write+draw)", rate, nr)
		stats("  of which the write", write, nr)
		stats("  of which the draw", draw, nr)
	}
	if (no) stats("next prompt (Space)", other, no)
	if (na) {
		stats("all keys", all, na)
		printf "  targets: median < 5 ms, p99 < 20 ms\n"
	}
}' "$trace"
