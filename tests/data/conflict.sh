# conflict: every JSON field on a hand-computed fixture; consensus; --by
# rater, source, dataset; margins; 2 and 9 completions; bad options.
#
# tests/fixtures/audit-conflict-gpt4.jsonl, aspects IF (instruction_following),
# HO (honesty), TR (truthfulness), scale 1-5 (r = 4, r^2 = 16):
#   Q1 (source s1)  c1 5 2 4   c2 3 4 4   c3 1 1 2
#   Q2 (source s2)  d1 4 4 3   d2 4 2 5          (two completions)
#   Q3 (source s1)  e1 3 3 3   e2 2 2 1
# The five pairs, delta (IF, HO, TR) and pi with margin 1:
#   p1 c1-c2 ( 2,-2, 0) (+,-,0)    p2 c1-c3 (4,1,2) (+,+,+)
#   p3 c2-c3 ( 2, 3, 2) (+,+,+)    p4 d1-d2 (0,2,-2) (0,+,-)
#   p5 e1-e2 ( 1, 1, 2) (+,+,+)
# tie_rate IF 1/5 = 0.2, HO 0, TR 1/5 = 0.2.
# matrix IF/HO: C 3 (p2 p3 p5), D 1 (p1), T 1 (p4): conflict_rate 1/4,
#   conflict_rate_all 1/5, gamma 2/4 = 0.5, intensity (2*2/16)/5 = 0.05.
#   IF/TR: C 3, D 0, T 2: 0, 0, gamma 1, intensity 0.
#   HO/TR: C 3, D 1 (p4), T 1 (p1): 0.25, 0.2, 0.5, intensity (4/16)/5 = 0.05.
# directional IF->HO 1/4, IF->TR 0/4, HO->IF 1/5, HO->TR 1/5 (p4),
#   TR->IF 0/4, TR->HO 1/4.
# pareto_incomparable: p1 and p4 of 5 decisive pairs = 0.4.
# per prompt: Q1 1/3, Q2 1/1, Q3 0: mean 4/9 = 0.444444, prompts_with_conflict
#   2/3, histogram bins 0, 3 and 9 hold one prompt each.
# winner_disagreement: Q1 tops IF {c1}, HO {c2}, TR {c1,c2}: empty; Q2 IF
#   {d1,d2}, HO {d1}, TR {d2}: empty; Q3 all {e1}: 2/3.
# adc_proxy: overall label pi_o = sign(mean delta): p1 0, p2 +, p3 +, p4 0, p5 +.
#   A[HO][IF] = 3/4, A[TR][IF] = 3.5/4, A0[IF] = 3.5/4;
#   A[IF][HO] = 3.5/5, A[TR][HO] = 3.5/5, A0[HO] = 4/5;
#   A[IF][TR] = 3.5/4, A[HO][TR] = 3/4, A0[TR] = 3.5/4.
#   rel = (0.125^2 + 0 + 0.1^2 + 0.1^2 + 0 + 0.125^2)/6 = 0.00854167
#   abs = (0.25^2 + 0.125^2 + 0.3^2 + 0.3^2 + 0.125^2 + 0.25^2)/6 = 0.0560417
#
# bob (human) rates like gpt-4 except Q2: d1 4 3 4, d2 4 3 4 (all ties).
# Consensus of gpt-4 and bob: Q2 becomes d1 (4, 3.5, 3.5), d2 (4, 2.5, 4.5):
#   delta (0, 1, -1) still (0,+,-) at margin 1, so every figure is gpt-4's
#   but intensity HO/TR = (1*1/16)/5 = 0.0125.  At margin 1.5 the pairs are
#   p1 (+,-,0) p2 (+,0,+) p3 (+,+,+) p4 (0,0,0) p5 (0,0,+): tie_rate IF 0.4,
#   HO 0.6, TR 0.4; pareto 1 of 4 decisive = 0.25.
# bob alone: p4 is no longer decisive: pareto 1/4, HO/TR conflict 0.
#
# tests/fixtures/audit-nine.jsonl: one prompt, nine completions, IF = HO =
#   (1 2 3 4 5 1 2 3 4), TR = 6 - IF.  36 pairs, 4 tied on every aspect
#   (equal values); IF/HO: C 32, T 4; IF/TR and HO/TR: D 32, T 4: conflict
#   1, all 32/36, gamma -1, intensity sum(delta^2)/16/36 = 140/576 =
#   0.243056.  Every decisive pair is incomparable: pareto 1, prompt score
#   32/36 (bin 8).  Tops IF {5th}, TR {1st, 6th}: winners disagree.
#   A[IF][HO] = A[HO][IF] = 1, every A with TR 0; pi_o = pi_IF, so A0 =
#   (1, 1, 0): rel = (1 + 1)/6, abs = 4/6.
. "$FIX/../data/lib.inc"
"$FB" import --quiet --dataset cf --rater gpt-4 --rater-kind llm "$FIX/audit-conflict-gpt4.jsonl"
"$FB" import --quiet --dataset cf --rater bob "$FIX/audit-conflict-bob.jsonl"
"$FB" import --quiet --dataset nine --rater gpt-4 "$FIX/audit-nine.jsonl"

