# resize.sh - resize while writing a rationale: to 200x50, back to 80x24,
# below the minimum (the "too small" screen) and back; nothing typed is lost.
. "$(dirname "$0")/lib.sh"
TUI_MASK='s/time [0-9]:[0-9][0-9]/time M:SS/;s/\(typing (draft every 2s)\|draft saved\) */DRAFT /'

tui_demo
tui_start annotate --rater ann
tui_wait "1 of 24"
tui_send 3 4
tui_send Enter
tui_wait "Rationale · A · Truthfulness"
tui_type "written at 80x24, "
tui_resize 200 50
tui_wait "written at 80x24,"
tui_expect_screen edit-200x50
tui_type "then at 200x50, "
tui_resize 80 24
tui_wait "then at 200x50,"
tui_expect_screen edit-80x24
tui_resize 60 20
tui_wait "too small"
tui_expect_screen small-60x20
tui_type "x"          # ignored while too small
tui_resize 80 24
tui_wait "Rationale · A"
tui_type "and back."
tui_send C-s
tui_wait "rationale saved"
tui_sql_is "SELECT rationale FROM rating WHERE aspect_id = 3 AND rater_id =
            (SELECT id FROM rater WHERE name = 'ann')" "written at 80x24, then at 200x50, and back."
tui_sql_is "SELECT count(*) FROM rating WHERE rater_id = (SELECT id FROM rater WHERE name = 'ann')
            AND value IN (3, 4)" 2
