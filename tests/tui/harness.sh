# harness.sh - the TUI harness checks itself on trivial programs (printf,
# cat, stty), so that a failing feedbench case is feedbench's fault.
. "$(dirname "$0")/lib.sh"

# a banner, then cat: keys typed reach the program, UTF-8 and wide
# characters come back on the screen, the screen compares with a golden one
tui_run sh -c 'printf "harness ready\n"; exec cat'
tui_wait "harness ready"
[ "$(tui_size)" = 80x24 ] || tui_fail "started at $(tui_size), not 80x24"
tui_type "héllo 中文 ok"
tui_send Enter
tui_expect_screen cat-80x24

# a screen that differs is caught, and text that never shows times out
printf 'harness ready\nsomething else\n' >"$TUI_TMP/wrong.txt"
if tui_screen_is "$TUI_TMP/wrong.txt" 1 >"$TUI_TMP/diff.txt"; then
	tui_fail "a wrong screen matched"
fi
grep -q '^+héllo 中文 ok' "$TUI_TMP/diff.txt" || tui_fail "no diff shown: $(cat "$TUI_TMP/diff.txt")"
if tui_poll "never on the screen" 1; then
	tui_fail "tui_poll found absent text"
fi
if (tui_fail "on purpose") >/dev/null 2>&1; then
	tui_fail "tui_fail did not fail"
fi
tui_ok "mismatch, timeout and failure are detected"

# kill -9 is seen as death by SIGKILL
tui_kill9
tui_ok "kill -9"

# the program's environment is the clean one lib.sh promises
TUI_TARGET=env
TUI_ENV="FEEDBENCH_X=1"
tui_run -s 200x50 sh -c 'printf "[%s|%s|%s|%s]\n" "$HOME" "$XDG_CONFIG_HOME" "$LC_ALL" "$FEEDBENCH_X"; exec cat'
tui_wait "[$TUI_TMP/home|$TUI_TMP/config|C.UTF-8|1]"
TUI_ENV=

# the exit status of a program that ended
TUI_TARGET=status
tui_run sh -c 'exit 7'
[ "$(tui_wait_exit)" = 7 ] || tui_fail "exit status lost"

# resize: the program sees both fixed sizes (stty size prints "rows cols")
TUI_TARGET=sizes
tui_run -s 200x50 sh -c 'stty size; while read -r x; do stty size; done'
tui_wait "50 200"
tui_expect_screen stty-200x50
tui_resize 80 24
tui_send Enter
tui_wait "24 80"
tui_resize 200 50
tui_send Enter
tui_expect_screen stty-back-200x50
tui_ok "resize"

# the sqlite3 CLI on the case's database
tui_sql "CREATE TABLE t(x); INSERT INTO t VALUES ('ok')"
tui_sql_is "SELECT x FROM t" ok
tui_ok "sqlite3"