echo "-- gpt-4, json: every field"
run "$FB" conflict --dataset cf --rater gpt-4 --format json

echo "-- the same as a table"
run "$FB" conflict --dataset cf --rater gpt-4

echo "-- csv"
run "$FB" conflict --dataset cf --rater gpt-4 --format csv

echo "-- margin 0 equals margin 1 on whole ratings"
"$FB" conflict --dataset cf --rater gpt-4 --format json > m1.json
"$FB" conflict --dataset cf --rater gpt-4 --min-margin 0 --format json | sed 's/"min_margin":	0/"min_margin":	1/' > m0.json
cmp m0.json m1.json && echo same

echo "-- consensus of gpt-4 and bob"
"$FB" conflict --dataset cf --consensus gpt-4,bob --format csv | grep -E '^rater|intensity|pareto|tie_rate'
"$FB" conflict --dataset cf --consensus gpt-4,bob --format json | grep -A3 '"consensus"'
"$FB" conflict --dataset cf --consensus gpt-4,bob | head -n 2
echo "-- consensus at margin 1.5: fractional differences"
"$FB" conflict --dataset cf --consensus gpt-4,bob --min-margin 1.5 --format csv | grep -E 'pareto|tie_rate|decisive'

echo "-- by rater: human and LLM side by side"
run "$FB" conflict --dataset cf --by rater --aspect honesty --aspect truthfulness
"$FB" conflict --dataset cf --by rater --format json | grep -E '"(by|group|kind|rater|pareto_incomparable)"'

echo "-- by source (s1: Q1 and Q3; s2: Q2)"
"$FB" conflict --dataset cf --rater gpt-4 --by source --format csv | grep -E '^by|pareto|,pairs,'
echo "-- by dataset"
"$FB" conflict --rater gpt-4 --by dataset --format json | grep -E '"(group|prompts|pairs|pareto_incomparable)"'

echo "-- nine completions"
run "$FB" conflict --dataset nine --format csv

echo "-- one aspect: nothing to conflict with"
"$FB" conflict --dataset cf --rater gpt-4 --aspect honesty --format json | grep -E '"(rel|pareto_incomparable|matrix)"|notes'

echo "-- bootstrap: intervals; same seed, same numbers"
"$FB" conflict --dataset cf --rater gpt-4 --bootstrap 100 --seed 5 --format json > b1.json
"$FB" conflict --dataset cf --rater gpt-4 --bootstrap 100 --seed 5 --format json > b2.json
cmp b1.json b2.json && echo "same seed, same output"
grep -o '"[a-z_]*_ci"' b1.json | sort | uniq -c

echo "-- aspects of different scales cannot be compared"
mkdir -p rub
printf 'name: style\ntitle: Style\nscale: 1 10\nna: no\n' > rub/style.rubric
FEEDBENCH_RUBRICS=$T/rub run "$FB" conflict --dataset cf --rater gpt-4 --aspect honesty --aspect style

echo "-- errors"
run "$FB" conflict --dataset cf
run "$FB" conflict --rater nosuch
run "$FB" conflict --consensus gpt-4,nosuch
run "$FB" conflict --consensus gpt-4
run "$FB" conflict --rater gpt-4 --consensus gpt-4,bob
run "$FB" conflict --rater gpt-4 --by rater
run "$FB" conflict --rater gpt-4 --by prompt
run "$FB" conflict --rater gpt-4 --aspect nosuch
run "$FB" conflict --rater gpt-4 --min-margin -1
run "$FB" conflict --rater gpt-4 --min-margin x
run "$FB" conflict --rater gpt-4 --dataset nosuch
run "$FB" conflict --rater gpt-4 --format yaml
run "$FB" conflict --rater gpt-4 --seed 1
"$FB" conflict --help | head -n 4
