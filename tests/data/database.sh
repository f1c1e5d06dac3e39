# The database: created on first use, --db / $FEEDBENCH_DB, newer schemas refused.
. "$FIX/../data/lib.inc"
run "$FB" --db other.db stats --format csv
q "PRAGMA user_version"
sqlite3 other.db "PRAGMA journal_mode; PRAGMA user_version"
sqlite3 other.db "PRAGMA user_version = 99"
run "$FB" --db other.db stats
echo "not a database, clearly" > junk.db
run "$FB" --db junk.db stats
echo "-- usage errors exit 2"
run "$FB"
run "$FB" nosuch
run "$FB" --bogus stats
run "$FB" import
run "$FB" stats --format yaml
run "$FB" import --rater-kind llm x.jsonl
