# The published recipes on a hand-built fixture whose answers are worked out here.
#
# tests/fixtures/pairs.jsonl (UltraFeedback raw rows, rater gpt-4), per prompt:
#   sky   (sharegpt)   overall 7, 9, 9, 4; aspects m0 5,N/A,4,3 (mean 4: N/A left out,
#                      3 if it counted as 0), m1 5,5,4,5 (4.75), m2 5,5,5,4 (4.75), m3 2,2,1,3 (2)
#                      H4: chosen m1 (the FIRST 9), rejected one of m0, m2, m3 (m2 ties: kept)
#                      Argilla: chosen m1 (first 4.75), rejected m0 or m3, never m2 (a tie)
#   flat  (truthful_qa) both presets drop it (excluded_source)
#   primes (evol_instruct) all overall 6, all aspects 4
#                      H4: chosen m0, rejected one of m1..m3 (ties kept), margin 0
#                      Argilla: every mean ties: dropped (tie)
#   2 + 2 (flan_v2_cot) overall 3, 10; means 1, 5: both presets m1 over m0, margin 7 / 4
#   hello (ultrachat)  m0 has no score at all; m1 6 (mean 3), m2 3 (mean 2)
#                      both: m1 over m2; one completion without score
#   one   (sharegpt)   a single completion: dropped (missing_ratings)
# So H4: 4 pairs, dropped 1 excluded_source + 1 missing_ratings;
#    Argilla: 3 pairs, dropped 1 excluded_source + 1 tie + 1 missing_ratings.
. "$FIX/../data/lib.inc"
check() { python3 "$FIX/../data/pairs_check.py" "$@"; }
"$FB" import --quiet "$FIX/pairs.jsonl"
# prompt | chosen model > rejected model | scores | margin (from the argilla-shaped file)
show() { python3 -c '
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    print("%s | %s > %s | %s %s | %s" % (d["prompt"], d["chosen-model"], d["rejected-model"],
          d["chosen-rating"], d["rejected-rating"], d["provenance"]["margin"]))' "$1"; }

echo "-- H4 preset: the exact fields, in order"
run "$FB" export --preset h4 -o h4.jsonl
python3 -c '
import json
for line in open("h4.jsonl"):
    d = json.loads(line)
    print(list(d)[:7], d["chosen"][1]["content"], "over", d["rejected"][1]["content"],
          d["score_chosen"], d["score_rejected"])'
head -n 1 h4.jsonl
check check test.db --exclude-source truthful_qa h4.jsonl:h4
echo "-- prompt_id against sha256sum"
python3 -c '
import json
for i, line in enumerate(open("h4.jsonl")):
    d = json.loads(line)
    open("p%d" % i, "w", encoding="utf-8").write(d["prompt"])
    open("id%d" % i, "w").write(d["prompt_id"] + "  -\n")'
for i in 0 1 2 3; do sha256sum < p$i | cmp -s - id$i && echo "line $i: prompt_id = sha256sum"; done
echo "-- the H4 manifest counts"
python3 -c '
import json
m = json.load(open("h4.manifest.json"))
print(m["preset"], m["strategy"], m["score"], m["ties"], m["seed"], m["exclude_sources"])
print(json.dumps(m["counts"], sort_keys=True))'

echo "-- H4 over 40 seeds: the sky's rejected is uniform over the three others, ties kept"
for s in $(seq 1 40); do
	"$FB" export --preset h4 --format argilla --seed $s 2>/dev/null | grep '"Name a colour' |
		grep -o '"rejected-model":"m[0-9]"'
done | sort | uniq -c | awk '{ print $2, ($1 >= 5 ? "drawn often" : "drawn " $1 " times") }'

echo "-- Argilla preset"
run "$FB" export --preset argilla -o argilla.jsonl
show argilla.jsonl
check check test.db --exclude-source truthful_qa argilla.jsonl:argilla
python3 -c '
import json
m = json.load(open("argilla.manifest.json"))
print(m["preset"], m["strategy"], m["score"], m["ties"], m["exclude_sources"])
print(json.dumps(m["counts"], sort_keys=True))'
echo "-- Argilla over 40 seeds: the sky's rejected is m0 or m3, never the tied m2"
for s in $(seq 1 40); do
	"$FB" export --preset argilla --seed $s 2>/dev/null | grep '"Name a colour' |
		grep -o '"rejected-model":"m[0-9]"'
done | sort | uniq -c | awk '{ print $2, ($1 >= 5 ? "drawn often" : "drawn " $1 " times") }'

echo "-- --exclude-prompts: a TruthfulQA-style list, white space differs"
printf '  What   is 2\t+ 2?  \n\n{"prompt": "Say\\n hello."}\nNot in the data.\n' > tqa.txt
run "$FB" export --preset h4 --format argilla --exclude-prompts tqa.txt -o ex.jsonl
show ex.jsonl
python3 -c '
import json
m = json.load(open("ex.manifest.json"))
print(m["exclude_prompts"]["file"], m["exclude_prompts"]["prompts"], m["counts"]["dropped_prompts"])'
printf '{"text": "no prompt field"}\n' > bad.jsonl
run "$FB" export --preset h4 --exclude-prompts bad.jsonl -o never.jsonl
ls never* 2>/dev/null || echo "no file left"

echo "-- the same command twice: the same bytes"
mkdir first && mv h4.jsonl h4.manifest.json first/
"$FB" export --preset h4 -o h4.jsonl 2>/dev/null
cmp h4.jsonl first/h4.jsonl && cmp h4.manifest.json first/h4.manifest.json && echo identical
echo "-- a preset fixes its recipe"
run "$FB" export --preset h4 --strategy best-worst
run "$FB" export --preset h4 --ties drop
run "$FB" export --preset nosuch
