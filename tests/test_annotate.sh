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
grep -qE "^  depth +72\.5  \(computed ${computed}, (passed|failed)\)  first session on this skin" <<<"$g" ||
    say "grade does not show the override beside the computed depth score ($computed): $(tail -3 <<<"$g")"
# a verdict override; grade --json carries both beside the computed metrics, which stay
"$bin" annotate s.stp --override pigment=pass --reason "the client chose this shade" >/dev/null || say "verdict override"
"$bin" annotate s.stp | grep -qF "override pigment = passed: the client chose this shade" || say "the verdict is not listed"
"$bin" grade s.stp --json >g.json || say "grade --json with notes"
python3 - g.json "$computed" <<'PY' || fail=1
import json, sys
g = json.load(open(sys.argv[1])); computed = float(sys.argv[2])
ins = g.get("instructor")
def bad(m): print("FAIL: grade --json:", m); sys.exit(1)
if not ins or ins.get("applied") is not True: bad(f"no applied instructor object: {ins}")
d, p = ins["overrides"].get("depth"), ins["overrides"].get("pigment")
if not d or d.get("score") != 72.5 or d.get("reason") != "first session on this skin": bad(f"depth override: {d}")
if abs(d["computed_score"] - computed) > 0.051 or d["computed_score"] != g["metrics"]["depth"]["score"]: bad(f"computed depth: {d}")
if d["computed_passed"] != g["metrics"]["depth"]["passed"]: bad("computed depth verdict")
if not p or p.get("passed") is not True or "score" in p: bad(f"pigment verdict: {p}")
texts = sorted(c["comment"] for c in ins["comments"])
if texts != sorted(["too deep: lighten your hand", "the machine ran idle", "gap here"]): bad(f"comments: {texts}")
if not any(c.get("region_mm") == [10, 10, 20, 20] for c in ins["comments"]): bad("the region comment")
print("ok: grade --json carries the overrides beside the computed scores")
PY
"$bin" simulate --lesson "$src/lessons/01-spacing-drill.json" --trainee deep --seed 3 -o plain.stp >/dev/null || exit 1
"$bin" grade plain.stp --json | python3 -c 'import json,sys; sys.exit("instructor" in json.load(sys.stdin))' ||
    say "grade --json of a session without notes has an instructor object"
# bad arguments
for args in "--override depth=72.5" "--override depth=101 --reason r" "--override depth=maybe --reason r" "--override speed=1 --reason r" "--text t" \
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
"$bin" grade t.stp --json 2>/dev/null | python3 -c 'import json,sys; i=json.load(sys.stdin)["instructor"]; sys.exit(i["applied"] is not False or "session hash differs" not in i["message"])' ||
    say "grade --json does not mark a mismatched sidecar as not applied"
# a corrupt sidecar: refused, named, kept as it is
printf '{"format":' >c.stp.notes.json; cp s.stp c.stp
"$bin" annotate c.stp --at 1 --text x >/dev/null 2>err.txt && say "wrote over a corrupt sidecar"
grep -q "c.stp.notes.json" err.txt || say "the corrupt sidecar is not named: $(cat err.txt)"
[ "$(cat c.stp.notes.json)" = '{"format":' ] || say "the corrupt sidecar was changed"
[ $fail -eq 0 ] && echo "test_annotate: passed" || echo "test_annotate: FAILED"
exit $fail
