# stats.sh - the statistics screen (A), on the demo data after rating its
# first prompt: the conflict grid, the histograms and the agreement with
# gpt-4 at 80x24 (scrolled) and 200x50, the same figures as `feedbench
# agreement` and `feedbench conflict` print; "too small" and back; colours,
# and none with NO_COLOR.  Then with a slow worker: "computing..." while it
# computes, keys work meanwhile, and a rating made meanwhile is in the
# figures shown next (the answer for before it is discarded).
. "$(dirname "$0")/lib.sh"
TUI_MASK='s/time [0-9]:[0-9][0-9]/time M:SS/'
esc=$(printf '\033')

# json FILE PATH - a figure of a JSON file with 3 decimals, as the screen shows it
json() {
	sqlite3 -batch :memory: "SELECT printf('%.3f', json_extract(readfile('$1'), '$2'))" ||
		tui_fail "reading $2 from $1"
}
# json_int FILE PATH
json_int() {
	sqlite3 -batch :memory: "SELECT json_extract(readfile('$1'), '$2')" ||
		tui_fail "reading $2 from $1"
}
# on_screen TEXT - the screen holds TEXT now
on_screen() {
	tui_screen | grep -qF -- "$1" || tui_fail "\"$1\" is not on the screen"
}

tui_demo
tui_start annotate --rater ann
tui_wait "1 of 24"
# A: 5 4 3 2, B: 1 2 3 4, C: 5 5 5 5, D: 1 1 1 1 (down the aspects, then across)
tui_send 5 4 3 2 1 2 3 4 5 5 5 5 1 1 1 1
tui_wait "finished"
tui_send A
tui_wait "RATINGS"
tui_expect_screen 80x24
tui_send End
tui_wait "rows 35-57 of 57"
tui_expect_screen 80x24-end
tui_send Home
tui_wait "rows 1-23 of 57"

# the figures, computed by the commands on the same database
tui_fb agreement --raters ann,gpt-4 --format json >"$TUI_TMP/agree.json" || tui_fail "agreement"
tui_fb conflict --rater ann --format json >"$TUI_TMP/conflict.json" || tui_fail "conflict"
tui_resize 200 50
tui_wait "AGREEMENT · ann vs gpt-4"
tui_expect_screen 200x50
for i in 0 1 2 3; do
	p="$.aspects[$i].pairs[0]"
	on_screen "n $(json_int "$TUI_TMP/agree.json" "$p.units")  exact $(json "$TUI_TMP/agree.json" "$p.exact")  within-1 $(json "$TUI_TMP/agree.json" "$p.within1")"
	on_screen "kappa: quadratic $(json "$TUI_TMP/agree.json" "$p.cohen_kappa_quadratic"), plain $(json "$TUI_TMP/agree.json" "$p.cohen_kappa")"
done
# the grid's first row: instruction_following against honesty, truthfulness, helpfulness
row="instruction_following +· +$(json "$TUI_TMP/conflict.json" '$.matrix[0].conflict_rate')"
row="$row +$(json "$TUI_TMP/conflict.json" '$.matrix[1].conflict_rate')"
row="$row +$(json "$TUI_TMP/conflict.json" '$.matrix[2].conflict_rate')"
tui_screen | grep -qE -- "$row" || tui_fail "no grid row /$row/"
on_screen "Pareto-incomparable   $(json "$TUI_TMP/conflict.json" '$.pareto_incomparable') of $(json_int "$TUI_TMP/conflict.json" '$.decisive_pairs') decisive pairs"
tui_ok "the figures are those of feedbench agreement and conflict"

# colours: the ramp's cells have background colours (legend: red, yellow, green...)
tui_tmux capture-pane -e -p -t "=main:" >"$TUI_TMP/color.txt"
for c in 41 42 43 44 46; do
	grep -q "$esc\[${c}m" "$TUI_TMP/color.txt" || tui_fail "no background colour $c on the screen"
done
tui_resize 60 20
tui_wait "too small"
tui_resize 80 24
tui_wait "CONFLICT BETWEEN ASPECTS"
tui_send Escape
tui_wait "1 of 24"
tui_send q
[ "$(tui_wait_exit)" = 0 ] || tui_fail "quit"

# monochrome: the numbers stay, the top step of the ramp in reverse video
TUI_TARGET=mono
TUI_ENV="NO_COLOR=1"
tui_start annotate --rater ann
tui_wait "1 of 23"
tui_send A
tui_wait "Pareto-incomparable"
on_screen "instruction_following    ·    0.000"
tui_tmux capture-pane -e -p -t "=mono:" >"$TUI_TMP/mono.txt"
grep -q "$esc\[[34][0-7]m\|$esc\[[34]8;" "$TUI_TMP/mono.txt" && tui_fail "colours despite NO_COLOR"
grep -qF "7m ≥0.4" "$TUI_TMP/mono.txt" || tui_fail "no reverse video in the legend"
tui_send q
tui_wait "1 of 23"
tui_send q
[ "$(tui_wait_exit)" = 0 ] || tui_fail "quit (mono)"

# a slow worker: the screen says so, and typing goes on meanwhile
TUI_TARGET=slow
TUI_ENV="FEEDBENCH_STATS_DELAY_MS=1500"
tui_start annotate --rater ann
tui_wait "1 of 23"
tui_send A
tui_wait "computing..."
tui_send Escape
tui_wait "Prompt 2"
tui_send 1
tui_wait "Instruction f…   1     ·"
tui_sql_is "SELECT count(*) FROM rating WHERE rater_id = (SELECT id FROM rater WHERE name = 'ann')" 17
tui_send A
tui_wait "computing..."
tui_wait "RATINGS"
tui_fb agreement --raters ann,gpt-4 --aspect instruction_following --format json \
	>"$TUI_TMP/agree2.json" || tui_fail "agreement"
units=$(json_int "$TUI_TMP/agree2.json" '$.aspects[0].pairs[0].units')
[ "$units" = 5 ] || tui_fail "agreement counts $units units, not 5"
tui_send End
tui_wait "n 5  exact $(json "$TUI_TMP/agree2.json" '$.aspects[0].pairs[0].exact')"
tui_ok "the figures shown include the rating made while computing"
tui_send A
tui_wait "Prompt 2"
tui_send q
[ "$(tui_wait_exit)" = 0 ] || tui_fail "quit (slow)"
