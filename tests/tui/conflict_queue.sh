# conflict_queue.sh - --queue conflict: the prompts whose aspects disagree
# most, first.  A newcomer gets gpt-4's order (the queue's first prompts are
# those a per-prompt score computed here in SQL ranks highest, the score
# whose mean `feedbench conflict` reports); once they have rated, their own
# order of the prompts they rated.
. "$(dirname "$0")/lib.sh"
TUI_MASK='s/time [0-9]:[0-9][0-9]/time M:SS/'

# ranking RATER - prompt ids, most conflicted first: per prompt, the share of
# its completion pairs (an aspect rated on both) that some aspect prefers one
# way and another the other way (a difference of 1 or more: the default
# margin); ties: more such pairs first, then the lower id.  Then a line with
# the mean score.
ranking() {
	tui_sql "WITH v AS (SELECT c.prompt_id p, c.id c, x.aspect_id a, x.value v
	           FROM rating x JOIN completion c ON c.id = x.completion_id
	           JOIN rater r ON r.id = x.rater_id WHERE r.name = '$1' AND x.value IS NOT NULL),
	         pr AS (SELECT a1.p p, max(a1.v - a2.v >= 1) pos, max(a2.v - a1.v >= 1) neg
	           FROM v a1 JOIN v a2 ON a1.p = a2.p AND a1.a = a2.a AND a1.c < a2.c
	           GROUP BY a1.p, a1.c, a2.c),
	         s AS (SELECT p, count(*) pairs, sum(pos AND neg) inc FROM pr GROUP BY p)
	         SELECT p FROM s ORDER BY 1.0 * inc / pairs DESC, inc DESC, p;
	         WITH v AS (SELECT c.prompt_id p, c.id c, x.aspect_id a, x.value v
	           FROM rating x JOIN completion c ON c.id = x.completion_id
	           JOIN rater r ON r.id = x.rater_id WHERE r.name = '$1' AND x.value IS NOT NULL),
	         pr AS (SELECT a1.p p, max(a1.v - a2.v >= 1) pos, max(a2.v - a1.v >= 1) neg
	           FROM v a1 JOIN v a2 ON a1.p = a2.p AND a1.a = a2.a AND a1.c < a2.c
	           GROUP BY a1.p, a1.c, a2.c),
	         s AS (SELECT p, count(*) pairs, sum(pos AND neg) inc FROM pr GROUP BY p)
	         SELECT printf('mean %.6f', avg(1.0 * inc / pairs)) FROM s"
}
# cli_mean RATER - per_prompt.mean of `feedbench conflict --rater RATER`
cli_mean() {
	tui_fb conflict --rater "$1" --format json >"$TUI_TMP/conflict-$1.json" ||
		tui_fail "feedbench conflict --rater $1"
	sqlite3 -batch :memory: "SELECT printf('mean %.6f',
		json_extract(readfile('$TUI_TMP/conflict-$1.json'), '$.per_prompt.mean'))"
}

tui_demo
ranking gpt-4 >"$TUI_TMP/gpt4.txt"
[ "$(tail -n 1 "$TUI_TMP/gpt4.txt")" = "$(cli_mean gpt-4)" ] ||
	tui_fail "the SQL score is not feedbench conflict's: $(tail -n 1 "$TUI_TMP/gpt4.txt") vs $(cli_mean gpt-4)"
first=$(sed -n 1p "$TUI_TMP/gpt4.txt")
second=$(sed -n 2p "$TUI_TMP/gpt4.txt")
tui_ok "by gpt-4: prompt $first, then $second"

tui_fb annotate --help >"$TUI_TMP/help.txt" || tui_fail "annotate --help"
grep -q "^      conflict most conflicted first" "$TUI_TMP/help.txt" ||
	tui_fail "annotate --help does not list the conflict queue: $(cat "$TUI_TMP/help.txt")"

tui_start annotate --rater ann --queue conflict
tui_wait "1 of 24"
tui_wait " Prompt $first "
tui_wait "queue conflict by gpt-4"
tui_expect_screen first-80x24

# ann rates the first prompt all alike (no conflict), the second with aspects
# pulling apart: A 5 5 1 1, B 1 1 5 5, C and D 3 3 3 3
tui_send 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3
tui_wait "finished"
tui_send ']'
tui_wait "2 of 24"
tui_wait " Prompt $second "
tui_send 5 5 1 1 1 1 5 5 3 3 3 3 3 3 3 3
tui_wait "finished"
tui_send q
[ "$(tui_wait_exit)" = 0 ] || tui_fail "quit"
ranking ann >"$TUI_TMP/ann.txt"
[ "$(tail -n 1 "$TUI_TMP/ann.txt")" = "$(cli_mean ann)" ] ||
	tui_fail "the SQL score is not feedbench conflict's for ann"
[ "$(sed -n 1p "$TUI_TMP/ann.txt")" = "$second" ] && [ "$(sed -n 2p "$TUI_TMP/ann.txt")" = "$first" ] ||
	tui_fail "ann's ranking is not $second, $first: $(cat "$TUI_TMP/ann.txt")"

# reopened: by ann's ratings now, only what she rated, hers most conflicted first
TUI_TARGET=again
tui_start annotate --rater ann --queue conflict
tui_wait "queue conflict by ann"
tui_wait "1 of 2 "
tui_wait " Prompt $second "
tui_wait "most conflicted first, by your ratings"
tui_send ']'
tui_wait "2 of 2 "
tui_wait " Prompt $first "
tui_send q
[ "$(tui_wait_exit)" = 0 ] || tui_fail "quit (again)"
