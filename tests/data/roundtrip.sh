# export --format feedbench, import into an empty database, export again: same bytes.
. "$FIX/../data/lib.inc"
for f in uf-small.jsonl uf-prerelease.jsonl h4.jsonl argilla.jsonl trl.jsonl demo.jsonl demo-prerelease.jsonl; do
	[ ! -f "$FIX/$f" ] || "$FB" import --quiet "$FIX/$f" 2>/dev/null || true
done
"$FB" import --quiet --rater alice "$FIX/uf-small.jsonl"
# edits leave history; flags, progress and drafts travel too
q "UPDATE rating SET value = 3, updated_at = '2026-01-02T03:04:05.000Z' WHERE id = 1;
   UPDATE critique SET overall_score = 9, updated_at = '2026-01-02T03:04:06.000Z' WHERE id = 1;
   INSERT INTO flag (prompt_id, rater_id, kind, reason, created_at) VALUES (1, 2, 'flag', 'unclear', '2026-01-01T00:00:00.000Z');
   INSERT INTO progress (rater_id, prompt_id, shown_order, active_ms, finished_at, updated_at) VALUES (2, 1, '[1,0]', 4200, '2026-01-01T00:01:00.000Z', '2026-01-01T00:01:00.000Z');
   INSERT INTO draft (rater_id, completion_id, field, text, updated_at) VALUES (2, 1, 'rationale:honesty', 'half a thought', '2026-01-01T00:00:30.000Z');"
run "$FB" export --format feedbench -o one.jsonl
FEEDBENCH_DB="$T/two.db" run "$FB" import --quiet one.jsonl
FEEDBENCH_DB="$T/two.db" run "$FB" export --format feedbench -o two.jsonl
cmp one.jsonl two.jsonl && echo "byte-identical: $(wc -l < one.jsonl) lines"
echo "-- importing the export again adds nothing"
FEEDBENCH_DB="$T/two.db" run "$FB" import one.jsonl
FEEDBENCH_DB="$T/two.db" "$FB" export --format feedbench | cmp - one.jsonl && echo unchanged
echo "-- history, flags, progress and drafts are in the export"
grep -c '"replaced_at"' one.jsonl
grep -o '"flags":\[[^]]*\]' one.jsonl | grep -v '"flags":\[\]'
grep -o '"drafts":\[[^]]*\]' one.jsonl | grep -v '"drafts":\[\]'
echo "-- stdout when no -o; a failed export leaves no file"
"$FB" export --format feedbench | cmp - one.jsonl && echo same
run "$FB" export --format feedbench -o /nonexistent/dir/x.jsonl
run "$FB" export --format nosuch
