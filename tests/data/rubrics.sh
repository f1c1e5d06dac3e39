# Aspects are data: a fifth aspect from a rubric file, and malformed rubrics refused.
. "$FIX/../data/lib.inc"
mkdir -p extra bad
cat > extra/verbosity.rubric <<'R'
# HelpSteer2-style verbosity, 0-4
name: verbosity
title: Verbosity
scale: 0 4
na: no
level 0: Terse.
level 4: Very long.
R
FEEDBENCH_RUBRICS="$T/extra" run "$FB" rubrics
echo '{"instruction":"q","completions":[{"response":"a","annotations":{"verbosity":{"Rating":"0","Rationale":"short"},"helpfulness":{"Rating":"9","Rationale":"off scale"},"novelty":{"Rating":"3"}}}]}' > v.jsonl
FEEDBENCH_RUBRICS="$T/extra" run "$FB" import v.jsonl
q "SELECT a.name, a.scale_min, a.scale_max, x.value, x.rationale FROM rating x JOIN aspect a ON a.id = x.aspect_id ORDER BY a.name"
printf 'name: broken\nscale: 5 1\n' > bad/broken.rubric
FEEDBENCH_RUBRICS="$T/bad" run "$FB" rubrics
printf 'name: broken\nscale: 1 5\nwhat is this\n' > bad/broken.rubric
FEEDBENCH_RUBRICS="$T/bad" run "$FB" stats
printf 'name: Broken Name\nscale: 1 5\n' > bad/broken.rubric
FEEDBENCH_RUBRICS="$T/bad" run "$FB" rubrics
printf 'name: t\nscale: 1 5\nformat: type-rating\n' > bad/broken.rubric
FEEDBENCH_RUBRICS="$T/bad" run "$FB" rubrics
run "$FB" rubrics truthfulness
