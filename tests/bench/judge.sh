#!/bin/sh
# judge.sh FEEDBENCH - the LLM judge's throughput: `feedbench judge` against a
# fake server that answers at once (tests/bench/fake_fast.c, C and epoll: the
# Python fake cannot serve thousands of requests a second), side by side with
# the official `openai` npm client (tests/bench/judge_npm.js) sending the same
# request bodies at the same concurrency to the same server.
#
# feedbench's time is its whole run: selecting prompts, building every request,
# the cache lookups, HTTP, reading the replies with the rubric patterns and
# committing ratings and raw replies.  The npm client only sends and reads.
# CPU is user + system time of the client process, per request.
#
# Env: FB_BENCH_DIR (scratch), FB_BENCH_DATA (UltraFeedback-shaped JSONL),
#      FB_BENCH_JUDGE_PROMPTS (default 2000: 8000 requests, four aspects),
#      FB_BENCH_CONCURRENCY (default 64).
set -u
fb=$1
dir=$FB_BENCH_DIR
data=$FB_BENCH_DATA
prompts=${FB_BENCH_JUDGE_PROMPTS:-2000}
conc=${FB_BENCH_CONCURRENCY:-64}
top=$(cd "$(dirname "$0")/../.." && pwd)

cc -O2 -o "$dir/fake_fast" "$top/tests/bench/fake_fast.c" || exit 1
if [ ! -f "$dir/npm/node_modules/openai/package.json" ]; then
	echo "installing the openai npm package into $dir/npm ..."
	mkdir -p "$dir/npm"
	npm install --prefix "$dir/npm" openai --no-audit --no-fund --silent >/dev/null 2>&1 ||
		echo "(npm install openai failed: the peer is left out)"
fi

db="$dir/judge.db"
rm -f "$db" "$db-wal" "$db-shm" "$dir/judge-req"*.jsonl "$dir/fake.port"
head -n "$prompts" "$data" > "$dir/judge-slice.jsonl"
"$fb" --db "$db" import --quiet --dataset bench "$dir/judge-slice.jsonl" || exit 1

"$dir/fake_fast" > "$dir/fake.port" &
fake=$!
trap 'rc=$?; kill $fake 2>/dev/null; wait $fake 2>/dev/null || true; exit $rc' EXIT INT TERM
i=0
while [ ! -s "$dir/fake.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
port=$(awk '{ print $2 }' "$dir/fake.port")
url="http://127.0.0.1:$port/v1"

# feedbench: the whole command, timed by GNU time (elapsed, user, system)
/usr/bin/time -f '%e %U %S' -o "$dir/fb.time" \
	"$fb" --db "$db" judge --model bench --base-url "$url" --concurrency "$conc" \
	> "$dir/fb.out" 2>&1 || { cat "$dir/fb.out"; exit 1; }
n=$(sqlite3 "$db" "SELECT count(*) FROM judge_call WHERE status = 'ok'")
read fb_s fb_u fb_sys < "$dir/fb.time"
fb_rps=$(echo "$n / $fb_s" | bc -l)
fb_cpu=$(echo "($fb_u + $fb_sys) * 1000 / $n" | bc -l)

# the same request bodies for the peer (--redo: all of them, answered or not)
"$fb" --db "$db" judge --model bench --rater bench-npm --base-url "$url" \
	--redo --batch-out "$dir/judge-req.jsonl" > /dev/null || exit 1

printf 'requests: %s (%s prompts x 4 aspects), concurrency %s, fake server answering at once\n' \
	"$n" "$prompts" "$conc"
printf 'feedbench judge:     %6.2f s  %7.0f requests/s  %6.3f ms CPU/request  (build, send, parse, store)\n' \
	"$fb_s" "$fb_rps" "$fb_cpu"
if [ -f "$dir/npm/node_modules/openai/package.json" ]; then
	ver=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$dir/npm/node_modules/openai/package.json" | head -n 1)
	NODE_PATH="$dir/npm/node_modules" node "$top/tests/bench/judge_npm.js" \
		"$dir/judge-req.jsonl" "$url" "$conc" > "$dir/npm.out" 2>&1 || { cat "$dir/npm.out"; exit 1; }
	np_s=$(sed -n 's/.*"seconds":\([0-9.]*\).*/\1/p' "$dir/npm.out")
	np_cpu_ms=$(sed -n 's/.*"cpu_ms":\([0-9.]*\).*/\1/p' "$dir/npm.out")
	np_ok=$(sed -n 's/.*"answered":\([0-9]*\).*/\1/p' "$dir/npm.out")
	np_rps=$(echo "$np_ok / $np_s" | bc -l)
	np_cpu=$(echo "$np_cpu_ms / $np_ok" | bc -l)
	printf 'openai npm %-8s  %6.2f s  %7.0f requests/s  %6.3f ms CPU/request  (send, read)\n' \
		"$ver:" "$np_s" "$np_rps" "$np_cpu"
	printf 'ratio: feedbench %.2fx the requests/s, %.2fx less CPU per request (targets: >= 1000 requests/s, ahead of npm)\n' \
		"$(echo "$fb_rps / $np_rps" | bc -l)" "$(echo "$np_cpu / $fb_cpu" | bc -l)"
fi
