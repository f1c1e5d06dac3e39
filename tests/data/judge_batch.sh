# Batch API round trip: --batch-out writes the requests, a provider's output
# files are made from them by the fake server's own answering logic (lines
# shuffled, split in two, with an expired request, an unreadable answer, a
# server error and junk), --batch-in stores them; the ratings equal those of
# the same judge asked online.
. "$FIX/../data/lib.inc"
. "$FIX/../data/judge.inc"
"$FB" import --dataset demo "$FIX/demo.jsonl" > /dev/null 2>&1
unset OPENAI_API_KEY
echo "-- --batch-out: no key needed, nothing sent"
run "$FB" judge --model gpt-4o --limit 6 --batch-out batch.jsonl
wc -l < batch.jsonl
head -n 1 batch.jsonl | cut -c 1-120
python3 - batch.jsonl <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
ids = [l["custom_id"] for l in lines]
print("distinct custom_ids: %d; methods %s; urls %s; models %s" % (len(set(ids)),
      sorted({l["method"] for l in lines}), sorted({l["url"] for l in lines}),
      sorted({l["body"]["model"] for l in lines})))
EOF
q "SELECT count(*) FROM rater WHERE name = 'gpt-4o'"
echo "-- the provider's output, made by the fake server's logic"
python3 - "$FIX/../fake_llm.py" batch.jsonl <<'EOF'
import importlib.util, json, random, sys
spec = importlib.util.spec_from_file_location("fake_llm", sys.argv[1])
fake = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fake)
out = []
for i, line in enumerate(open(sys.argv[2])):
    req = json.loads(line)
    user = [m["content"] for m in req["body"]["messages"] if m["role"] == "user"][0]
    text = fake.critique_answer(user) if "Overall Score" in user else fake.rating_answer(user)
    rec = {"id": "batch_req_%d" % i, "custom_id": req["custom_id"], "error": None,
           "response": {"status_code": 200, "request_id": "req_%d" % i, "body": {
               "id": "chatcmpl-%d" % i, "object": "chat.completion", "model": "gpt-4o-2024-08-06",
               "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                            "finish_reason": "stop"}],
               "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}}}}
    if i == 0:
        rec["response"] = None
        rec["error"] = {"code": "batch_expired", "message": "This request could not be "
                        "executed before the completion window expired."}
    elif i == 1:
        rec["response"]["body"]["choices"][0]["message"]["content"] = "All four are fine."
    elif i == 2:
        rec["response"] = {"status_code": 500, "request_id": "req_2", "body": {"error": {
            "message": "The server had an error", "type": "server_error", "code": None}}}
    out.append(json.dumps(rec))
random.Random(7).shuffle(out)
out.insert(3, "this is not JSON")
out.insert(5, json.dumps({"custom_id": "request-1", "response": None, "error": None}))
out.insert(6, json.dumps({"custom_id": "fb:999:honesty:1.2.3.4", "response": None,
                          "error": {"code": "x", "message": "y"}}))
half = len(out) // 2
open("out-a.jsonl", "w").write("\n".join(out[:half]) + "\n")
open("out-b.jsonl", "w").write("\n".join(out[half:]) + "\n")
EOF
echo "-- --batch-in: any order, several files, bad lines reported"
run "$FB" judge --model gpt-4o --batch-in out-b.jsonl out-a.jsonl
q "SELECT via, status, count(*), sum(prompt_tokens), min(model) FROM judge_call GROUP BY 1, 2 ORDER BY 1, 2"
q "SELECT name, kind, model, endpoint FROM rater WHERE name = 'gpt-4o'"
check_values gpt-4o
echo "-- again: all stored before"
run "$FB" judge --model gpt-4o --batch-in out-a.jsonl out-b.jsonl | grep '^batch-in\|^rc'
echo "-- the same judge asked online: the same ratings"
start_fake
judge --model fake --limit 6 | grep '^rc'
q "SELECT count(*), sum(b.value IS NOT o.value OR b.na <> o.na OR b.types IS NOT o.types)
   FROM rating b JOIN rating o ON o.completion_id = b.completion_id AND o.aspect_id = b.aspect_id
   JOIN rater rb ON rb.id = b.rater_id JOIN rater ro ON ro.id = o.rater_id
   WHERE rb.name = 'gpt-4o' AND ro.name = 'fake'"
echo "-- what is left to ask (the same requests: the cache knows the answered ones)"
"$FB" judge --model gpt-4o --limit 6 --dry-run | tail -n 1
echo "-- critiques by batch"
run "$FB" judge --model gpt-4o --critique --limit 1 --batch-out crit.jsonl | head -n 1
grep -o '"custom_id":"[^"]*"' crit.jsonl
