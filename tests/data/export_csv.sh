# --format csv: one row per rating and critique score; quoting, and cells starting with
# = + - @ made inert for spreadsheets (a leading apostrophe), numbers left as numbers.
. "$FIX/../data/lib.inc"
cat > hostile.jsonl <<'JSON'
{"source":"@evil","instruction":"=HYPERLINK(\"http://x\",\"click\")","completions":[{"model":"=cmd|' /C calc'!A0","response":"+1, then a comma","annotations":{"honesty":{"Rating":"N/A","Rationale":"n/a"},"helpfulness":{"Rating":"4","Rationale":"ok"}},"critique":"fine","overall_score":7.5},{"model":"m2","response":"line one\nline two \"quoted\"","annotations":{"honesty":{"Rating":"2","Rationale":"-"},"helpfulness":{"Rationale":"no rating"}},"overall_score":"3"}]}
{"source":"sharegpt","instruction":"-2 + 3","completions":[{"model":"m1","response":"plain","annotations":{"truthfulness":{"Rating":"5","Rationale":"r"}}}]}
JSON
"$FB" import --quiet hostile.jsonl
run "$FB" export --format csv -o ratings.csv
cat ratings.csv
echo "-- read back with Python's csv module: every cell, the apostrophe aside"
python3 -c '
import csv
rows = list(csv.reader(open("ratings.csv", newline="", encoding="utf-8")))
print(len(rows) - 1, "rows of", len(rows[0]), "cells:", rows[0])
for r in rows[1:]:
    print([c[1:] + " (inert)" if c[:2] in ("\x27=", "\x27+", "\x27-", "\x27@") else c for c in r[1:]])'
python3 -c '
import json
m = json.load(open("ratings.manifest.json"))
print(m["format"], m["strategy"], m["raters"], json.dumps(m["counts"], sort_keys=True), m["files"])'
echo "-- a rater, exclusions and a split work for rows too"
"$FB" import --quiet --rater bob "$FIX/uf-small.jsonl"
run "$FB" export --format csv --rater bob --exclude-source sharegpt --test-size 1 -o bob.csv
python3 -c '
import csv
files = ["bob.train.csv", "bob.test.csv"]
rows = {f: list(csv.reader(open(f, newline="", encoding="utf-8"))) for f in files}
for f in files:
    print(f, "header:", rows[f][0] == rows[files[0]][0], "rows:", len(rows[f]) - 1,
          "raters:", sorted({r[6] for r in rows[f][1:]}), "sources:", sorted({r[1] for r in rows[f][1:]}))
a, b = ({r[0] for r in rows[f][1:]} for f in files)
print("prompts in both:", len(a & b))'
echo "-- pair options do not apply to rows"
run "$FB" export --format csv --strategy best-worst
run "$FB" export --format csv --min-margin 1
