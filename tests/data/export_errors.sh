# export: what is refused, with what message, and that a failed export leaves no file.
. "$FIX/../data/lib.inc"
"$FB" import --quiet "$FIX/uf-small.jsonl"
"$FB" import --quiet --rater alice "$FIX/uf-small.jsonl"
run "$FB" export
run "$FB" export --format nosuch
run "$FB" export --format trl --strategy nosuch --rater alice
run "$FB" export --format trl --score nosuch --rater alice
run "$FB" export --format trl --score helpfulness=-1 --rater alice
run "$FB" export --format trl --score helpfulness,helpfulness --rater alice
run "$FB" export --format trl --strategy per-aspect --score overall --rater alice
run "$FB" export --format trl --rater carol
run "$FB" export --format trl --rater alice --consensus alice,gpt-4
run "$FB" export --format trl --consensus alice
run "$FB" export --format trl --consensus alice,alice
run "$FB" export --format trl --rater alice --only-agreed
run "$FB" export --format trl --rater alice --ties maybe
run "$FB" export --format trl --rater alice --min-margin -1
run "$FB" export --format trl --rater alice --seed -3
run "$FB" export --format trl --rater alice --test-size 0
run "$FB" export --format trl --rater alice --test-size 1.5
run "$FB" export --format trl --rater alice --test-size 10
run "$FB" export --format trl --rater alice --easy-to-hard
run "$FB" export --format trl --rater alice --dataset nosuch
run "$FB" export --format trl --rater alice --exclude-prompts nosuch.txt
run "$FB" export --format feedbench --strategy best-worst
run "$FB" export --format feedbench --exclude-flagged
run "$FB" export --format trl --rater alice extra
echo "-- no rater has the scores the rule needs"
FEEDBENCH_DB=empty.db run "$FB" export --format trl
echo "-- a failed export leaves nothing behind"
run "$FB" export --format trl --rater alice -o /nonexistent/dir/x.jsonl
run "$FB" export --format trl --rater alice --test-size 1 -o one.jsonl
mkdir out && mkdir out/x.jsonl
run "$FB" export --format trl --rater alice -o out/x.jsonl
ls -A out
echo "-- the test file cannot be renamed: the train file already renamed is taken back"
"$FB" --db demo.db import --quiet "$FIX/demo.jsonl"
mkdir sp && mkdir sp/x.test.jsonl
run "$FB" --db demo.db export --format trl --strategy all-pairs --test-size 1 -o sp/x.jsonl
ls -A sp
echo "-- stdout: the pairs only; the counts on stderr"
"$FB" export --format trl --rater alice 2>err | wc -l
cat err
echo "-- output files get the usual permissions"
umask 022
"$FB" export --format trl --rater alice -o perm.jsonl 2>/dev/null
ls -l perm.jsonl perm.manifest.json | cut -c1-10
