# remap.sh - keys.conf in $XDG_CONFIG_HOME/feedbench remaps keys; help shows
# the new keys; a bad line is reported and the good ones still apply.
. "$(dirname "$0")/lib.sh"

mkdir -p "$TUI_TMP/config/feedbench"
cat >"$TUI_TMP/config/feedbench/keys.conf" <<'CONF'
# rate with the home row
bind a rate-1
bind s rate-2
unbind 1
bind Q quit
unbind q
bind F2 help
bind Z nothing
CONF
tui_demo
tui_start annotate --rater ann
tui_wait "1 of 24"
tui_wait 'keys.conf:8: unknown operation "nothing"'
tui_send 1                      # unbound now: nothing is rated
tui_wait "? shows the keys"
tui_send a s
tui_wait "saved"
tui_sql_is "SELECT group_concat(value, ' ') FROM (SELECT value FROM rating WHERE rater_id =
            (SELECT id FROM rater WHERE name = 'ann') ORDER BY updated_at)" "1 2"
tui_send F2
tui_wait "KEYS (remap them in"
tui_screen | grep -q "^   0 a 2 s 3 4 5 6 7 8 9  Rate the cursor cell" ||
	tui_fail "help does not show the remapped rating keys"
tui_send PgDn PgDn
tui_wait "Quit (everything is already saved)"
tui_screen | grep -q "^   Q  *Quit" || tui_fail "help does not show Q for quit"
tui_send Escape
tui_wait "1 of 24"
tui_send q                      # unbound: still running
tui_wait "? shows the keys"
tui_send Q
[ "$(tui_wait_exit)" = 0 ] || tui_fail "Q did not quit"
