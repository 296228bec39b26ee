#!/usr/bin/env bash
# The gradebook from the command line on SQLite: hostile names, idempotent import, refusals,
# progress from the data, overrides, two importers at once, 50 kill -9 rounds (integrity
# checked by SQLite itself), the database file's mode.
# usage: test_gradebook_cli_sqlite.sh STIPPLE_BINARY SOURCE_DIR WORK_DIR
set -u
bin=$1; src=$2; work=$3
rm -rf "$work"; mkdir -p "$work"
KILLS=${STIPPLE_GRADEBOOK_KILLS:-50}
. "$src/tests/gradebook_cli_suite.sh"

fresh_db() { echo "$work/db-$1.sqlite"; }
sqlite_integrity() {
    /usr/bin/python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
sys.exit(0 if c.execute("PRAGMA integrity_check").fetchone()[0] == "ok" else 1)' "$1"
}
check_integrity=sqlite_integrity

run_gradebook_suite
check '[ "$(stat -c %a "$work/db-main.sqlite")" = 600 ]' "the database file is 0600"
echo "test_gradebook_cli_sqlite: $pass passed, $fail failed"
[ $fail -eq 0 ]
