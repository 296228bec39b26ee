#!/usr/bin/env bash
# `stipple annotate`: notes beside a session (comments pinned to a time, a dot, a region; a
# grade override with its reason), listed back, shown by `stipple grade` beside the computed
# score (which stays); the session's bytes never change; a sidecar of another session (or of
# this one before it changed) is refused for writing and not applied by grade, with a message;
# bad arguments are one line and status 2.
# usage: test_annotate.sh STIPPLE_BINARY SOURCE_DIR WORK_DIR
set -u
bin=$1; src=$2; work=$3
rm -rf "$work"; mkdir -p "$work"; cd "$work" || exit 1
export STIPPLE_LESSONS="$src/lessons"
fail=0
say() { echo "FAIL: $*"; fail=1; }
"$bin" simulate --lesson "$src/lessons/01-spacing-drill.json" --trainee deep --seed 2 -o s.stp >/dev/null || exit 1
sum=$(sha256sum <s.stp)
"$bin" annotate s.stp | grep -q "No notes" || say "a session without notes"
"$bin" annotate s.stp --dot 7 --text "too deep: lighten your hand" --author lead >/dev/null || say "dot comment"
"$bin" annotate s.stp --at 12.5 --text "the machine ran idle" >/dev/null || say "time comment"
"$bin" annotate s.stp --region 10,10,20,20 --text "gap here" >/dev/null || say "region comment"
"$bin" annotate s.stp --override depth=72.5 --reason "first session on this skin" >/dev/null || say "override"
[ "$(sha256sum <s.stp)" = "$sum" ] || say "annotating changed the session file"
[ -s s.stp.notes.json ] || say "no sidecar beside the session"
list=$("$bin" annotate s.stp)
for want in "dot 7: too deep: lighten your hand (lead)" "at 12.500 s: the machine ran idle" "region 10.0,10.0-20.0,20.0 mm: gap here" \
            "override depth = 72.5: first session on this skin"; do
    grep -qF "$want" <<<"$list" || say "the list lacks '$want': $list"
done
computed=$("$bin" grade s.stp --json | python3 -c 'import json,sys; print("%.1f" % json.load(sys.stdin)["metrics"]["depth"]["score"])' 2>/dev/null)
g=$("$bin" grade s.stp)
grep -qE "^  depth +72\.5  \(computed ${computed}\)  first session on this skin" <<<"$g" ||
    say "grade does not show the override beside the computed depth score ($computed): $(tail -3 <<<"$g")"
# bad arguments
for args in "--override depth=72.5" "--override depth=101 --reason r" "--override speed=1 --reason r" "--text t" \
            "--text t --at 1 --dot 2" "--at 1" "--dot 0 --text t" "--region 1,2,3 --text t"; do
    "$bin" annotate s.stp $args >/dev/null 2>err.txt; rc=$?
    [ $rc -eq 2 ] && [ "$(wc -l <err.txt)" -eq 1 ] || say "annotate $args: status $rc, $(cat err.txt)"
done
# the session changes: its notes no longer apply
cp s.stp t.stp; cp s.stp.notes.json t.stp.notes.json; printf 'x' >>t.stp
"$bin" annotate t.stp --at 1 --text more >/dev/null 2>err.txt && say "added to notes of another session"
grep -q "session hash differs" err.txt || say "no clear message for a mismatched sidecar: $(cat err.txt)"
"$bin" grade t.stp 2>/dev/null | grep -q "not applied" || say "grade applied (or hid) a mismatched sidecar"
"$bin" grade t.stp 2>/dev/null | grep -q "^  depth  *72.5" && say "grade applied a mismatched override"
# a corrupt sidecar: refused, named, kept as it is
printf '{"format":' >c.stp.notes.json; cp s.stp c.stp
"$bin" annotate c.stp --at 1 --text x >/dev/null 2>err.txt && say "wrote over a corrupt sidecar"
grep -q "c.stp.notes.json" err.txt || say "the corrupt sidecar is not named: $(cat err.txt)"
[ "$(cat c.stp.notes.json)" = '{"format":' ] || say "the corrupt sidecar was changed"
[ $fail -eq 0 ] && echo "test_annotate: passed" || echo "test_annotate: FAILED"
exit $fail
