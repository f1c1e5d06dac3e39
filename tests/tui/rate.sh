# rate.sh - rate a whole prompt (4 completions x 4 aspects) with 16 keys and
# check every value, its time and the prompt's progress; the screens at
# 80x24 and, after a resize, the 2x2 grid at 200x50.
. "$(dirname "$0")/lib.sh"
TUI_MASK='s/time [0-9]:[0-9][0-9]/time M:SS/'

tui_demo
t0=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
tui_start annotate --rater ann
tui_wait "1 of 24"
tui_expect_screen start-80x24

# digits rate and move on: down the aspects of A, then B, C, D; n is N/A
tui_send 4 5 3 4  2 3 3 2  5 5 5 5  1 n 1 1
tui_wait "finished!"
tui_expect_screen rated-80x24
t1=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)

# the 16 values, in the order typed: completions as shown, aspects in order
ann="(SELECT id FROM rater WHERE name = 'ann')"
typed="SELECT CASE WHEN r.na THEN 'n' ELSE r.value END AS v, r.updated_at AS t, j.key AS k, r.aspect_id AS a
       FROM progress g JOIN json_each(g.shown_order) j
       JOIN completion c ON c.prompt_id = g.prompt_id AND c.idx = j.value
       JOIN rating r ON r.completion_id = c.id AND r.rater_id = g.rater_id
       WHERE g.rater_id = $ann AND g.prompt_id = 1"
tui_sql_is "SELECT group_concat(v, ' ') FROM ($typed ORDER BY k, a)" "4 5 3 4 2 3 3 2 5 5 5 5 1 n 1 1"
tui_sql_is "SELECT count(*) FROM rating WHERE rater_id = $ann AND value IS NULL AND na = 1" 1
# each written when typed, in that order, between the start and now
tui_sql_is "SELECT count(*) FROM ($typed) WHERE t BETWEEN '$t0' AND '$t1'
            AND t GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'" 16
tui_sql_is "SELECT count(*) FROM (SELECT t, lag(t) OVER (ORDER BY k, a) AS p FROM ($typed)) WHERE t < p" 0
tui_sql_is "SELECT count(*) FROM rating_history" 0
# the prompt is finished, after its last value; the shown order is recorded
tui_sql_is "SELECT finished_at >= (SELECT max(updated_at) FROM rating WHERE rater_id = $ann)
            AND finished_at <= '$t1', json_array_length(shown_order) FROM progress
            WHERE rater_id = $ann AND prompt_id = 1" "1|4"
tui_ok "16 values and their times"

# one key to go on
tui_send Space
tui_wait "2 of 24"
tui_sql_is "SELECT count(*) FROM progress WHERE rater_id = $ann AND prompt_id = 2" 1

# wide: the four completions side by side
tui_send '['
tui_wait "1 of 24"
tui_resize 200 50
tui_expect_screen grid-200x50
tui_send q
[ "$(tui_wait_exit)" = 0 ] || tui_fail "quit did not exit 0"
