# rationale.sh - rationales in the inline editor (non-ASCII, several lines),
# through $EDITOR, type ids, and a critique with a half-point score.
. "$(dirname "$0")/lib.sh"
TUI_MASK='s/time [0-9]:[0-9][0-9]/time M:SS/;s/\(typing (draft every 2s)\|draft saved\) */DRAFT /'
printf '#!/bin/sh\nprintf "%%s\\n" "écrit dans \\$EDITOR: ✓" >"$1"\n' >"$TUI_TMP/ed.sh"
chmod +x "$TUI_TMP/ed.sh"
TUI_ENV="EDITOR=$TUI_TMP/ed.sh"

tui_demo
tui_start annotate --rater ann
tui_wait "1 of 24"
ann="(SELECT id FROM rater WHERE name = 'ann')"
cell="SELECT rationale FROM rating WHERE rater_id = $ann AND aspect_id = %s AND completion_id =
      (SELECT c.id FROM progress g JOIN completion c ON c.prompt_id = g.prompt_id
       AND c.idx = json_extract(g.shown_order, '\$[0]') WHERE g.rater_id = $ann AND g.prompt_id = 1)"

# Enter opens the editor on the cursor cell; Enter in it makes a new line
tui_send Enter
tui_wait "Rationale · A · Instruction following"
tui_type "Très bien — 中文のテキスト, naïve café ✓"
tui_send Enter
tui_type "línea dos: ¿qué?"
tui_expect_screen editing-80x24
tui_send C-s
tui_wait "rationale saved"
# shellcheck disable=SC2059
tui_sql_is "$(printf "$cell" 1)" "Très bien — 中文のテキスト, naïve café ✓
línea dos: ¿qué?"
tui_wait "your rationale: Très bien"

# $EDITOR on the next aspect
tui_send j e
tui_wait "rationale saved"
# shellcheck disable=SC2059
tui_sql_is "$(printf "$cell" 2)" 'écrit dans $EDITOR: ✓'

# type ids on truthfulness (aspect 3)
tui_send j t
tui_wait "Type ids"
tui_type "3 1"
tui_send Enter
tui_wait "type ids saved"
tui_sql_is "SELECT types FROM rating WHERE rater_id = $ann AND aspect_id = 3" '["3","1"]'

# a critique: the text, then the score
tui_send c
tui_wait "Critique of A"
tui_type "Correct, but the test program is not needed."
tui_send C-s
tui_wait "Overall score"
tui_type "7.5"
tui_send Enter
tui_wait "critique saved"
tui_sql_is "SELECT overall_score || ' ' || text FROM critique WHERE rater_id = $ann" \
	"7.5 Correct, but the test program is not needed."
tui_wait "A 0/4 · 7.5/10"
tui_sql_is "SELECT count(*) FROM draft" 0

# C-g drops what was typed
tui_send Enter
tui_type "never mind"
tui_send C-g
tui_wait "not changed"
tui_sql_is "SELECT count(*) FROM rating WHERE rationale LIKE '%never mind%'" 0
