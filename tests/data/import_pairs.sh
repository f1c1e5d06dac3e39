# Binarized pairs: h4, argilla (both field spellings), trl (strings and messages).
. "$FIX/../data/lib.inc"
run "$FB" import "$FIX/h4.jsonl"
run "$FB" import "$FIX/argilla.jsonl"
run "$FB" import --rater pairs-team "$FIX/trl.jsonl"
echo "-- prompts"
q "SELECT id, instruction, source, external_id FROM prompt ORDER BY id"
echo "-- completions: prompt idx model response"
q "SELECT prompt_id, idx, model, response FROM completion ORDER BY prompt_id, idx"
echo "-- scores: rater overall fine"
q "SELECT c.prompt_id, c.idx, r.name, k.overall_score, k.fine_grained_score FROM critique k
   JOIN completion c ON c.id = k.completion_id JOIN rater r ON r.id = k.rater_id ORDER BY k.id"
echo "-- preferences: rater chosen rejected"
q "SELECT x.prompt_id, r.name, r.kind, c1.idx, c2.idx FROM preference x JOIN rater r ON r.id = x.rater_id
   JOIN completion c1 ON c1.id = x.chosen_id JOIN completion c2 ON c2.id = x.rejected_id ORDER BY x.id"
