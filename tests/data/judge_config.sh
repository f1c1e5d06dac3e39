# The LLM judge's settings: usage errors, the key only from the environment,
# plain http refused, endpoint profiles (malformed lines, prices, limits per
# minute, Azure, max_completion_tokens), and --reparse after a pattern fix.
. "$FIX/../data/lib.inc"
. "$FIX/../data/judge.inc"
"$FB" import --dataset demo "$FIX/demo.jsonl" > /dev/null 2>&1
unset OPENAI_API_KEY
echo "-- usage errors"
run "$FB" judge
run "$FB" judge --model m --api-key sk-leaked-on-argv-123 2>&1 | sed 's/sk-leaked-on-argv-123/KEY-LEAKED/'
run "$FB" judge --model m --api-key=sk-leaked-on-argv-123 2>&1 | sed 's/sk-leaked-on-argv-123/KEY-LEAKED/'
run "$FB" judge --model m --api-key-env sk-leaked-on-argv-123 2>&1 | sed 's/sk-leaked-on-argv-123/KEY-LEAKED/'
run "$FB" judge --model m --api-k sk-leaked-on-argv-123 2>&1 | sed 's/sk-leaked-on-argv-123/KEY-LEAKED/'
run "$FB" judge --model m --aspect nosuch
run "$FB" judge --model m --batch-out a.jsonl --batch-in b.jsonl
run "$FB" judge --model m --concurrency 0
run "$FB" judge --model m extra
echo "-- no key for a remote endpoint; plain http refused off this machine"
run "$FB" judge --model gpt-4o
run "$FB" judge --model gpt-4o --api-key-env MY_JUDGE_KEY
OPENAI_API_KEY=k run "$FB" judge --model m --base-url http://judge.example.com/v1
OPENAI_API_KEY=k run "$FB" judge --model m --base-url ftp://judge.example.com/v1
OPENAI_API_KEY=k run "$FB" judge --model m --base-url https://me:sk-pass@judge.example.com/v1
printf 'k\001ey' > ctl.txt
OPENAI_API_KEY=$(cat ctl.txt) run "$FB" judge --model m
echo "-- profiles: a missing file, a malformed line, an unknown profile"
run "$FB" judge --profile local
mkdir -p "$XDG_CONFIG_HOME/feedbench"
conf="$XDG_CONFIG_HOME/feedbench/endpoints.conf"
printf '[local]\nurl = http://127.0.0.1:1/v1\nconcurency = 4\n' > "$conf"
run "$FB" judge --profile local
printf '[local]\nrpm = fast\n' > "$conf"
run "$FB" judge --profile local
printf '[a]\nkey-env = sk-this-is-a-key-not-a-name\n' > "$conf"
run "$FB" judge --profile a 2>&1 | sed 's/sk-this-is-a-key-not-a-name/KEY-LEAKED/'
printf '# endpoints\n[one]\nurl = https://x.example/v1\n[two]\nurl = https://y.example/v1\n' > "$conf"
run "$FB" judge --profile three
start_fake
cat > "$conf" <<EOF
# a local judge with prices and limits
[local]
url = $URL
model = fake
concurrency = 2
price-in = 0.5      # dollars per 1,000 prompt tokens
price-out = 2
rpm = 600
token-field = max_completion_tokens

[azure]
api = azure
url = https://myres.openai.azure.com/openai/deployments/gpt4o
api-version = 2024-10-21
key-env = AZURE_OPENAI_API_KEY
EOF
echo "-- a profile: URL, model, concurrency, prices, token field, 600 requests/minute"
judge --profile local --limit 4 --aspect honesty
"$FB" judge --profile local --limit 1 --aspect honesty --redo --dry-run | grep -o '"max_completion_tokens":500'
echo "-- 240 requests a minute: four at once (a second's worth), then one every 0.25 s"
printf '[slow]\nurl = %s\nmodel = fake\nrpm = 240\n' "$URL" > "$conf"
judge --profile slow --limit 6 --aspect helpfulness --rater slow | grep -v '^  time'
python3 - "$T/requests.log" <<'EOF'
import json, sys
t = [json.loads(l)["time"] for l in open(sys.argv[1])][-6:]
print("six requests spread over at least 0.4 s: %s" % (max(t) - min(t) >= 0.4))
EOF
echo "-- Azure: api-key header and api-version (dry run)"
printf '[azure]\napi = azure\nurl = https://myres.openai.azure.com/openai/deployments/gpt4o\napi-version = 2024-10-21\nkey-env = AZURE_OPENAI_API_KEY\n' > "$conf"
AZURE_OPENAI_API_KEY=az-secret-123 "$FB" judge --profile azure --model gpt4o --limit 1 --aspect honesty --dry-run > az.txt
sed -n 1,3p az.txt
grep -c 'az-secret-123' az.txt || true
run "$FB" judge --model gpt4o --base-url https://myres.openai.azure.com/openai/deployments/gpt4o --dry-run --limit 1
"$FB" judge --model gpt4o --base-url 'https://myres.openai.azure.com/openai/deployments/gpt4o?api-version=2024-06-01' --dry-run --limit 1 --aspect honesty | head -n 3
echo "-- --reparse: replies read with a broken pattern, then again after the fix"
mkdir bad
sed 's/rating \[\*_\]\* \[ \\t\]\* :/score [*_]* [ \\t]* :/' "$FIX/../../rubrics/honesty.rubric" > bad/honesty.rubric
grep -c 'score \[' bad/honesty.rubric
FEEDBENCH_RUBRICS=$T/bad run "$FB" judge --base-url "$URL" --model fake --rater fixme --limit 3 --aspect honesty --max-retries 0 2>&1 | maskport | grep -v '^  time'
q "SELECT status, count(*) FROM judge_call j JOIN rater r ON r.id = j.rater_id WHERE r.name = 'fixme' GROUP BY 1"
n0=$(nreq)
run "$FB" judge --reparse --rater fixme
echo "new requests: $(( $(nreq) - n0 ))"
q "SELECT status, count(*), sum(reason IS NULL) FROM judge_call j JOIN rater r ON r.id = j.rater_id WHERE r.name = 'fixme' GROUP BY 1"
check_values fixme
run "$FB" judge --reparse --rater nobody
run "$FB" judge --reparse --rater fixme --dry-run
