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
run_certify_e2e
check '[ "$(stat -c %a "$work/db-main.sqlite")" = 600 ]' "the database file is 0600"

# --- certify end to end. Evidence needs signed sessions from registered stations; here the
# rows are written straight into the database (a fixture, as the bench does), so that what
# `stipple certify` does with them is tested: the PDF, its code, --verify of file and code,
# a changed byte, another clinic's key, a private key readable by others.
cdb="$work/db-cert.sqlite"
"$bin" gradebook trainees add ben --name "Ben Ito" --db "$cdb" >/dev/null
/usr/bin/python3 - "$cdb" "$src/lessons/smp-technician-1.curriculum" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
lessons = []
for line in open(sys.argv[2]):
    w = line.split()
    if w and w[0] in ("lesson", "exam"):
        lessons.append((w[1], w[0] == "exam"))
n = 0
for lid, exam in lessons:
    for k in range(3 if exam else 1):
        n += 1
        h = hashlib.blake2b(b"fixture %d" % n, digest_size=32).hexdigest()
        db.execute("INSERT INTO sessions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   (h, "ben", lid, "0" * 64, "live", "a1b2c3d4e5f60718", "2026-12-%02dT10:00:00.000000Z" % n, 1,
                    "2026-12-05T10:00:00.000000Z", "f%d.stp" % n, "verified", 0, 1 if exam else 0, 1,
                    80.0 + n, 1, "spacing=80.00", "", 1500, 0, 0, 1, ""))
db.commit()
PY
export XDG_CONFIG_HOME="$work/clinic"
"$bin" certify ben --curriculum "$src/lessons/smp-technician-1.curriculum" --db "$cdb" -o "$work/ben.pdf" >"$work/certify.out" 2>&1
rc=$?
check '[ $rc -eq 0 ] && [ -s "$work/ben.pdf" ]' "certify issues a certificate when the rule is met: $(cat "$work/certify.out")"
check '[ "$(stat -c %a "$work/clinic/stipple/keys/clinic.key")" = 600 ]' "the clinic key is made 0600"
code=$(grep -o "verification code [0-9A-Z-]*" "$work/certify.out" | awk '{print $3}')
check '[ ${#code} -eq 12 ]' "a short verification code: '$code'"
"$bin" certify --verify "$work/ben.pdf" --db "$cdb" >"$work/v1.out" 2>&1
rc=$?
check '[ $rc -eq 0 ] && grep -q "valid: certificate $code for Ben Ito" "$work/v1.out"' "--verify FILE: $(cat "$work/v1.out")"
"$bin" certify --verify "$code" --db "$cdb" >"$work/v2.out" 2>&1
rc=$?
check '[ $rc -eq 0 ] && grep -q "valid" "$work/v2.out"' "--verify CODE: $(cat "$work/v2.out")"
if command -v pdftotext >/dev/null; then
    pdftotext -layout "$work/ben.pdf" "$work/ben.txt"
    nev=$(grep -c "session [0-9a-f]\{64\}" "$work/ben.txt")
    check 'grep -q "Ben Ito" "$work/ben.txt" && grep -q "$code" "$work/ben.txt" && [ "$nev" -eq 6 ]' \
        "the PDF names the trainee, the code and the 6 exam attempts' content hashes ($nev)"
fi
/usr/bin/python3 - "$work/ben.pdf" "$work/ben-edited.pdf" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.index(b"(stipple-certificate:") + 40
b[i] = ord("A") if b[i] != ord("A") else ord("B")
open(sys.argv[2], "wb").write(b)
PY
"$bin" certify --verify "$work/ben-edited.pdf" --db "$cdb" >"$work/v3.out" 2>&1
rc=$?
check '[ $rc -eq 1 ] && grep -q "NOT valid" "$work/v3.out"' "a changed certificate is not valid: $(cat "$work/v3.out")"
other=$(printf '%064d' 7)
"$bin" certify --verify "$work/ben.pdf" --key "$other" --db "$cdb" >"$work/v4.out" 2>&1
rc=$?
check '[ $rc -eq 1 ] && grep -q "not by the trusted clinic key" "$work/v4.out"' "another clinic's key: $(cat "$work/v4.out")"
chmod 644 "$work/clinic/stipple/keys/clinic.key"
"$bin" certify ben --curriculum "$src/lessons/smp-technician-1.curriculum" --db "$cdb" -o "$work/ben2.pdf" >"$work/c2.out" 2>&1
rc=$?
check '[ $rc -eq 1 ] && grep -q "readable by others" "$work/c2.out" && [ ! -e "$work/ben2.pdf" ]' "a 0644 clinic key is refused: $(cat "$work/c2.out")"
export XDG_CONFIG_HOME="$work/config"

# the bench keeps working (its figures are read by people): 15-minute sessions imported, and
# progress and certify timed, each line with a positive figure
"$bin" gradebook bench --quick --sessions 20 >"$work/bench.out" 2>&1
rc=$?
check '[ $rc -eq 0 ] && grep -Eq "^gradebook import: 4 sessions of 15\.0 min .*: [0-9.]*[1-9][0-9.]* sessions/s" "$work/bench.out" && grep -Eq "^gradebook sqlite: progress of a trainee with 20 sessions: [0-9.]+ ms" "$work/bench.out" && grep -Eq "^gradebook sqlite: certify .* with 20 sessions: [0-9.]+ ms" "$work/bench.out"' \
    "gradebook bench --quick: $(cat "$work/bench.out")"
echo "test_gradebook_cli_sqlite: $pass passed, $fail failed"
[ $fail -eq 0 ]
