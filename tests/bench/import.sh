#!/bin/sh
# import.sh FEEDBENCH - import the generated data set with feedbench and with
# the Python standard-library reference (tests/bench/ref_import.py), same file,
# same durability (WAL, synchronous=NORMAL), fresh databases; print times,
# throughput, peak memory and the ratio.
set -u
fb=$1
data=$FB_BENCH_DATA
dir=$FB_BENCH_DIR
mb=$(( $(wc -c < "$data") / 1048576 ))
now() { date +%s.%N; }
# peak resident set of a command, in MB, via GNU time
peak() { /usr/bin/time -f '%M' -o "$dir/rss" "$@" && awk '{ printf "%.0f", $1 / 1024 }' "$dir/rss"; }

rm -f "$dir/fb.db" "$dir/fb.db-wal" "$dir/fb.db-shm" "$dir/ref.db" "$dir/ref.db-wal" "$dir/ref.db-shm"
sync
t0=$(now)
fb_rss=$(peak "$fb" --db "$dir/fb.db" import --quiet --dataset bench "$data")
t1=$(now)
ref_rss=$(peak python3 tests/bench/ref_import.py "$dir/ref.db" "$data" bench > /dev/null 2>&1; awk '{ printf "%.0f", $1 / 1024 }' "$dir/rss")
t2=$(now)
fb_s=$(echo "$t1 - $t0" | bc -l)
ref_s=$(echo "$t2 - $t1" | bc -l)
rows_fb=$(sqlite3 "$dir/fb.db" "SELECT count(*) FROM rating")
rows_ref=$(sqlite3 "$dir/ref.db" "SELECT count(*) FROM rating")
printf 'data: %s (%d MB, %s prompts)\n' "$(basename "$data")" "$mb" "$FB_BENCH_PROMPTS"
printf 'feedbench import:         %6.2f s  %6.1f MB/s  peak %s MB  (%s ratings)\n' "$fb_s" "$(echo "$mb / $fb_s" | bc -l)" "$fb_rss" "$rows_fb"
printf 'python stdlib reference:  %6.2f s  %6.1f MB/s  peak %s MB  (%s ratings)\n' "$ref_s" "$(echo "$mb / $ref_s" | bc -l)" "$ref_rss" "$rows_ref"
printf 'ratio: feedbench is %.2fx faster (target >= 3x; full size under 20 s; peak under 512 MB)\n' "$(echo "$ref_s / $fb_s" | bc -l)"
