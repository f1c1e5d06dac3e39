# escape.sh - a completion holding terminal escape sequences (clear screen,
# colours, BEL) is shown as visible placeholders; the screen stays intact.
. "$(dirname "$0")/lib.sh"
TUI_MASK='s/time [0-9]:[0-9][0-9]/time M:SS/'

tui_demo
tui_start annotate --rater ann
tui_wait "1 of 24"
tui_send g
tui_type 20
tui_send Enter
tui_wait "Prompt 20"
# find the completion (the order is shuffled for the rater)
n=0
while ! tui_poll "WARNING: DISK FULL" 1; do
	n=$((n + 1))
	[ $n -lt 4 ] || tui_fail "no completion shows the escape sequences"
	tui_send l
done
tui_wait "␛[2J␛[31mWARNING: DISK FULL␛[0m␇"
tui_expect_screen escape-80x24
# had ESC [2J reached the terminal, the header would be gone
tui_screen | head -n 1 | grep -q "^ Prompt 20 · sharegpt" || tui_fail "the header is gone"
tui_screen | tail -n 1 | grep -q "ann │ 20 of 24" || tui_fail "the status line is gone"
