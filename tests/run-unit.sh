#!/bin/sh
# run-unit.sh BIN... - run cmocka unit tests, print "unit: N passed, N failed".
pass=0; fail=0; failed_bins=""
for t in "$@"; do
	out=$("$t" 2>&1); rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
	if [ $rc -ne 0 ] || [ -n "$f" ]; then
		printf '%s\n' "$out"
		[ -n "$f" ] || fail=$((fail + 1))
		failed_bins="$failed_bins $t"
	fi
done
mkdir -p tests/out
echo "$pass $fail" >> tests/out/results
echo "unit: $pass passed, $fail failed"
[ $fail -eq 0 ] || { echo "failing:$failed_bins"; exit 1; }
