# stats: counts, histograms, progress; table, json and csv agree.
. "$FIX/../data/lib.inc"
"$FB" import --quiet --dataset small "$FIX/uf-small.jsonl"
"$FB" import --quiet --dataset pairs "$FIX/h4.jsonl" 2>/dev/null || true
"$FB" stats | mask
"$FB" stats --format csv --dataset small | mask
"$FB" stats --format json --source truthful_qa > s.json
sqlite3 :memory: "SELECT json_extract(readfile('s.json'), '\$.sources[0].source'), json_extract(readfile('s.json'), '\$.histogram[0].count')"
run "$FB" stats --dataset nosuch
