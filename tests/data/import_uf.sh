# UltraFeedback raw records: ratings, N/A, "4/5", Type variants, critiques, answers.
. "$FIX/../data/lib.inc"
run "$FB" import --dataset small "$FIX/uf-small.jsonl"
echo "-- ratings: source idx aspect value na types rationale2"
q "SELECT p.source, c.idx, a.name, x.value, x.na, x.types, x.rationale2 FROM rating x
   JOIN completion c ON c.id = x.completion_id JOIN prompt p ON p.id = c.prompt_id
   JOIN aspect a ON a.id = x.aspect_id ORDER BY p.id, c.idx, a.id"
echo "-- critiques"
q "SELECT c.idx, r.name, k.text, k.overall_score, k.fine_grained_score FROM critique k
   JOIN completion c ON c.id = k.completion_id JOIN rater r ON r.id = k.rater_id ORDER BY k.id"
echo "-- prompts"
q "SELECT source, correct_answers, incorrect_answers, length(hash) FROM prompt ORDER BY id"
q "SELECT name, kind FROM rater"
echo "-- again: nothing added"
run "$FB" import --dataset small "$FIX/uf-small.jsonl"
q "SELECT count(*) FROM rating; SELECT count(*) FROM rating_history; SELECT count(*) FROM prompt"
echo "-- pre-release shape"
run "$FB" import "$FIX/uf-prerelease.jsonl"
q "SELECT p.external_id, a.name, x.value FROM rating x JOIN completion c ON c.id = x.completion_id
   JOIN prompt p ON p.id = c.prompt_id JOIN aspect a ON a.id = x.aspect_id
   WHERE p.external_id IS NOT NULL ORDER BY a.id"
q "SELECT d.name, count(*) FROM dataset d JOIN dataset_prompt dp ON dp.dataset_id = d.id GROUP BY d.id ORDER BY d.name"
echo "-- a response repeated within a record is one completion"
printf '{"instruction":"dup","completions":[{"response":"same"},{"response":"other"},{"response":"same","annotations":{"honesty":{"Rating":"2"}}}]}\n' > dup.jsonl
run "$FB" import dup.jsonl
q "SELECT c.idx, c.response, count(x.id) FROM completion c JOIN prompt p ON p.id = c.prompt_id
   LEFT JOIN rating x ON x.completion_id = c.id WHERE p.instruction = 'dup' GROUP BY c.id ORDER BY c.idx"
