# navigate.sh - go to a prompt id, search the queue, flag and skip with a
# reason, undo, zoom, and come back to the same place in another queue.
. "$(dirname "$0")/lib.sh"

tui_demo
tui_start annotate --rater ann
tui_wait "1 of 24"
ann="(SELECT id FROM rater WHERE name = 'ann')"
tui_send g
tui_type 14
tui_send Enter
tui_wait "Prompt 14 · sharegpt"
tui_wait "14 of 24"
tui_send /
tui_type "penguin|Einstein"
tui_send Enter
tui_wait "2 prompts match"
tui_wait "/penguin|Einstein/"
tui_wait "Prompt 22"
tui_wait "2 of 2"
tui_send '['
tui_wait "Prompt 8"
tui_send /
tui_send BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
tui_send Enter
tui_wait "the whole queue again"
tui_wait "8 of 24"

tui_send f
tui_type "false premise: penguins do not fly"
tui_send Enter
tui_wait "FLAGGED: false premise"
tui_sql_is "SELECT prompt_id || ' ' || kind || ' ' || reason FROM flag" "8 flag false premise: penguins do not fly"
tui_send s
tui_type "not my field"
tui_send Enter
tui_wait "skipped; here is the next unfinished prompt"
tui_wait "Prompt 9"
tui_send u
tui_wait "undone"
tui_wait "Prompt 8"
tui_sql_is "SELECT group_concat(kind) FROM flag" "flag"

tui_send z
tui_wait_gone "Why do penguins"
tui_send z
tui_wait "Why do penguins"

tui_send q
[ "$(tui_wait_exit)" = 0 ] || tui_fail "quit"
TUI_TARGET=flagged
tui_start annotate --rater ann --queue flagged
tui_wait "1 of 1"
tui_wait "Prompt 8"
tui_send q
TUI_TARGET=again
tui_start annotate --rater ann
tui_wait "Prompt 8"
tui_wait "8 of 24"
