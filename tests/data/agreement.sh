# agreement: hand-computed figures on a small three-rater fixture; table,
# json and csv; edge cases (no overlap, N/A everywhere, one rater); bad options.
#
# The fixture (tests/fixtures/audit-agree-*.jsonl): three prompts with
# completions u1 u2 | u3 u4 u5 | u6, the same text in every file.
#
#   helpfulness       u1 u2 u3 u4 u5 u6
#     alice            5  4  3  2  1  4
#     bob              5  5  3  1  1  4
#     gpt-4 (llm)      5  4  2  .  .  .
#   honesty: N/A from alice and bob on every completion
#   instruction_following: alice rates u1 u2 (5 4), bob u3 u4 u5 (3 2 1):
#     no unit rated by both
#
# alice vs bob on helpfulness, by hand (6 units, no missing):
#   exact 4/6 = 0.666667, within1 6/6 = 1, mean_diff (0-1+0+1+0+0)/6 = 0,
#   mean_abs_diff 2/6 = 0.333333.
#   Marginals over 1..5: alice (1,1,1,2,1), bob (2,0,1,1,2).
#   Cohen: po = 4/6, pe = (2+0+1+2+2)/36 = 7/36, kappa = (24-7)/(36-7) =
#     17/29 = 0.586207.  Linear: sum |i-j| a_i b_j = 62, observed 2 (u2, u4),
#     kappa = 1 - 2*6/62 = 0.806452.  Quadratic: sum (i-j)^2 a_i b_j = 166,
#     kappa = 1 - 2*6/166 = 0.927711.
#   Spearman: mid-ranks alice (6,4.5,3,2,1,4.5), bob (5.5,5.5,3,1.5,1.5,4);
#     sxy = 15.75, sxx = 17, syy = 16.5: 15.75/sqrt(280.5) = 0.940403.
#   Kendall: C = 12, D = 0, n0 = 15, ties 1 (alice) and 2 (bob):
#     12/sqrt(14*13) = 0.889499.
#   Krippendorff, 12 values, counts over 1..5: (3,1,2,3,3); the coincidences
#     off the diagonal are (4,5), (5,4), (2,1), (1,2), one each.
#     nominal 1 - 11*4/(144-32) = 0.607143; interval 1 - 11*4/664 = 0.933735;
#     ordinal (delta(4,5) = 3^2, delta(1,2) = 2^2): 1 - 11*26/3276 = 0.912698;
#     ratio: 1 - 11*(20/81)/21.292494 = 0.872441.
#   Fleiss (m = 2): Pbar = 4/6, Pe = 32/144: (2/3-2/9)/(7/9) = 4/7 = 0.571429.
#
# All three raters on helpfulness: u1..u3 carry 3 ratings, u4..u6 2; Fleiss
# takes the most common count (a tie: the larger, 3) over u1..u3:
#   p = (0,1,2,2,4)/9, Pe = 25/81, P_u = 1, 1/3, 1/3: kappa = 20/56 = 0.357143.
#   Krippendorff: 15 pairable values, counts (3,2,2,4,4); off-diagonal
#   coincidences 1 each for (4,5), (5,4), (3,2), (2,3), (2,1), (1,2):
#   nominal 1 - 14*6/176 = 0.522727; interval 1 - 14*6/988 = 0.914980.
#   alice vs gpt-4 (u1..u3: 5 4 3 / 5 4 2): exact 2/3, mean_diff +1/3;
#   bob vs gpt-4 (5 5 3 / 5 4 2): exact 1/3, mean_diff +2/3.
. "$FIX/../data/lib.inc"
"$FB" import --quiet --dataset ag --rater alice "$FIX/audit-agree-alice.jsonl"
"$FB" import --quiet --dataset ag --rater bob "$FIX/audit-agree-bob.jsonl"
"$FB" import --quiet --dataset ag --rater gpt-4 --rater-kind llm "$FIX/audit-agree-gpt4.jsonl"

echo "-- alice and bob on helpfulness, json (every figure checked above)"
run "$FB" agreement --aspect helpfulness --raters alice,bob --format json

echo "-- every rater, every aspect with ratings: table (N/A everywhere, no overlap)"
run "$FB" agreement

echo "-- csv, helpfulness, three raters"
run "$FB" agreement --aspect helpfulness --format csv

echo "-- the rater order follows --raters; mean_diff changes sign"
"$FB" agreement --aspect helpfulness --raters bob,alice --format csv | grep -E 'figure|mean_diff'

echo "-- one rater: nothing pairs"
run "$FB" agreement --aspect helpfulness --raters alice --format json

echo "-- a source: src_b holds u3 u4 u5 only"
"$FB" agreement --aspect helpfulness --raters alice,bob --source src_b --format csv | grep -E 'exact|units|kappa,'

echo "-- bootstrap: intervals beside alpha and the kappas; the same seed gives the same numbers"
"$FB" agreement --aspect helpfulness --raters alice,bob --bootstrap 200 --seed 7 --format json > b1.json
"$FB" agreement --aspect helpfulness --raters alice,bob --bootstrap 200 --seed 7 --format json > b2.json
cmp b1.json b2.json && echo "same seed, same output"
grep -o '"[a-z_]*_ci"' b1.json | sort | uniq -c
"$FB" agreement --aspect helpfulness --raters alice,bob --bootstrap 200 --seed 7 | head -n 9

echo "-- errors: unknown names exit 1, bad usage 2"
run "$FB" agreement --aspect nosuch
run "$FB" agreement --raters alice,nosuch
run "$FB" agreement --dataset nosuch
run "$FB" agreement --source nosuch
run "$FB" agreement --format xml
run "$FB" agreement --raters alice,,bob
run "$FB" agreement --raters alice,alice
run "$FB" agreement --bootstrap 0
run "$FB" agreement --bootstrap many
run "$FB" agreement --seed 3
run "$FB" agreement --bootstrap 10 --seed -1
run "$FB" agreement stray
run "$FB" agreement --nosuch
"$FB" agreement --help | head -n 3
