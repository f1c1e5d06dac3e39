# The LLM judge when the judge misbehaves (tests/fake_llm.py on cue, from
# FAKE:MODE markers in tests/fixtures/judge.jsonl): unreadable and cut-off
# replies stored as such with their raw text, retries after 429 (its
# retry-after honoured), 500, a dropped or stalled connection, a 200 carrying
# an error, and quota / credit exhaustion stopping the run.
. "$FIX/../data/lib.inc"
. "$FIX/../data/judge.inc"
"$FB" import --dataset j "$FIX/judge.jsonl" > /dev/null 2>&1
start_fake --stall 5
calls() {
	q "SELECT j.status, j.attempts, j.http_status, j.nparsed || '/' || j.ntexts, j.reason
	   FROM judge_call j JOIN prompt p ON p.id = j.prompt_id WHERE p.source = '$1' ORDER BY j.id"
}
ratings() {
	q "SELECT c.idx, a.name, r.value, r.na, r.types FROM rating r JOIN completion c
	   ON c.id = r.completion_id JOIN prompt p ON p.id = c.prompt_id JOIN aspect a
	   ON a.id = r.aspect_id JOIN rater x ON x.id = r.rater_id
	   WHERE p.source = '$1' AND x.name = 'fake' ORDER BY c.idx, a.id"
}
echo "-- four aspects: ratings, N/A, types, mapped back to their completions"
judge --model fake --source plain
ratings plain
check_values fake
echo "-- an unreadable reply: stored as parse_failed with its raw text, asked 1 + 2 times"
judge --model fake --source malformed --aspect honesty
calls malformed
q "SELECT j.reply FROM judge_call j JOIN prompt p ON p.id = j.prompt_id
   WHERE p.source = 'malformed' LIMIT 1"
echo "ratings stored: $(ratings malformed | wc -l)"
echo "-- asked again next time? no: given up until --redo"
n0=$(nreq)
judge --model fake --source malformed --aspect honesty
echo "new requests: $(( $(nreq) - n0 ))"
echo "-- a reply cut off by the token limit: marked; the texts it holds are read"
judge --model fake --source cutoff --aspect honesty --max-retries 0
calls cutoff
q "SELECT finish_reason, length(reply) > 0 FROM judge_call WHERE status = 'cut_off'"
ratings cutoff
echo "-- 429 with retry-after-ms: 100: retried after waiting, counted"
judge --model fake --source r429 --aspect honesty
calls r429
python3 - "$T/requests.log" <<'EOF'
import json, sys
t = [json.loads(l)["time"] for l in open(sys.argv[1]) if "429-1-a" in l]
ok = len(t) == 2 and t[1] - t[0] >= 0.1
print("two attempts, at least 100 ms apart: %s" % ("yes" if ok else "no: %r" % t))
EOF
echo "-- 500: retried"
judge --model fake --source r500 --aspect honesty
calls r500
echo "-- a dropped connection: retried"
judge --model fake --source drop --aspect honesty
calls drop
echo "requests for it: $(grep -c 'drop-1-c' "$T/requests.log")"
echo "-- a stalled connection: times out (--timeout 1), retried"
judge --model fake --source stall --aspect honesty --timeout 1
calls stall
echo "-- HTTP 200 with an error body: recorded as an error, asked again"
judge --model fake --source err200 --aspect honesty
calls err200
ratings err200
echo "-- a server error every time: K retries, then reported"
n0=$(nreq)
run "$FB" judge --base-url "$URL" --model fake-500 --limit 1 --aspect honesty --max-retries 1 2>&1 |
	maskport
echo "new requests: $(( $(nreq) - n0 ))"
q "SELECT status, attempts, http_status FROM judge_call WHERE request_hash IN
   (SELECT request_hash FROM judge_call ORDER BY id DESC LIMIT 1)"
echo "-- out of quota (429 insufficient_quota) and out of credit (402): the run stops"
judge --model fake --source quota --aspect honesty
judge --model fake --source credit --aspect honesty
echo "-- quota exhausted mid-run: nothing more is asked"
n0=$(nreq)
run "$FB" judge --base-url "$URL" --model fake-quota --limit 5 --aspect honesty --concurrency 1 2>&1 |
	maskport | grep -v '^  time'
echo "new requests: $(( $(nreq) - n0 ))"
echo "-- all answers were committed: the statuses"
q "SELECT status, count(*) FROM judge_call GROUP BY status ORDER BY status"
