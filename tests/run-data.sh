#!/bin/sh
# run-data.sh FEEDBENCH [CASE...] - data-driven tests: each tests/data/NAME.sh runs
# feedbench on fixtures; its combined output (and exit codes it echoes) must
# equal tests/data/NAME.expected.  FEEDBENCH_GOLDEN=update rewrites the
# expected files (review the diff before committing!).
#
# A case sees: $FB (the binary), $FIX (tests/fixtures), $T (a fresh private
# directory, also the working directory), FEEDBENCH_DB=$T/test.db.
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
pass=0; fail=0; failed=""
mkdir -p "$top/tests/out"
for case in "$top"/tests/data/*.sh; do
	name=$(basename "$case" .sh)
	if [ $# -gt 0 ]; then
		case " $* " in *" $name "*) ;; *) continue ;; esac
	fi
	t=$(mktemp -d "${TMPDIR:-/tmp}/feedbench-data.XXXXXX")
	out="$top/tests/out/$name.out"
	( cd "$t" && FB="$bin" FIX="$top/tests/fixtures" T="$t" FEEDBENCH_DB="$t/test.db" \
		XDG_CONFIG_HOME="$t/config" HOME="$t" NO_COLOR=1 LC_ALL=C.UTF-8 \
		sh -e "$case" ) > "$out.raw" 2>&1
	echo "exit: $?" >> "$out.raw"
	# paths differ between checkouts: name them by role
	sed "s|$t|\$T|g; s|$top|\$TOP|g" "$out.raw" > "$out" && rm -f "$out.raw"
	exp="$top/tests/data/$name.expected"
	if [ "$FEEDBENCH_GOLDEN" = update ]; then
		cp "$out" "$exp"
	fi
	if cmp -s "$out" "$exp"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); failed="$failed $name"
		echo "--- data test $name failed: diff expected actual"
		diff -u "$exp" "$out" | head -n 60
	fi
	rm -rf "$t"
done
echo "$pass $fail" >> "$top/tests/out/results"
echo "data: $pass passed, $fail failed"
[ $fail -eq 0 ] || { echo "failing:$failed"; exit 1; }
