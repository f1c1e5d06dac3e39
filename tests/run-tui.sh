#!/bin/sh
# run-tui.sh PROG [CASE...] - run the TUI tests: each tests/tui/*.sh case
# drives PROG inside a private tmux server at a fixed size, and compares
# screens with tests/tui/golden/.  A case is a small sh script that sources
# tests/tui/lib.sh (the helpers, documented there) and exits non-zero on
# failure; it can also be run alone: sh tests/tui/NAME.sh.
#
#   sh tests/run-tui.sh ./feedbench                 every case
#   sh tests/run-tui.sh ./feedbench harness resize  the cases named so
#   FEEDBENCH_GOLDEN=update sh tests/run-tui.sh ./feedbench   (make golden)
#                                                   rewrite the golden screens
#   FEEDBENCH_TUI_TIMEOUT=20 ...                    seconds a wait may take (10)
#   FEEDBENCH_TUI_KEEP=1 ...                        keep every case's temp dir
#
# Prints "tui: N passed, N failed", appends "N_PASSED N_FAILED" to
# tests/out/results, exits 1 when a case failed.  A failing case's output
# and its temp directory (screens, database) are kept and named.

root=$(cd "$(dirname "$0")/.." && pwd) || exit 1
case ${1:-} in
"") echo "usage: run-tui.sh PROG [CASE...]" >&2; exit 2 ;;
/*) prog=$1 ;;
*) prog=$(pwd)/$1 ;;
esac
shift
cd "$root" || exit 1

mkdir -p tests/out/tui
pass=0
fail=0
failed=""

if ! command -v tmux >/dev/null 2>&1; then
	echo "tui: tmux not found (make deps-test installs it)"
	echo "0 1" >>tests/out/results
	echo "tui: 0 passed, 1 failed"
	exit 1
fi

# One private server for the run, its socket in a directory of our own
# (tmux leaves sockets behind); it is killed after each case, so every case
# starts from a fresh one, and on any exit.
TUI_SOCKET=feedbench-test-$$
TMUX_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/feedbench-tmux.XXXXXX") || exit 1
export TUI_SOCKET TMUX_TMPDIR
unset TMUX TMUX_PANE
trap 'tmux -L "$TUI_SOCKET" kill-server >/dev/null 2>&1; rm -rf "$TMUX_TMPDIR"' EXIT
trap 'exit 130' INT TERM

wanted() {
	[ $# -eq 0 ] && return 0
	for w in "$@"; do
		[ "$w" = "$name" ] && return 0
	done
	return 1
}

for case_file in tests/tui/*.sh; do
	[ -f "$case_file" ] || continue
	name=$(basename "$case_file" .sh)
	[ "$name" = lib ] && continue
	wanted "$@" || continue
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/feedbench-tui-$name.XXXXXX") || exit 1
	log=tests/out/tui/$name.log
	TUI_ROOT=$root TUI_PROG=$prog TUI_CASE=$name TUI_TMP=$tmp \
		sh "$case_file" >"$log" 2>&1 </dev/null
	rc=$?
	tmux -L "$TUI_SOCKET" kill-server >/dev/null 2>&1
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1))
		[ -n "${FEEDBENCH_TUI_KEEP:-}" ] || rm -rf "$tmp"
	else
		fail=$((fail + 1))
		failed="$failed $name"
		echo "--- tui case $name failed (exit $rc); its files are in $tmp"
		cat "$log"
	fi
done

echo "$pass $fail" >>tests/out/results
echo "tui: $pass passed, $fail failed"
if [ $fail -ne 0 ]; then
	echo "failing:$failed"
	exit 1
fi
exit 0
