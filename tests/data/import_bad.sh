# Hostile input: every bad record is named by file, line (and column) and reason;
# good records around it are imported; --strict imports nothing.
. "$FIX/../data/lib.inc"
good=$(head -n 1 "$FIX/uf-small.jsonl")
{
	echo "$good"
	echo '{"source":"x","instruction":5,"completions":[]}'
	echo '{"instruction":"no completions list","completions":{}}'
	echo '{"instruction":"bad completion","completions":["text"]}'
	echo '{"instruction":"bad response","completions":[{"response":7}]}'
	echo '{"instruction":"bad answers","correct_answers":3,"completions":[]}'
	echo 'not json at all'
	echo '{"instruction": "unterminated'
	printf '{"instruction":"bad \377 byte","completions":[]}\n'
	echo ''
	echo '   '
	echo '{"instruction":"trailing","completions":[]} junk'
	printf '{"instruction":"cut off","completions":[{"resp'
} > mixed.jsonl
run "$FB" import --dataset mixed mixed.jsonl
q "SELECT count(*) FROM prompt; SELECT count(*) FROM completion; SELECT count(*) FROM rating"
q "SELECT path, format, records, skipped FROM import_log"
echo "-- strict: nothing imported"
rm -f test.db*
run "$FB" import --strict --dataset mixed mixed.jsonl
q "SELECT count(*) FROM prompt; SELECT count(*) FROM rating"
echo "-- empty file and white space only"
: > empty.jsonl
printf '\n  \n' > blank.jsonl
run "$FB" import empty.jsonl blank.jsonl
echo "-- byte order mark"
run "$FB" import --dataset bom "$FIX/uf-bom.jsonl"
echo "-- JSON array, streamed; one bad element"
run "$FB" import --dataset arr "$FIX/uf-array.json"
q "SELECT p.instruction, c.response, x.value FROM rating x JOIN completion c ON c.id = x.completion_id
   JOIN prompt p ON p.id = c.prompt_id WHERE p.source = 'ultrachat' ORDER BY c.id"
echo "-- a broken array"
printf '[{"instruction":"a","completions":[]} {"x":1}]' > broken.json
run "$FB" import --format ultrafeedback broken.json
printf '[{"instruction":"only","completions":[]}' > open.json
run "$FB" import --format ultrafeedback open.json
echo "-- a 50 MB line is a record like any other"
{ printf '{"source":"big","instruction":"long one","completions":[{"response":"'
  head -c 50000000 /dev/zero | tr '\0' 'a'
  printf '"}]}\n'; } > big.jsonl
run "$FB" import --dataset big big.jsonl
q "SELECT length(c.response) FROM completion c JOIN prompt p ON p.id = c.prompt_id WHERE p.source = 'big'"
echo "-- unknown format, unknown file"
echo '{"hello":"world"}' > odd.jsonl
run "$FB" import odd.jsonl
run "$FB" import nosuch.jsonl
run "$FB" import --format nosuch odd.jsonl
echo "-- many bad records: the first 50 are listed, all are counted"
i=0; while [ $i -lt 60 ]; do echo "bad $i"; i=$((i + 1)); done > many.jsonl
"$FB" import --format ultrafeedback many.jsonl > many.out 2>&1 || echo "rc=$?"
grep -c 'malformed JSON' many.out
tail -n 2 many.out
