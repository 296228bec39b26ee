#!/bin/bash
# test_review.sh: `stipple review SESSION` under Xvfb: open a recorded session at a time,
# step to the next flagged dot of a kind, screenshot, compare with a golden image. The step
# lands on the first dot after that time whose flags (from `grade --json`) are of that kind;
# reviewing leaves the session file byte for byte as it was and writes no session anywhere.
#   args: STIPPLE_BINARY SOURCE_DIR WORK_DIR
# STIPPLE_UPDATE_GOLDEN=1 rewrites the golden image (after checking it by eye).
set -u
BIN=$1 SRC=$2 WORK=$3
command -v xvfb-run >/dev/null || { echo "SKIP: xvfb-run is not installed"; exit 77; }
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
export MESA_SHADER_CACHE_DISABLE=true XDG_DATA_HOME="$WORK/data"
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0   # Mesa/SDL dlclose noise (platform.md)
unset STIPPLE_SESSIONS
fail=0
GOLD=$SRC/tests/golden

# the command line: help, bad options, a file that is not a session
"$BIN" review --help | grep -q "usage: stipple review" || { echo "FAIL: review --help"; fail=1; }
"$BIN" review --nonsense x.stp >/dev/null 2>err.txt; rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <err.txt)" -eq 1 ] || { echo "FAIL: bad option: status $rc: $(cat err.txt)"; fail=1; }
"$BIN" review --step sideways x.stp >/dev/null 2>err.txt; rc=$?
[ $rc -eq 2 ] || { echo "FAIL: bad --step: status $rc"; fail=1; }
echo "not a session" >junk.stp
"$BIN" review junk.stp >/dev/null 2>err.txt; rc=$?
[ $rc -eq 1 ] && grep -q "junk.stp" err.txt || { echo "FAIL: junk session: status $rc: $(cat err.txt)"; fail=1; }

"$BIN" simulate --lesson "$SRC/lessons/04-soft-hairline.json" --trainee hard-hairline --seed 2 -o hair.stp >/dev/null || exit 1
sum_before=$(sha256sum hair.stp)
SDL_VIDEODRIVER=x11 xvfb-run -a -s "-screen 0 1280x800x24" "$BIN" review hair.stp --at 100 --kind placement \
    --step flag+ --screenshot-at here:flag.png --exit-after here >review.out 2>review.err
rc=$?
cat review.out
if [ $rc -ne 0 ] || [ ! -s flag.png ]; then echo "FAIL: review exited $rc"; cat review.err; fail=1; fi
[ "$(sha256sum hair.stp)" = "$sum_before" ] || { echo "FAIL: reviewing changed the session file"; fail=1; }
[ -z "$(find "$WORK" -name '*.stp' ! -name hair.stp ! -name junk.stp)" ] || { echo "FAIL: review wrote a session"; fail=1; }

# the step: the first dot made after 100 s with a placement flag
"$BIN" grade hair.stp --json >grade.json || fail=1
"$PY" - review.out grade.json <<'PY' || fail=1
import json, re, sys
out, g = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
m = re.search(r"review: step flag\+ from 100\.000000 s \((\d+) dots made\): dot (\d+), made at ([0-9.]+) s", out)
if not m:
    print("FAIL: no step line"); sys.exit(1)
made, sel = int(m.group(1)), int(m.group(2)) - 1
place = {"outside_zone", "in_front", "off_scalp"}
flagged = sorted(d["index"] for d in g["flagged_dots"] if place & set(d["flags"]))
want = [i for i in flagged if i >= made]
if not want or sel != want[0]:
    print(f"FAIL: stepped to dot {sel}, the first placement flag at or after dot {made} is {want[:1]}"); sys.exit(1)
if float(m.group(3)) < 100.0:
    print("FAIL: the step went back in time"); sys.exit(1)
print(f"ok: the step went to dot #{sel + 1}, the first placement flag after the {made} dots made by 100 s")
PY

if [ -s flag.png ]; then
    if [ "${STIPPLE_UPDATE_GOLDEN:-0}" = 1 ]; then cp flag.png "$GOLD/review-flag.png"; echo "updated $GOLD/review-flag.png"
    else "$PY" "$GOLD/compare_png.py" flag.png "$GOLD/review-flag.png" || fail=1; fi
fi
[ $fail -eq 0 ] && echo "test_review: PASS" || echo "test_review: FAILED (images in $WORK)"
exit $fail
