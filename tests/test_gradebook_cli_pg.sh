#!/usr/bin/env bash
# The gradebook from the command line on PostgreSQL: the same checks as on SQLite (hostile
# names, idempotent import, refusals, progress, overrides, two importers, 20 kill -9 rounds)
# against a throwaway cluster this test starts as an unprivileged user and stops.
# usage: test_gradebook_cli_pg.sh STIPPLE_BINARY SOURCE_DIR WORK_DIR
set -u
bin=$1; src=$2; work=$3
rm -rf "$work"; mkdir -p "$work"
KILLS=${STIPPLE_GRADEBOOK_KILLS_PG:-20}
. "$src/tests/gradebook_cli_suite.sh"

pgdir=$(mktemp -d /tmp/stipple-pgcli-XXXXXX)
bash "$src/tests/pg_cluster.sh" start "$pgdir" >/dev/null
rc=$?
if [ $rc -eq 77 ]; then rmdir "$pgdir" 2>/dev/null; echo "skipped: no PostgreSQL server programs"; exit 77; fi
[ $rc -eq 0 ] || { bash "$src/tests/pg_cluster.sh" stop "$pgdir"; echo "could not start PostgreSQL"; exit 1; }
trap 'bash "$src/tests/pg_cluster.sh" stop "$pgdir"' EXIT

fresh_db() {
    bash "$src/tests/pg_cluster.sh" createdb "$pgdir" "gb_$1" >/dev/null 2>&1 || echo "createdb gb_$1 failed" >&2
    echo "postgresql://postgres@/gb_$1?host=$pgdir/sock"
}

run_gradebook_suite
# The end-to-end certification draws seven sessions live, in real time (~160 s under the
# sanitizers). The sanitizer build runs it on SQLite alone (STIPPLE_E2E_ENGINES=sqlite, set
# by tests/CMakeLists.txt): what it adds there is the app's memory checked, the same on
# either engine. The plain build runs it on both.
if [ "${STIPPLE_E2E_ENGINES:-both}" = sqlite ]; then
    echo "certify end to end: not run on PostgreSQL in this build (STIPPLE_E2E_ENGINES=sqlite; the SQLite test runs it)"
else
    run_certify_e2e
fi
echo "test_gradebook_cli_pg: $pass passed, $fail failed"
[ $fail -eq 0 ]
