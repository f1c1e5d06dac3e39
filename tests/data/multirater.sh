# Per-rater files build one multi-rater data set: same prompts, same completions.
. "$FIX/../data/lib.inc"
"$FB" import --quiet "$FIX/uf-small.jsonl"
run "$FB" import --rater alice "$FIX/uf-small.jsonl"
run "$FB" import --rater bob --rater-kind llm "$FIX/uf-small.jsonl"
q "SELECT count(*) FROM prompt; SELECT count(*) FROM completion"
q "SELECT r.name, r.kind, count(*) FROM rating x JOIN rater r ON r.id = x.rater_id GROUP BY r.id ORDER BY r.name"
echo "-- a rater keeps its kind"
run "$FB" import --rater alice --rater-kind llm "$FIX/uf-small.jsonl"
