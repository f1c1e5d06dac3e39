#!/bin/sh
# run.sh - every benchmark, each against a named peer measured in the same run.
# Figures only: nothing here passes or fails a build.
#   FB_BENCH_PROMPTS=64000   size of the generated UltraFeedback-shaped data set
#   FB_BENCH_ONLY="import"   run only the named benchmarks
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
export FB_BENCH_PROMPTS="${FB_BENCH_PROMPTS:-64000}"
export FB_BENCH_DIR="$top/build/bench"
mkdir -p "$FB_BENCH_DIR"
cc -O2 -o "$FB_BENCH_DIR/gen" tests/bench/gen.c || exit 1
data="$FB_BENCH_DIR/uf-$FB_BENCH_PROMPTS.jsonl"
if [ ! -s "$data" ]; then
	echo "generating $FB_BENCH_PROMPTS prompts of UltraFeedback-shaped data..."
	"$FB_BENCH_DIR/gen" "$FB_BENCH_PROMPTS" 42 > "$data.tmp" && mv "$data.tmp" "$data"
fi
export FB_BENCH_DATA="$data"
for b in import tui judge stats export; do
	case " ${FB_BENCH_ONLY:-$b} " in *" $b "*) ;; *) continue ;; esac
	[ -f "tests/bench/$b.sh" ] || continue
	echo
	echo "== $b"
	if [ "$b" = tui ]; then
		# the database the import benchmark made: 64k prompts with GPT-4 ratings
		sh tests/bench/tui.sh "$top/feedbench" "$FB_BENCH_DIR/fb.db" "$FB_BENCH_PROMPTS"
	else
		sh "tests/bench/$b.sh" "$top/feedbench"
	fi || echo "(benchmark $b failed)"
done
