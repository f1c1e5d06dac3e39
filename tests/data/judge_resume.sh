# The LLM judge stopped and started again: --limit then the rest, a run
# killed with SIGKILL, a run stopped with Ctrl-C (SIGINT).  Every answer
# received is kept, and the rerun asks only what was not answered.
. "$FIX/../data/lib.inc"
. "$FIX/../data/judge.inc"
"$FB" import --dataset demo "$FIX/demo.jsonl" > /dev/null 2>&1
start_fake --delay 0.03
ok_calls() { q "SELECT count(*) FROM judge_call j JOIN rater r ON r.id = j.rater_id
	WHERE r.name = '$1' AND j.status = 'ok'"; }
# answers the server sent more than once, for requests of this model
twice() {
	python3 - "$T/requests.log" "$1" <<'EOF'
import collections, json, sys
c = collections.Counter(r["body_sha"] for r in map(json.loads, open(sys.argv[1]))
                        if r["status"] == 200 and r["model"] == sys.argv[2])
print(sum(1 for n in c.values() if n > 1))
EOF
}
# wait until rater $1 has at least $2 answers
wait_for() {
	i=0
	while [ "$(ok_calls "$1")" -lt "$2" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
}

echo "-- --limit 3, then everything: 12 + 84 requests"
judge --model fake --limit 3 | grep -v '^  time'
echo "requests: $(nreq)"
judge --model fake | grep -v '^  time'
echo "requests: $(nreq)"
ok_calls fake

echo "-- killed with SIGKILL mid-run, then run again"
n0=$(nreq)
"$FB" judge --base-url "$URL" --model fake-k --concurrency 4 > kill1.txt 2>&1 &
pid=$!
wait_for fake-k 20
kill -9 $pid
wait $pid 2>/dev/null || true
got=$(ok_calls fake-k)
echo "answered before the kill: $([ "$got" -ge 20 ] && [ "$got" -lt 96 ] && echo 'some, not all' || echo "$got")"
judge --model fake-k --concurrency 4 > kill2.txt
grep -E '^rc=|tasks$' kill2.txt
n=$(( $(nreq) - n0 ))
echo "answers: $(ok_calls fake-k); requests in all: 96 to 100 (4 in flight at the kill): $([ $n -ge 96 ] && [ $n -le 100 ] && echo yes || echo "no: $n")"
echo "answered twice by the server: at most 4 (in flight at the kill): $([ "$(twice fake-k)" -le 4 ] && echo yes || echo no)"
q "SELECT count(*), count(DISTINCT request_hash) FROM judge_call j JOIN rater r ON r.id = j.rater_id
   WHERE r.name = 'fake-k'"
q "SELECT count(*) FROM rating r JOIN rater x ON x.id = r.rater_id WHERE x.name = 'fake-k'"
check_values fake-k

echo "-- Ctrl-C: in-flight requests cancelled, answers kept, rerun resumes"
n0=$(nreq)
"$FB" judge --base-url "$URL" --model fake-i --concurrency 4 > int1.txt 2>&1 &
pid=$!
wait_for fake-i 20
kill -INT $pid
wait $pid && rc=0 || rc=$?
echo "rc=$rc"
grep -c 'interrupted; the .* answers received are kept' int1.txt
got=$(ok_calls fake-i)
echo "answered before Ctrl-C: $([ "$got" -ge 20 ] && [ "$got" -lt 96 ] && echo 'some, not all' || echo "$got")"
judge --model fake-i --concurrency 4 > int2.txt
grep -E '^rc=' int2.txt
echo "answers: $(ok_calls fake-i); answered twice by the server: at most 4 (cancelled in flight): $([ "$(twice fake-i)" -le 4 ] && echo yes || echo no)"
q "SELECT count(*) FROM rating r JOIN rater x ON x.id = r.rater_id WHERE x.name = 'fake-i'"
