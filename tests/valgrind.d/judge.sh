# sourced by tests/valgrind.sh: the judge's paths that need no server
check judge --model fake --base-url http://127.0.0.1:9/v1 --limit 3 --dry-run
check judge --model fake --base-url http://127.0.0.1:9/v1 --reparse
check judge --model fake --base-url http://example.invalid/v1 --limit 1
