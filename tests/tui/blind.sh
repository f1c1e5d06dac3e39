# blind.sh - the LLM's ratings stay hidden until the rater has rated every
# cell of a prompt; then the toggle shows them beside the rater's own,
# differences marked, and hides them again.
. "$(dirname "$0")/lib.sh"
TUI_MASK='s/time [0-9]:[0-9][0-9]/time M:SS/'

tui_demo
tui_start annotate --rater ann
tui_wait "1 of 24"
tui_send L
tui_wait "blind first"
tui_screen | grep -q "gpt-4\|you │ LLM" && tui_fail "the LLM shows before the prompt is finished"
tui_send 4 5 3 4  2 3 3 2  5 5 5 5  1 n 1 1
tui_wait "finished!"
tui_screen | grep -q "gpt-4" && tui_fail "the LLM shows before the toggle"
tui_send L
tui_wait "showing gpt-4's ratings"
tui_wait "you │ LLM"
tui_wait "gpt-4: 5"
tui_expect_screen compare-80x24
tui_resize 200 50
tui_expect_screen compare-200x50
tui_send L
tui_wait "gpt-4 hidden"
tui_wait_gone "you │ LLM"
# and on an unfinished prompt, still nothing
tui_send Space
tui_wait "2 of 24"
tui_send L
tui_wait "blind first"
