#!/usr/bin/env bash
# Sessions and lessons the grader did not make (issue 8, section 8, the grading side):
#  - a lesson whose title holds a terminal escape (ESC ] 0 ; ... BEL retitles a terminal)
#    comes out escaped from `lesson check`, `grade` and `dots`: no raw ESC or BEL byte;
#  - a session damaged so that nothing is left exits non-zero with a clear message, never
#    a report of 0 dots scoring 0 with exit 0; the same session whole still grades.
# usage: test_grade_hostile.sh STIPPLE_BINARY SOURCE_DIR WORK_DIR
set -u
bin=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work" || exit 1
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
has_raw_control() { LC_ALL=C grep -q $'[\x1b\x07]' "$1"; }

lesson=$src/lessons/01-spacing-drill.json
[ -f "$lesson" ] || { echo "SKIP: $lesson is missing"; exit 77; }

# the title with ESC ] 0 ; pwned BEL, written as JSON escapes (the file itself is clean JSON)
evil=$work/evil.json
sed 's/"title": "[^"]*"/"title": "\\u001b]0;pwned\\u0007 Spacing drill"/' "$lesson" >"$evil"
grep -q 'u001b]0;pwned' "$evil" || { echo "FAIL: could not make the lesson"; exit 1; }

"$bin" lesson check "$evil" >"$work/check.out" 2>&1; rc=$?
cat "$work/check.out"
[ $rc -eq 0 ] && ok || bad "lesson check exit $rc"
has_raw_control "$work/check.out" && bad "lesson check printed a raw control byte" || ok
grep -qF '\e]0;pwned' "$work/check.out" && ok || bad "lesson check does not show the escape as \\e"

"$bin" simulate --lesson "$evil" --trainee expert --seed 1 -o "$work/s.stp" >/dev/null || { echo "FAIL: simulate"; exit 1; }
"$bin" grade --lesson "$evil" "$work/s.stp" >"$work/grade.out" 2>&1; rc=$?
head -3 "$work/grade.out"
[ $rc -eq 0 ] && ok || bad "grade exit $rc"
has_raw_control "$work/grade.out" && bad "grade printed a raw control byte" || ok
grep -qF '\e]0;pwned\x07 Spacing drill' "$work/grade.out" && ok || bad "grade does not show the title escaped"
"$bin" dots --lesson "$evil" "$work/s.stp" >"$work/dots.out" 2>&1; rc=$?
[ $rc -eq 0 ] && ok || bad "dots exit $rc"
has_raw_control "$work/dots.out" && bad "dots printed a raw control byte" || ok

# Damage that leaves nothing: the header chunk whole, then the file cut inside the first
# chunk after it (magic 8 bytes, then [type u8][length u32 LE][payload][crc u32]).
hlen=$(od -An -tu4 -j9 -N4 "$work/s.stp" | tr -d ' ')
cut=$((8 + 1 + 4 + hlen + 4 + 3))
head -c "$cut" "$work/s.stp" >"$work/cut.stp"
"$bin" grade --lesson "$evil" "$work/cut.stp" >"$work/cut.out" 2>"$work/cut.err"; rc=$?
cat "$work/cut.err"
[ $rc -ne 0 ] && ok || bad "a session with nothing recovered graded with exit 0"
grep -q "cut.stp: .*nothing could be recovered" "$work/cut.err" && ok || bad "no clear message for a session with nothing recovered"
grep -q "Total" "$work/cut.out" && bad "a report was printed for a session with nothing recovered" || ok
# ... and the same header followed by garbage instead of chunks
{ head -c $((8 + 1 + 4 + hlen + 4)) "$work/s.stp"; head -c 4000 /dev/zero | tr '\0' '\377'; } >"$work/junk.stp"
"$bin" grade --lesson "$evil" "$work/junk.stp" >/dev/null 2>"$work/junk.err"; rc=$?
cat "$work/junk.err"
[ $rc -ne 0 ] && ok || bad "a header and garbage graded with exit 0"
"$bin" dots --lesson "$evil" "$work/cut.stp" >/dev/null 2>&1 && bad "dots of a session with nothing recovered exit 0" || ok

echo "test_grade_hostile: $pass passed, $fail failed"
[ $fail -eq 0 ]
