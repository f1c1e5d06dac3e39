# Invariants of every strategy and pair format, checked by an independent reimplementation
# (tests/data/pairs_check.py, which recomputes every score from the database): chosen is
# the prompt's first best, chosen >= rejected (strictly when ties are dropped), margins,
# the pair count each strategy must give, exclusions and flags, agreement, prompt_id and
# the input digest.  Then: same seed same bytes, splits, re-import, easy-to-hard order.
. "$FIX/../data/lib.inc"
check() { python3 "$FIX/../data/pairs_check.py" "$@"; }
"$FB" import --quiet "$FIX/demo.jsonl" "$FIX/pairs.jsonl"
# a second rater who disagrees now and then; one prompt flagged
"$FB" import --quiet --rater alice "$FIX/demo.jsonl"
q "UPDATE critique SET overall_score = 11 - overall_score
     WHERE rater_id = (SELECT id FROM rater WHERE name = 'alice') AND completion_id % 3 = 0;
   UPDATE rating SET value = 6 - value
     WHERE rater_id = (SELECT id FROM rater WHERE name = 'alice') AND id % 4 = 0 AND value IS NOT NULL;
   INSERT INTO flag (prompt_id, rater_id, kind, reason, created_at)
     VALUES (3, (SELECT id FROM rater WHERE name = 'alice'), 'flag', 'unclear', '2026-01-01T00:00:00.000Z'),
            (4, (SELECT id FROM rater WHERE name = 'alice'), 'skip', '', '2026-01-01T00:00:00.000Z');"
echo "-- two raters: name one"
run "$FB" export --format trl

strategies="best-random best-worst best-all all-pairs per-aspect"
echo "-- every strategy x every format (gpt-4, overall, ties dropped)"
for s in $strategies; do
	for f in h4 argilla trl trl-chat kto; do
		"$FB" export --format $f --strategy $s --rater gpt-4 -o $s.$f.jsonl 2>> log
	done
done
sort log | uniq -c; rm log
check check test.db $(for s in $strategies; do for f in h4 argilla trl trl-chat kto; do
	echo $s.$f.jsonl:$f; done; done)

echo "-- mean score, ties kept, margin 0.5, sharegpt excluded, flagged excluded"
for s in $strategies; do
	run "$FB" export --format trl --strategy $s --rater gpt-4 --score mean --ties keep \
		--min-margin 0.5 --exclude-source sharegpt --exclude-flagged -o m.$s.jsonl
done
check check test.db --min-margin 0.5 --exclude-source sharegpt --exclude-flagged \
	$(for s in $strategies; do echo m.$s.jsonl:trl; done)
python3 -c '
import json
m = json.load(open("m.best-random.manifest.json"))
print(json.dumps(m["counts"]["dropped_prompts"], sort_keys=True))
print(json.dumps(m["counts"]["refused_candidates"], sort_keys=True))'
grep -c '"List three primes' m.all-pairs.jsonl || true

echo "-- consensus of two raters, a weighted mix, only where they agree"
for s in $strategies; do
	sc="helpfulness=2,honesty=1"
	[ $s != per-aspect ] || sc="helpfulness,honesty"
	run "$FB" export --format h4 --strategy $s --consensus gpt-4,alice --score "$sc" \
		--only-agreed -o c.$s.jsonl
done
check check test.db --only-agreed $(for s in $strategies; do echo c.$s.jsonl:h4; done)
python3 -c '
import json
m = json.load(open("c.best-all.manifest.json"))
print(m["raters"], m["score"], json.dumps(m["counts"]["refused_candidates"], sort_keys=True))'
echo "-- one aspect, fine-grained"
run "$FB" export --format argilla --rater alice --score truthfulness --strategy best-worst -o t.jsonl
run "$FB" export --format h4 --rater gpt-4 --score fine-grained --strategy best-all -o fg.jsonl
check check test.db t.jsonl:argilla fg.jsonl:h4

echo "-- same seed, same bytes; another seed, other pairs"
for s in $strategies; do
	"$FB" export --format trl --strategy $s --rater gpt-4 -o again.jsonl 2>/dev/null
	cmp again.jsonl $s.trl.jsonl && echo "$s: identical"
done
"$FB" export --format trl --rater gpt-4 --seed 7 -o seed7.jsonl 2>/dev/null
cmp -s seed7.jsonl best-random.trl.jsonl || echo "seed 7: different pairs"

echo "-- splits: exactly N test prompts, none in both, deterministic"
run "$FB" export --format trl-chat --strategy all-pairs --rater gpt-4 --test-size 5 -o sp.jsonl
ls sp.*
check splits sp.train.jsonl sp.test.jsonl trl-chat
check check test.db --partial sp.train.jsonl:trl-chat sp.test.jsonl:trl-chat
python3 -c '
import json
m = json.load(open("sp.manifest.json"))
print([(f["path"], f["split"], f["prompts"], f["pairs"]) for f in m["files"]], m["counts"]["pairs_written"])'
mkdir first && mv sp.train.jsonl sp.test.jsonl first/
"$FB" export --format trl-chat --strategy all-pairs --rater gpt-4 --test-size 5 -o sp.jsonl 2>/dev/null
cmp sp.train.jsonl first/sp.train.jsonl && cmp sp.test.jsonl first/sp.test.jsonl && echo "split: identical"
run "$FB" export --format h4 --rater gpt-4 --test-size 0.25 -o frac
python3 -c '
import json
m = json.load(open("frac.manifest.json"))
print([(f["path"], f["prompts"]) for f in m["files"]])'
check splits frac.train.jsonl frac.test.jsonl h4
run "$FB" export --format h4 --rater gpt-4 --test-size 500 -o toobig.jsonl
ls toobig* 2>/dev/null || echo "no file left"

echo "-- re-import gives the same pairs"
for f in h4 argilla trl trl-chat; do
	for s in best-all all-pairs; do
		rm -f re.db
		FEEDBENCH_DB=re.db "$FB" import --quiet $s.$f.jsonl
		check reimported re.db $s.$f.jsonl $f
	done
done

echo "-- easy to hard: margins never grow down the file"
run "$FB" export --format trl --strategy all-pairs --rater gpt-4 --easy-to-hard -o ez.jsonl
python3 -c '
import json
m = [json.loads(l)["provenance"]["margin"] for l in open("ez.jsonl")]
print(len(m), "pairs, margins", m[0], "down to", m[-1], "ordered:", m == sorted(m, reverse=True))'
sort ez.jsonl > a; sort all-pairs.trl.jsonl > b
cmp a b && echo "the same pairs as without the order"

echo "-- the checker is not vacuous: tampered files are caught"
python3 -c '
import json
lines = open("best-all.trl.jsonl").readlines()
d = json.loads(lines[0]); d["chosen"], d["rejected"] = d["rejected"], d["chosen"]
open("swapped.jsonl", "w").write(json.dumps(d) + "\n" + "".join(lines[1:]))
open("missing.jsonl", "w").write("".join(lines[1:]))
d = json.loads(lines[0]); d["provenance"]["margin"] += 1
open("margin.jsonl", "w").write(json.dumps(d) + "\n" + "".join(lines[1:]))'
for f in swapped missing margin; do
	check check test.db $f.jsonl:trl > out || echo "$f: caught: $(sed -n 2p out)"
done
