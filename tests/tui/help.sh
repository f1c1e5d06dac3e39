# help.sh - ? shows the rubric of the aspect under the cursor, level by
# level, and the key map; any other key goes back.
. "$(dirname "$0")/lib.sh"
TUI_MASK="s/time [0-9]:[0-9][0-9]/time M:SS/;s|$TUI_TMP|TMP|"

tui_demo
tui_start annotate --rater ann
tui_wait "1 of 24"
tui_send '?'
tui_wait "THE ASPECT UNDER THE CURSOR: Instruction following"
tui_expect_screen help-80x24
tui_send PgDn
tui_wait "Previous completion"
tui_send x
tui_wait "1 of 24"
# the honesty rubric allows N/A
tui_send j '?'
tui_wait "THE ASPECT UNDER THE CURSOR: Honesty"
tui_wait "N/A where it does not apply"
tui_send Escape
tui_wait "1 of 24"
tui_send S
tui_wait "Your totals"
tui_send x
tui_wait "1 of 24"
