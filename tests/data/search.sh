# PCRE2 search: fields, case, bad patterns with offsets, runaway patterns stopped.
. "$FIX/../data/lib.inc"
"$FB" import --quiet "$FIX/uf-small.jsonl"
run "$FB" search 'prime'
run "$FB" search -i 'MYTH' --in rationale
run "$FB" search 'seven years' --in prompt
run "$FB" search '\d+ = \d'
run "$FB" search 'a(b'
run "$FB" search '(?<=a+)b'
run "$FB" search --source truthful_qa 'years'
printf '{"instruction":"runaway","completions":[{"response":"%s!"}]}\n' "$(head -c 40 /dev/zero | tr '\0' a)" > r.jsonl
"$FB" import --quiet r.jsonl
run "$FB" search '(a|aa)+$' --in response
