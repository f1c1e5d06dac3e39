# The database: created on first use, --db / $FEEDBENCH_DB, newer schemas refused.
. "$FIX/../data/lib.inc"
run "$FB" --db other.db stats --format csv
q "PRAGMA user_version"
sqlite3 other.db "PRAGMA journal_mode"
[ "$(sqlite3 other.db "PRAGMA user_version")" -ge 1 ] && echo "schema applied"
sqlite3 other.db "PRAGMA user_version = 99"
run "$FB" --db other.db stats 2>&1 | sed 's/knows up to [0-9]*/knows up to N/'
echo "not a database, clearly" > junk.db
run "$FB" --db junk.db stats
echo "-- usage errors exit 2"
"$FB" > u.txt 2>&1 || echo "rc=$?"
head -n 1 u.txt
run "$FB" nosuch
"$FB" --bogus stats > u.txt 2>&1 || echo "rc=$?"
head -n 1 u.txt
run "$FB" import
run "$FB" stats --format yaml
run "$FB" import --rater-kind llm x.jsonl
