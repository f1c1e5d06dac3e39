# concurrent.sh - two annotators on one database at once, keys interleaved:
# neither waits for the other, neither loses a value.
. "$(dirname "$0")/lib.sh"

tui_demo
TUI_TARGET=ann
tui_start annotate --rater ann
tui_wait "1 of 24"
TUI_TARGET=bob
tui_start annotate --rater bob
tui_wait "1 of 24"
for k in 1 2 3 4 5 1 2 3 4 5 1 2 3 4 5 1; do
	TUI_TARGET=ann
	tui_send "$k"
	TUI_TARGET=bob
	tui_send "$((6 - k))"
done
TUI_TARGET=ann
tui_wait "finished!"
TUI_TARGET=bob
tui_wait "finished!"
for who in ann bob; do
	TUI_TARGET=$who
	tui_screen | tail -n 1 | grep -qi "locked\|busy\|error\|not saved" && tui_fail "$who saw an error"
	tui_send q
	[ "$(tui_wait_exit)" = 0 ] || tui_fail "$who did not quit cleanly"
done
tui_sql_is "SELECT x.name, count(*), sum(r.value) FROM rating r JOIN rater x ON x.id = r.rater_id
            WHERE x.kind = 'human' GROUP BY x.name ORDER BY x.name" "ann|16|46
bob|16|50"
tui_sql_is "SELECT count(*) FROM progress WHERE finished_at IS NOT NULL" 2
tui_sql_is "PRAGMA integrity_check" ok
