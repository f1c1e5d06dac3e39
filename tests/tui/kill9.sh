# kill9.sh - kill -9 after rating, and while a rationale is being written:
# reopened, every value shown before the kill is there, and the draft too.
. "$(dirname "$0")/lib.sh"
TUI_MASK='s/time [0-9]:[0-9][0-9]/time M:SS/'

tui_demo
tui_start annotate --rater ann
tui_wait "1 of 24"
tui_send Space
tui_wait "2 of 24"
tui_send 5 4 3 2 1 n
tui_wait "4    N/A"
tui_expect_screen before-kill
tui_screen | sed '$d' >"$TUI_TMP/before.txt"
tui_kill9

ann="(SELECT id FROM rater WHERE name = 'ann')"
tui_sql_is "SELECT group_concat(coalesce(value, 'n'), ' ') FROM (SELECT r.value FROM rating r
            JOIN completion c ON c.id = r.completion_id WHERE r.rater_id = $ann ORDER BY r.updated_at)" \
	"5 4 3 2 1 n"
TUI_TARGET=again
tui_start annotate --rater ann
# back where it stopped: prompt 2, the cursor on the first cell left
tui_wait "welcome back"
tui_expect_screen reopened
tui_screen | sed '$d' | cmp -s - "$TUI_TMP/before.txt" || tui_fail "not the screen left at the kill"
tui_ok "reopened on the same screen"

# a draft being typed survives too
tui_send Enter
tui_type "half a thought, écrit à moitié"
tui_wait "draft saved"
tui_kill9
tui_sql_is "SELECT text FROM draft" "half a thought, écrit à moitié"
TUI_TARGET=third
tui_start annotate --rater ann
tui_wait "2 of 24"
tui_wait "an unsaved draft is waiting"
tui_send Enter
tui_wait "your unsaved draft is back"
tui_wait "half a thought, écrit à moitié"
tui_send Escape
tui_wait "rationale saved"
tui_sql_is "SELECT count(*) FROM rating WHERE rationale = 'half a thought, écrit à moitié'" 1
tui_sql_is "SELECT count(*) FROM draft" 0
