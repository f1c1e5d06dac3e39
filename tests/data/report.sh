# report: the HTML report of the conflict fixture (see conflict.sh for the
# hand-computed figures), read back as a plain-text digest
# (tests/report-digest.py): every heading, table row and chart text.
# Data text is hostile here (a rater and a source named like markup) and
# must come out as text.  The file is written atomically.
#
# Agreement between bob and gpt-4 on the conflict fixture (7 units each,
# bob = gpt-4 except Q2): instruction_following identical (every figure 1);
# honesty differs on d1 (3 vs 4) and d2 (3 vs 2): exact 5/7 = 0.714, mean
# diff 0; truthfulness on d1 (4 vs 3) and d2 (4 vs 5): exact 0.714.
# The hostile rater repeats bob's ratings of the hostile prompt only.
. "$FIX/../data/lib.inc"
"$FB" import --quiet --dataset cf --rater gpt-4 --rater-kind llm "$FIX/audit-conflict-gpt4.jsonl"
"$FB" import --quiet --dataset cf --rater bob "$FIX/audit-conflict-bob.jsonl"
cat > hostile.jsonl <<'EOF'
{"source":"<script>alert('s')</script> & co","instruction":"A prompt from a hostile source","completions":[{"response":"one","annotations":{"honesty":{"Rating":"2"},"truthfulness":{"Rating":"4"}}},{"response":"two","annotations":{"honesty":{"Rating":"4"},"truthfulness":{"Rating":"2"}}}]}
EOF
"$FB" import --quiet --dataset cf --rater '<img src=x onerror=alert(1)>' hostile.jsonl

echo "-- the report"
run "$FB" report -o report.html --title 'Audit <of> "cf" & more'
head -c 16 report.html; echo
python3 "$FIX/../report-digest.py" report.html | mask
echo "-- the markup in the data is text"
grep -c '<img' report.html || true
grep -c '&lt;img src=x onerror=alert(1)&gt;' report.html
grep -c '&lt;script&gt;alert(&#39;s&#39;)&lt;/script&gt; &amp; co' report.html

echo "-- one rater's conflict, a source, a bootstrap"
run "$FB" report -o one.html --rater gpt-4 --source s1 --bootstrap 50 --seed 3
python3 "$FIX/../report-digest.py" one.html | grep -E '^(###|card|  Pareto|  adc|self)|conflict-matrix'

echo "-- to standard output"
"$FB" report -o - --dataset cf --aspect honesty | head -c 15; echo

echo "-- errors leave no file behind, and keep an old one"
run "$FB" report
run "$FB" report -o x.html --rater nosuch
run "$FB" report -o x.html --raters bob,nosuch
run "$FB" report -o x.html --aspect nosuch
run "$FB" report -o x.html --dataset nosuch
run "$FB" report -o x.html --source nosuch
run "$FB" report -o x.html --seed 4
run "$FB" report -o x.html --bootstrap 0
run "$FB" report -o x.html extra
run "$FB" report -o /nonexistent/dir/r.html
ls x.html 2>&1 || true
cp report.html before.html
run "$FB" report -o report.html --rater nosuch
cmp report.html before.html && echo "old report kept"
ls | grep -c tmp || true
"$FB" report --help | head -n 3
