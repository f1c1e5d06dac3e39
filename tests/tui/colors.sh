# colors.sh - colours when the terminal has them; none with NO_COLOR, the
# bars and the cursor cell then told apart by reverse video alone.
. "$(dirname "$0")/lib.sh"

esc=$(printf '\033')
tui_demo
tui_start annotate --rater ann
tui_wait "1 of 24"
tui_tmux capture-pane -e -p -t "=main:" | grep -q "$esc\[4[0-7]m" || tui_fail "no colours"
tui_send q
[ "$(tui_wait_exit)" = 0 ] || tui_fail "quit"

TUI_TARGET=mono
TUI_ENV="NO_COLOR=1"
tui_start annotate --rater ann
tui_wait "1 of 24"
tui_tmux capture-pane -e -p -t "=mono:" >"$TUI_TMP/mono.txt"
grep -q "$esc\[[34][0-7]m\|$esc\[[34]8;" "$TUI_TMP/mono.txt" && tui_fail "colours despite NO_COLOR"
grep -q "$esc\[7m" "$TUI_TMP/mono.txt" || tui_fail "no reverse video in monochrome"
tui_send 3
tui_wait "3     ·"
