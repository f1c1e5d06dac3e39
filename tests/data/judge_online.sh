# The LLM judge against the fake server: the demo set rated by the
# UltraFeedback protocol, values on the right completions despite the
# shuffle, the cache, --redo, critiques, and the key stored nowhere.
. "$FIX/../data/lib.inc"
. "$FIX/../data/judge.inc"
"$FB" import --dataset demo "$FIX/demo.jsonl" > /dev/null 2>&1
start_fake
export OPENAI_API_KEY=sk-fbtest-SECRET-7d1e0c
echo "-- dry run: the exact requests, the key shown as ***"
"$FB" judge --base-url "$URL" --model fake --limit 2 --aspect truthfulness --dry-run > dry.txt
sed -n 1,3p dry.txt | maskport
grep -c '^POST ' dry.txt
tail -n 1 dry.txt | maskport
echo "world knowledge blocks: $(grep -c 'World knowledge' dry.txt)"
echo "requests sent by the dry run: $(nreq)"
echo "-- the demo set, four aspects"
judge --model fake --concurrency 4 > run1.txt
cat run1.txt
echo "requests: $(nreq)"
check_values fake
q "SELECT aspect, status, count(*), sum(nparsed), min(attempts), max(attempts) FROM judge_call
   GROUP BY aspect, status ORDER BY aspect"
echo "-- the shown order is shuffled (seeded by prompt and aspect) and recorded"
q "SELECT count(*), sum(shown_order <> (SELECT json_group_array(id) FROM (SELECT id FROM completion
   WHERE prompt_id = j.prompt_id ORDER BY idx))) FROM judge_call j"
q "SELECT name, kind, model, endpoint FROM rater WHERE name = 'fake'" | maskport
echo "-- the same command again asks nothing"
judge --model fake
echo "requests: $(nreq)"
echo "-- --redo asks again"
judge --model fake --redo --limit 1 --aspect honesty
echo "requests: $(nreq)"
echo "-- critiques: one request per completion; fine-grained = mean of the rater's ratings"
judge --model fake --critique --limit 2 --aspect honesty
echo "requests: $(nreq)"
q "SELECT k.completion_id, k.overall_score, k.fine_grained_score = (SELECT avg(value) FROM rating
   WHERE completion_id = k.completion_id AND rater_id = k.rater_id), substr(k.text, 1, 30)
   FROM critique k JOIN rater r ON r.id = k.rater_id WHERE r.name = 'fake' ORDER BY 1"
check_critiques fake
echo "-- another rater, same requests: answers copied from the cache"
judge --model fake --rater fake-copy --limit 1
echo "requests: $(nreq)"
q "SELECT via, count(*) FROM judge_call GROUP BY via ORDER BY via"
check_values fake-copy
echo "-- the key went in a header and is stored nowhere"
echo "requests with an Authorization header: $(grep -c '"auth": true' "$T/requests.log")"
sqlite3 "$FEEDBENCH_DB" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
sqlite3 "$FEEDBENCH_DB" .dump > dump.sql
found=$(grep -l 'SECRET-7d1e0c' "$FEEDBENCH_DB"* dump.sql dry.txt run1.txt || true)
echo "files holding the key: ${found:-none}"
