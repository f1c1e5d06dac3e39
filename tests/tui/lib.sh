# lib.sh - helpers for the TUI test cases (POSIX sh), sourced by each case:
#
#     . "$(dirname "$0")/lib.sh"
#     tui_demo                           # the demo data set into $TUI_DB
#     tui_start annotate --rater ann     # PROG --db $TUI_DB annotate ... at 80x24
#     tui_wait "1 of 4"                  # poll the screen until it shows this
#     tui_send 3 4 Down                  # tmux key names: Enter Up C-n F1 Escape
#     tui_expect_screen first            # compare with golden/CASE-first.txt
#     tui_resize 200 50
#     tui_sql_is "SELECT count(*) FROM rating" 16
#     tui_kill9
#
# A helper that fails prints why and the screen, and exits the case with
# status 1: a case is a plain list of steps.  No fixed sleeps: every wait
# polls (every 50 ms) until it holds or FEEDBENCH_TUI_TIMEOUT seconds (10)
# pass.
#
# Set by tests/run-tui.sh, defaulted here when a case is run by hand
# (sh tests/tui/NAME.sh, after make):
#   TUI_ROOT     the repository          TUI_PROG  the feedbench binary
#   TUI_CASE     this case's name        TUI_TMP   a fresh directory for it
#   TUI_SOCKET   the tmux server name (tmux -L), private to the run
# Set here:
#   TUI_DB       $TUI_TMP/test.db: a database no one has made yet
#   TUI_TARGET   the tmux session the helpers act on ("main"); a case may
#                start a second program by setting it to another name
#   TUI_ENV      extra VAR=value words for the program's environment (values
#                without blanks), e.g. TUI_ENV="EDITOR=$TUI_TMP/ed NO_COLOR=1"
#   TUI_GOLDEN   tests/tui/golden
#   TUI_MASK     a sed script applied to screens before they are compared
#                with (or written as) golden ones, for what may differ
#                from run to run: TUI_MASK='s/time [0-9]:[0-9][0-9]/time M:SS/'
#
# The program runs with a clean environment: PATH, HOME=$TUI_TMP/home,
# XDG_CONFIG_HOME=$TUI_TMP/config, TERM (tmux-256color), LANG and LC_ALL
# C.UTF-8, TMPDIR=$TUI_TMP, then TUI_ENV.  FEEDBENCH_GOLDEN=update makes
# tui_expect_screen write the golden screens instead of comparing them.

: "${TUI_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${TUI_PROG:=$TUI_ROOT/feedbench}"
: "${TUI_CASE:=$(basename "$0" .sh)}"
if [ -z "${TUI_TMP:-}" ]; then
	TUI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/feedbench-tui-$TUI_CASE.XXXXXX") || exit 1
	echo "files of this case: $TUI_TMP"
fi
if [ -z "${TUI_SOCKET:-}" ]; then
	TUI_SOCKET=feedbench-test-$$
	TMUX_TMPDIR=$TUI_TMP
	export TMUX_TMPDIR
	trap 'tmux -L "$TUI_SOCKET" kill-server >/dev/null 2>&1' EXIT
fi
TUI_DB=$TUI_TMP/test.db
TUI_TARGET=main
TUI_ENV=${TUI_ENV:-}
TUI_GOLDEN=$TUI_ROOT/tests/tui/golden
TUI_MASK=${TUI_MASK:-}
TUI_TIMEOUT=${FEEDBENCH_TUI_TIMEOUT:-10}
if infocmp tmux-256color >/dev/null 2>&1; then
	TUI_TERM=tmux-256color
else
	TUI_TERM=screen
fi
unset TMUX TMUX_PANE
mkdir -p "$TUI_TMP/home" "$TUI_TMP/config"
tui__server_up=

tui_tmux() {
	tmux -u -L "$TUI_SOCKET" -f /dev/null "$@"
}

# Print the message and the screen of TUI_TARGET, and end the case.
# To stderr, so that a failure inside $(...) is still seen.
tui_fail() {
	{
		echo "FAIL [$TUI_CASE]: $*"
		if tui_tmux has-session -t "=$TUI_TARGET" 2>/dev/null; then
			echo "--- screen of $TUI_TARGET ($(tui_size)):"
			tui_screen | sed 's/^/|/'
			echo "---"
		fi
	} >&2
	exit 1
}

# A progress note in the case's log.
tui_ok() {
	echo "ok: $*"
}

tui__nap() {
	sleep 0.05 2>/dev/null || sleep 1
}

# The server, with what makes screens reproducible: no status line (the
# pane is the whole window), dead panes kept to read their exit status,
# ESC passed on at once.
tui__server() {
	[ -n "$tui__server_up" ] && return 0
	tui_tmux start-server \; set -g exit-empty off \; set -g remain-on-exit on \
		\; set -g status off \; set -g escape-time 0 \; set -g history-limit 1000 \
		\; set -g default-terminal "$TUI_TERM" \; set -g default-size 80x24 ||
		tui_fail "cannot start tmux"
	tui__server_up=1
}

