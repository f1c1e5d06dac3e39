#!/bin/sh
# export.sh FEEDBENCH - pair export at full scale against the Python standard-library
# reference (tests/bench/ref_export.py), same database, same selection: `--preset h4`
# and `--format trl --strategy all-pairs`.  Prints both times, feedbench's peak memory,
# the ratio, and whether the two files are byte-identical (they must be).
#
# Standalone: needs FB_BENCH_DATA (UltraFeedback-shaped JSONL) and FB_BENCH_DIR (scratch);
# the data set is imported into $FB_BENCH_DIR/export.db unless that is already there.
set -u
fb=$1
data=${FB_BENCH_DATA:?set FB_BENCH_DATA to a generated data set}
dir=${FB_BENCH_DIR:?set FB_BENCH_DIR to a scratch directory}
top=$(cd "$(dirname "$0")/../.." && pwd)
db=$dir/export.db
now() { date +%s.%N; }

if [ ! -s "$db" ]; then
	echo "importing $(basename "$data") into $db (once)..."
	rm -f "$db.tmp" "$db.tmp-wal" "$db.tmp-shm"
	"$fb" --db "$db.tmp" import --quiet --dataset bench "$data" || exit 1
	# a checkpointed, closed database: safe to rename
	mv "$db.tmp" "$db"
	rm -f "$db.tmp-wal" "$db.tmp-shm"
fi
prompts=$(sqlite3 "$db" "SELECT count(*) FROM prompt")

# bench NAME FEEDBENCH-ARGS... -- REF-MODE: time both, compare the files
bench() {
	name=$1
	shift
	fbargs=""
	while [ "$1" != "--" ]; do fbargs="$fbargs $1"; shift; done
	mode=$2
	rm -f "$dir/fb-$name.jsonl" "$dir/ref-$name.jsonl"
	sync
	t0=$(now)
	# shellcheck disable=SC2086
	/usr/bin/time -f '%M' -o "$dir/rss" "$fb" --db "$db" export $fbargs -o "$dir/fb-$name.jsonl" \
		2> "$dir/fb-$name.log" || { cat "$dir/fb-$name.log"; return 1; }
	t1=$(now)
	python3 "$top/tests/bench/ref_export.py" "$db" "$mode" "$dir/ref-$name.jsonl" || return 1
	t2=$(now)
	fb_s=$(echo "$t1 - $t0" | bc -l)
	ref_s=$(echo "$t2 - $t1" | bc -l)
	rss=$(awk '{ printf "%.0f", $1 / 1024 }' "$dir/rss")
	pairs=$(wc -l < "$dir/fb-$name.jsonl")
	mb=$(( $(wc -c < "$dir/fb-$name.jsonl") / 1048576 ))
	if cmp -s "$dir/fb-$name.jsonl" "$dir/ref-$name.jsonl"; then same=yes; else same=NO; fi
	printf '%-9s feedbench %6.2f s (peak %s MB)   python reference %6.2f s   ratio %5.2fx   %s pairs, %s MB, identical: %s\n' \
		"$name" "$fb_s" "$rss" "$ref_s" "$(echo "$ref_s / $fb_s" | bc -l)" "$pairs" "$mb" "$same"
	rm -f "$dir/fb-$name.jsonl" "$dir/ref-$name.jsonl" "$dir/fb-$name.manifest.json" "$dir/rss"
}

printf 'data: %s prompts in %s\n' "$prompts" "$(basename "$db")"
bench h4 --preset h4 -- h4
bench all-pairs --format trl --strategy all-pairs -- all-pairs
echo "targets: under 3 s each at 64k prompts, at least 3x faster than the reference"
