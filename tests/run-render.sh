#!/bin/sh
# run-render.sh FEEDBENCH - render `feedbench report` in headless Chromium.
#
# Builds a small database from the conflict fixtures (hand-computed figures:
# tests/data/conflict.sh), writes report.html, and has Chromium (Debian's
# `chromium` package) load it from disk with networking features off:
#   - the DOM Chromium built must hold exactly what the file says: the
#     digest (tests/report-digest.py) of --dump-dom equals the file's;
#   - the page is self-contained (no script, nothing fetched);
#   - the expected figures sit in the expected charts and tables;
#   - a screenshot at 1200x1600 is written to tests/out/report.png (look at
#     it: the charts must be readable).
# Prints "render: N passed, N failed" and appends "N_PASSED N_FAILED" to
# tests/out/results.  Without a Chromium binary it prints SKIP and counts
# nothing: CI installs the package (make deps-test).
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
out="$top/tests/out"
mkdir -p "$out"
pass=0
fail=0

browser=""
for b in chromium chromium-browser google-chrome; do
	if command -v "$b" >/dev/null 2>&1; then
		browser=$b
		break
	fi
done
if [ -z "$browser" ]; then
	echo "render: SKIP: no chromium binary (Debian package 'chromium'; 'make deps-test' installs it)"
	exit 0
fi

t=$(mktemp -d "${TMPDIR:-/tmp}/feedbench-render.XXXXXX") || exit 1
trap 'rm -rf "$t"' EXIT
export FEEDBENCH_DB="$t/test.db" XDG_CONFIG_HOME="$t/config" NO_COLOR=1 LC_ALL=C.UTF-8
fix="$top/tests/fixtures"

ok() { pass=$((pass + 1)); echo "  ok    $1"; }
no() { fail=$((fail + 1)); echo "  FAIL  $1"; }
check() { # check NAME COMMAND...: passes when the command succeeds
	name=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$name"; else no "$name"; fi
}

# Chromium with everything that could reach the network switched off.
chrome() {
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$t/profile" "$@"
}

echo "render: $browser ($("$browser" --version 2>/dev/null | head -n 1))"
"$bin" import --quiet --dataset cf --rater gpt-4 --rater-kind llm "$fix/audit-conflict-gpt4.jsonl" &&
	"$bin" import --quiet --dataset cf --rater bob "$fix/audit-conflict-bob.jsonl" &&
	"$bin" import --quiet --dataset nine --rater gpt-4 "$fix/audit-nine.jsonl" &&
	"$bin" report -o "$t/report.html" --dataset cf 2>/dev/null
check "feedbench report writes report.html" test -s "$t/report.html"

chrome --dump-dom "file://$t/report.html" > "$t/dom.html" 2> "$t/chrome.log"
check "chromium loads the page (--dump-dom)" test -s "$t/dom.html"
python3 "$top/tests/report-digest.py" "$t/report.html" > "$t/file.txt"
python3 "$top/tests/report-digest.py" "$t/dom.html" > "$t/dom.txt"
if cmp -s "$t/file.txt" "$t/dom.txt"; then
	ok "the browser's DOM holds what the file says"
else
	no "the browser's DOM holds what the file says"
	diff -u "$t/file.txt" "$t/dom.txt" | head -n 30
fi
check "self-contained: no script, nothing fetched" grep -qx 'self-contained: yes' "$t/dom.txt"
check "no network request in the log" sh -c "! grep -Eiq 'https?://' '$t/chrome.log'"

# figures the browser must show (tests/data/conflict.sh computes them by hand)
has() { # has NAME EXTENDED-REGEX: a line of the DOM digest matches
	if grep -Eq "$2" "$t/dom.txt"; then ok "$1"; else no "$1"; fi
}
has "summary cards" '^card n-prompts: 3 prompts$'
has "sources table" '^  s1 \| 2 \| 5$'
has "rating histograms, one per aspect" '^svg \.hist data-aspect=truthfulness '
has "agreement: honesty exact 0.714 (bob vs gpt-4)" '^  bob \| gpt-4 \| 7 \| 0\.714 \| 1\.000 \| 0\.000 \| 0\.286 '
has "confusion heat map of honesty" '^svg \.heat confusion data-aspect=honesty data-pair=bob,gpt-4 .* 3 0 1 1 1 0 .*\[25 rects\]$'
has "gpt-4 conflict matrix heat map" '^svg \.heat conflict-matrix data-rater=gpt-4 .*: instruction_following honesty truthfulness instruction_following 0\.250 0\.000 honesty 0\.250 0\.250 truthfulness 0\.000 0\.250 \[9 rects\]$'
has "gpt-4 directional heat map" '^svg \.heat directional data-rater=gpt-4 .* honesty 0\.200 0\.200 '
has "side by side: pareto_incomparable bob 0.250, gpt-4 0.400" '^  Pareto-incomparable pairs \| 0\.250 \| 0\.400$'
has "adc_proxy.rel of gpt-4" '^  adc_proxy\.rel \| 0\.00854 \| 6$'
has "per-prompt histogram" '^svg \.prompt-hist .*gpt-4'
has "per-source conflict" '^  s2 \| n/a \| n/a \| 1\.000 \| 0\.12500$'
has "definitions" '^dt adc_proxy$'

chrome --screenshot="$t/report.png" --window-size=1200,1600 "file://$t/report.html" > /dev/null 2>&1
cp "$t/report.png" "$out/report.png" 2>/dev/null
# a PNG's width and height are big-endian words at bytes 16 and 20
size=$(od -An -tu1 -j16 -N8 "$t/report.png" 2>/dev/null |
	awk '{ print $1*16777216 + $2*65536 + $3*256 + $4 "x" $5*16777216 + $6*65536 + $7*256 + $8 }')
if [ "$size" = 1200x1600 ] && [ "$(wc -c < "$t/report.png")" -gt 20000 ]; then
	ok "screenshot 1200x1600 in tests/out/report.png"
else
	no "screenshot 1200x1600 in tests/out/report.png (got '$size')"
fi

echo "$pass $fail" >> "$out/results"
echo "render: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