# tui_run [-s WxH] CMD [ARG...] - start CMD in session TUI_TARGET (80x24).
tui_run() {
	tui__w=80 tui__h=24
	if [ "${1:-}" = -s ]; then
		tui__w=${2%x*} tui__h=${2#*x}
		shift 2
	fi
	tui__server
	rm -f "$TUI_TMP/status.$TUI_TARGET"
	# A small shell runs the program and writes its exit status to a file:
	# tmux's own record of it (pane_dead_status) proved unreliable.
	# shellcheck disable=SC2086 # TUI_ENV is a list of words on purpose
	tui_tmux new-session -d -s "$TUI_TARGET" -x "$tui__w" -y "$tui__h" -- \
		sh -c 'st=$1; shift; "$@"; echo $? > "$st.tmp" && mv "$st.tmp" "$st"' sh \
		"$TUI_TMP/status.$TUI_TARGET" \
		env -i "PATH=$PATH" "HOME=$TUI_TMP/home" "XDG_CONFIG_HOME=$TUI_TMP/config" \
		"TERM=$TUI_TERM" LANG=C.UTF-8 LC_ALL=C.UTF-8 "TMPDIR=$TUI_TMP" $TUI_ENV "$@" ||
		tui_fail "cannot start $*"
}

# tui_start [-s WxH] ARG... - the program on the case's database.
tui_start() {
	if [ "${1:-}" = -s ]; then
		tui__s=$2
		shift 2
		tui_run -s "$tui__s" "$TUI_PROG" --db "$TUI_DB" "$@"
	else
		tui_run "$TUI_PROG" --db "$TUI_DB" "$@"
	fi
}

# tui_fb ARG... - the program outside tmux (import, export...), same
# environment and database; its output goes to stdout, its status is kept.
tui_fb() {
	# shellcheck disable=SC2086
	env -i "PATH=$PATH" "HOME=$TUI_TMP/home" "XDG_CONFIG_HOME=$TUI_TMP/config" \
		LANG=C.UTF-8 LC_ALL=C.UTF-8 "TMPDIR=$TUI_TMP" $TUI_ENV \
		"$TUI_PROG" --db "$TUI_DB" "$@"
}

# tui_send KEY... - tmux key names (Enter Escape Up BSpace C-n F1 a b ...).
tui_send() {
	tui_tmux send-keys -t "=$TUI_TARGET:" "$@" || tui_fail "send-keys $*"
}

# tui_type TEXT - TEXT literally, key by key (UTF-8 welcome).
tui_type() {
	tui_tmux send-keys -l -t "=$TUI_TARGET:" "$1" || tui_fail "send-keys -l $1"
}

# The screen as text, one line per row, trailing blanks trimmed.
tui_screen() {
	tui_tmux capture-pane -p -t "=$TUI_TARGET:"
}

# "WIDTHxHEIGHT" of the pane.
tui_size() {
	tui_tmux display-message -p -t "=$TUI_TARGET:" '#{pane_width}x#{pane_height}'
}

# tui_poll TEXT [SECS] - 0 once the screen contains TEXT, 1 after SECS.
tui_poll() {
	tui__n=$(( ${2:-$TUI_TIMEOUT} * 20 ))
	while :; do
		tui_screen | grep -qF -- "$1" && return 0
		[ "$tui__n" -le 0 ] && return 1
		tui__n=$((tui__n - 1))
		tui__nap
	done
}

# tui_wait TEXT [SECS] - like tui_poll, but a timeout fails the case.
tui_wait() {
	tui_poll "$@" || tui_fail "no \"$1\" on the screen after ${2:-$TUI_TIMEOUT}s"
}

# tui_wait_gone TEXT [SECS] - until the screen no longer contains TEXT.
tui_wait_gone() {
	tui__n=$(( ${2:-$TUI_TIMEOUT} * 20 ))
	while tui_screen | grep -qF -- "$1"; do
		[ "$tui__n" -le 0 ] && tui_fail "\"$1\" still on the screen after ${2:-$TUI_TIMEOUT}s"
		tui__n=$((tui__n - 1))
		tui__nap
	done
}

# The screen through TUI_MASK.
tui__masked() {
	if [ -n "$TUI_MASK" ]; then
		tui_screen | sed -e "$TUI_MASK"
	else
		tui_screen
	fi
}

# tui_screen_is FILE [SECS] - 0 once the screen (masked) equals FILE, else 1
# after SECS with a diff (expected, then actual) on stdout.
tui_screen_is() {
	tui__n=$(( ${2:-$TUI_TIMEOUT} * 20 ))
	while :; do
		tui__masked >"$TUI_TMP/screen.txt"
		cmp -s "$1" "$TUI_TMP/screen.txt" && return 0
		if [ "$tui__n" -le 0 ]; then
			diff -u "$1" "$TUI_TMP/screen.txt"
			return 1
		fi
		tui__n=$((tui__n - 1))
		tui__nap
	done
}

# The screen once two captures 100 ms apart agree (for writing goldens).
tui__settled() {
	tui__n=$(( TUI_TIMEOUT * 10 ))
	tui__masked >"$TUI_TMP/settle.a"
	while :; do
		sleep 0.1 2>/dev/null || sleep 1
		tui__masked >"$TUI_TMP/settle.b"
		cmp -s "$TUI_TMP/settle.a" "$TUI_TMP/settle.b" && break
		[ "$tui__n" -le 0 ] && tui_fail "the screen never settled"
		tui__n=$((tui__n - 1))
		mv "$TUI_TMP/settle.b" "$TUI_TMP/settle.a"
	done
	cat "$TUI_TMP/settle.b"
}

# tui_expect_screen NAME - the screen must equal tests/tui/golden/CASE-NAME.txt
# (waiting for it to get there); with FEEDBENCH_GOLDEN=update, write that file.
tui_expect_screen() {
	tui__g=$TUI_GOLDEN/$TUI_CASE-$1.txt
	if [ "${FEEDBENCH_GOLDEN:-}" = update ]; then
		mkdir -p "$TUI_GOLDEN"
		tui__settled >"$tui__g.tmp" && mv "$tui__g.tmp" "$tui__g"
		tui_ok "wrote $tui__g"
		return 0
	fi
	[ -f "$tui__g" ] || tui_fail "no golden screen $tui__g (make golden writes it)"
	tui_screen_is "$tui__g" ||
		tui_fail "screen differs from $tui__g (diff above; make golden if the change is intended)"
	tui_ok "screen $1"
}

# tui_resize W H - resize the window, and wait until the program's terminal
# has that size (tmux reports the pane's new size before it tells the pty).
tui_resize() {
	tui_tmux resize-window -t "=$TUI_TARGET:" -x "$1" -y "$2" || tui_fail "resize-window $1 $2"
	tui__tty=$(tui_tmux display-message -p -t "=$TUI_TARGET:" '#{pane_tty}')
	tui__n=$(( TUI_TIMEOUT * 20 ))
	while [ "$(tui_size)" != "${1}x$2" ] || [ "$(stty size <"$tui__tty")" != "$2 $1" ]; do
		[ "$tui__n" -le 0 ] && tui_fail "the pane is $(tui_size), not ${1}x$2"
		tui__n=$((tui__n - 1))
		tui__nap
	done
}

# tui_sql SQL - run SQL on the case's database with the sqlite3 CLI (it
# waits up to 5 s for a lock held by the program); prints the rows.
tui_sql() {
	sqlite3 -batch -cmd '.timeout 5000' "$TUI_DB" "$1" || tui_fail "sqlite3: $1"
}

# tui_sql_is SQL EXPECTED - the output of tui_sql must equal EXPECTED.
tui_sql_is() {
	tui__got=$(tui_sql "$1")
	[ "$tui__got" = "$2" ] || tui_fail "$1: got \"$tui__got\", expected \"$2\""
}

# The program's process id.
tui_pid() {
	# the program is the child of the status-keeping shell in the pane
	tui__sh=$(tui_tmux display-message -p -t "=$TUI_TARGET:" '#{pane_pid}')
	tui__n=$(( TUI_TIMEOUT * 20 ))
	while :; do
		tui__kid=$(cat "/proc/$tui__sh/task/$tui__sh/children" 2>/dev/null)
		[ -n "$tui__kid" ] && break
		[ "$tui__n" -le 0 ] && break
		tui__n=$((tui__n - 1))
		tui__nap
	done
	echo ${tui__kid%% *}
}

# tui_wait_exit [SECS] - wait for the program to end; prints its exit status
# (128 + N when killed by signal N).
tui_wait_exit() {
	tui__n=$(( ${1:-$TUI_TIMEOUT} * 20 ))
	while [ ! -s "$TUI_TMP/status.$TUI_TARGET" ]; do
		[ "$tui__n" -le 0 ] && tui_fail "the program is still running after ${1:-$TUI_TIMEOUT}s"
		tui__n=$((tui__n - 1))
		tui__nap
	done
	cat "$TUI_TMP/status.$TUI_TARGET"
}

# kill -9 the program and wait until it is gone.
tui_kill9() {
	tui__pid=$(tui_pid)
	[ -n "$tui__pid" ] || tui_fail "no program to kill"
	kill -9 "$tui__pid" || tui_fail "kill -9 $tui__pid"
	[ "$(tui_wait_exit)" = 137 ] || tui_fail "the program did not die of SIGKILL"
}

# tui_demo - the demo data set (tests/fixtures/demo.jsonl) into the case's database.
tui_demo() {
	tui_fb import --dataset demo "$TUI_ROOT/tests/fixtures/demo.jsonl" >"$TUI_TMP/import.log" 2>&1 ||
		tui_fail "importing the demo data: $(cat "$TUI_TMP/import.log")"
}

# End the session TUI_TARGET (the program gets SIGHUP).
tui_stop() {
	tui_tmux kill-session -t "=$TUI_TARGET" 2>/dev/null
	return 0
}
