#!/bin/sh
# valgrind.sh FEEDBENCH - the command-line paths under valgrind: any leak or
# memory error fails.  Prints "valgrind: N passed, N failed".
bin=$1
top=$(cd "$(dirname "$0")/.." && pwd)
fix="$top/tests/fixtures"
t=$(mktemp -d "${TMPDIR:-/tmp}/feedbench-vg.XXXXXX")
trap 'rm -rf "$t"' EXIT
export FEEDBENCH_DB="$t/vg.db" FEEDBENCH_PCRE2_JIT=0 XDG_CONFIG_HOME="$t" HOME="$t"
pass=0; fail=0
check() {
	valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		"$bin" "$@" > "$t/out" 2> "$t/err"
	if [ $? -eq 99 ]; then
		fail=$((fail + 1)); echo "valgrind found errors in: feedbench $*"; cat "$t/err"
	else
		pass=$((pass + 1))
	fi
}
printf '{"instruction":"bad \377","completions":[]}\n{"x":\n' > "$t/bad.jsonl"
check import "$fix/demo.jsonl" "$fix/h4.jsonl" "$fix/argilla.jsonl"
check import --rater alice "$fix/uf-small.jsonl" "$fix/uf-array.json"
check import "$t/bad.jsonl"
check import --strict "$t/bad.jsonl"
check export --format feedbench -o "$t/all.jsonl"
check --db "$t/two.db" import "$t/all.jsonl"
check stats
check stats --format json --dataset demo
check search -i 'prime|escape' --in all
check search '(a|aa)+$'
check rubrics honesty
for extra in "$top"/tests/valgrind.d/*.sh; do
	[ -f "$extra" ] && . "$extra"
done
mkdir -p "$top/tests/out"
echo "$pass $fail" >> "$top/tests/out/results"
echo "valgrind: $pass passed, $fail failed"
[ $fail -eq 0 ]
