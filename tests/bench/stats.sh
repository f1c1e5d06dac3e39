#!/bin/sh
# stats.sh FEEDBENCH - time `feedbench agreement` and `feedbench conflict`
# (plain and with --bootstrap 1000) against a reference computing the same
# figures in Python with numpy, scipy and scikit-learn (tests/bench/ref_stats.py,
# Debian's python3-numpy python3-scipy python3-sklearn) from the same sqlite
# database; print both times, the ratio, and whether the figures agree.
#
# Environment (set by tests/bench/run.sh):
#   FB_BENCH_DATA  UltraFeedback-shaped JSONL (tests/bench/gen.c)
#   FB_BENCH_DIR   scratch directory; the two-rater database is kept there
#                  (stats.db) and rebuilt when the data file changes.
# Two raters rate the same prompts and completions: gpt-4 (the file's own
# ratings) and "other" (the same file with some ratings moved by one point,
# deterministically, by sed).  FB_BENCH_RUNS (default 3): runs of each plain
# command, both sides; the shortest counts.  Targets (issue 5): agreement and conflict
# each under 2 s on 2 cores, at least 5x the reference; --bootstrap 1000
# under 30 s.  Figures only: nothing here fails a build.
set -u
fb=$1
data=$FB_BENCH_DATA
dir=$FB_BENCH_DIR
here=$(cd "$(dirname "$0")" && pwd)
ref="$here/ref_stats.py"
# Debian's interpreter, where the python3-* packages live (a pyenv or venv
# python3 earlier on PATH would not see them)
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
if ! "$py" -c 'import numpy, scipy, sklearn' 2>/dev/null; then
	echo "stats: the reference needs python3-numpy python3-scipy python3-sklearn (make deps-bench)"
	exit 1
fi

db="$dir/stats.db"
stamp="$(wc -c < "$data") $(basename "$data")"
if [ ! -s "$db" ] || [ "$(cat "$db.stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -f "$db" "$db-wal" "$db-shm" "$db.stamp"
	echo "building the two-rater database (two imports of $(basename "$data"))..."
	# (import exits 1 when it skips a bad record: the check below is what counts)
	"$fb" --db "$db" import --quiet --dataset bench "$data"
	# "other": the same records, a few ratings per line moved by one point
	sed -e 's/"Rating":"5"/"Rating":"4"/2' -e 's/"Rating":"2"/"Rating":"3"/1' \
	    -e 's/"Rating":"4"/"Rating":"5"/3' -e 's/"Rating":"1"/"Rating":"2"/2' \
	    -e 's/"Rating":"3"/"Rating":"2"/4' "$data" |
		"$fb" --db "$db" import --quiet --dataset bench --rater other -
	if [ "$(sqlite3 "$db" "SELECT count(DISTINCT rater_id) FROM rating")" != 2 ]; then
		echo "stats: building $db failed"
		exit 1
	fi
	echo "$stamp" > "$db.stamp"
fi

now() { date +%s.%N; }
secs=0
# timed N OUT CMD...: run CMD N times, stdout to OUT; the shortest wall time
# lands in $secs (the machine may be shared: the best run is the fair one,
# and both sides get the same number of runs)
timed() {
	n=$1
	out=$2
	shift 2
	secs=""
	while [ "$n" -gt 0 ]; do
		t0=$(now)
		"$@" > "$out" || echo "stats: failed: $*" >&2
		t1=$(now)
		s=$(echo "$t1 - $t0" | bc -l)
		if [ -z "$secs" ] || [ "$(echo "$s < $secs" | bc -l)" = 1 ]; then secs=$s; fi
		n=$((n - 1))
	done
}
row() { # row LABEL FB_SECS REF_SECS NOTE
	printf '%-30s %8.2f s %12.2f s %8.1fx  %s\n' "$1" "$2" "$3" "$(echo "$3 / $2" | bc -l)" "$4"
}

prompts=$(sqlite3 "$db" "SELECT count(*) FROM prompt")
ratings=$(sqlite3 "$db" "SELECT count(*) FROM rating WHERE value IS NOT NULL")
printf 'data: %s: %s prompts, raters gpt-4 (llm) and other (human), %s ratings; %s cores\n' \
	"$(basename "$data")" "$prompts" "$ratings" "$(nproc 2>/dev/null || echo '?')"

# warm the page cache for both sides alike
"$fb" --db "$db" agreement --format json > /dev/null

runs=${FB_BENCH_RUNS:-3}
timed "$runs" "$dir/fb-agree.json" "$fb" --db "$db" agreement --format json
fa=$secs
timed "$runs" "$dir/ref-agree.json" "$py" "$ref" agreement "$db"
ra=$secs
timed "$runs" "$dir/fb-conflict.json" "$fb" --db "$db" conflict --rater gpt-4 --format json
fc=$secs
timed "$runs" "$dir/ref-conflict.json" "$py" "$ref" conflict "$db" gpt-4
rc=$secs
timed 1 "$dir/fb-agree-b.json" "$fb" --db "$db" agreement --bootstrap 1000 --seed 1 --format json
fab=$secs
timed 1 "$dir/ref-agree-b.json" "$py" "$ref" agreement "$db" --bootstrap 1000 --seed 1
rab=$secs
timed 1 "$dir/fb-conflict-b.json" "$fb" --db "$db" conflict --rater gpt-4 --bootstrap 1000 --seed 1 --format json
fcb=$secs
timed 1 "$dir/ref-conflict-b.json" "$py" "$ref" conflict "$db" gpt-4 --bootstrap 1000 --seed 1
rcb=$secs

printf '%-30s %10s %14s %9s   (best of %s runs; bootstrap: one run)\n' "" "feedbench" "python ref" "ratio" "$runs"
row "agreement" "$fa" "$ra" "(target: under 2 s, >= 5x)"
row "conflict --rater gpt-4" "$fc" "$rc" "(target: under 2 s, >= 5x)"
row "agreement --bootstrap 1000" "$fab" "$rab" "(target: under 30 s)"
row "conflict --bootstrap 1000" "$fcb" "$rcb" "(target: under 30 s)"
for w in agree conflict agree-b conflict-b; do
	printf 'figures, %-11s ' "$w:"
	"$py" "$ref" compare "$dir/fb-$w.json" "$dir/ref-$w.json"
done
