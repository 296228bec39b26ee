#!/bin/bash
# test_review_live.sh: the review player driven as an instructor drives it, by real X key and
# mouse events (xdotool, through XTEST) under Xvfb: play and pause, seek by clicking the
# timeline, step to the next dot, jump to the next flagged dot of a kind, a screenshot (F12),
# an override typed in (O), a comment on a region dragged out over the skin (R), a comment on
# the inspected dot (A). The player
# reports its state after each key and click (--script-log); each is checked against the
# session (its duration, `stipple dots`, `stipple grade --json`) and the notes against the
# sidecar, read back by `stipple grade --json`. The session's bytes never change.
#   args: STIPPLE_BINARY SOURCE_DIR WORK_DIR
set -u
BIN=$1 SRC=$2 WORK=$3
command -v xvfb-run >/dev/null || { echo "SKIP: xvfb-run is not installed"; exit 77; }
command -v xdotool >/dev/null || { echo "SKIP: xdotool is not installed (apt-get install xdotool)"; exit 77; }
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
export MESA_SHADER_CACHE_DISABLE=true XDG_DATA_HOME="$WORK/data" STIPPLE_LESSONS="$SRC/lessons" USER=tester
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0   # Mesa/SDL dlclose noise (platform.md)
unset STIPPLE_SESSIONS
"$BIN" simulate --lesson "$SRC/lessons/04-soft-hairline.json" --trainee hard-hairline --seed 2 -o hair.stp >/dev/null || exit 1
sum_before=$(sha256sum hair.stp)
"$BIN" grade hair.stp --json >grade.json || exit 1
"$BIN" dots hair.stp >dots.csv || exit 1

cat >drive.sh <<'DRIVE'
#!/bin/bash
# inside xvfb-run: start the player, wait for its window, send keys and clicks, wait for each answer
"$1" review hair.stp --kind placement --script-log >app.out 2>app.err &
pid=$!
n_state() { grep -c "^review: state after" app.out 2>/dev/null; }
wait_for() {   # PATTERN: up to 60 s for a line
    for _ in $(seq 600); do grep -q "$1" app.out 2>/dev/null && return 0; kill -0 $pid 2>/dev/null || return 1; sleep 0.1; done
    echo "timed out waiting for '$1'"; return 1
}
wait_states() {   # N: up to 60 s until N state lines
    for _ in $(seq 600); do [ "$(n_state)" -ge "$1" ] && return 0; kill -0 $pid 2>/dev/null || return 1; sleep 0.1; done
    echo "timed out waiting for state line $1"; return 1
}
stop() { kill $pid 2>/dev/null; wait $pid; exit 1; }
win=""
for _ in $(seq 600); do win=$(xdotool search --all --pid $pid --name '^Stipple$' 2>/dev/null | head -1); [ -n "$win" ] && break; sleep 0.1; done
[ -n "$win" ] || { echo "no window"; stop; }
wait_for "review: open to first frame" || stop
xdotool windowfocus --sync "$win" 2>/dev/null || xdotool windowfocus "$win"
n=$(n_state)
# play for a while, then pause
xdotool key space; wait_states $((n + 1)) || stop
sleep 1.5
xdotool key space; wait_states $((n + 2)) || stop
# seek: click a quarter of the way along the timeline (its columns span x 20 .. width-20, at y 700 .. 770)
xdotool mousemove --window "$win" 330 735 click 1; wait_states $((n + 4)) || stop
# the next dot, then the next flagged dot of the kind (placement)
xdotool key Right; wait_states $((n + 5)) || stop
xdotool key shift+Right; wait_for "state after key Right: .*(flagged)" || stop
# a screenshot of what is shown
xdotool key F12; wait_for "^screenshot: " || stop
# an override: O, the score, Enter, the reason, Enter
xdotool key o; sleep 0.3; xdotool type --delay 30 "72.5"; xdotool key Return
sleep 0.3; xdotool type --delay 20 "scar tissue here"; xdotool key Return
wait_for "review: override saved beside" || stop
# a region comment: R, drag over the skin in the middle of the window, the text, Enter
xdotool key r; sleep 0.3
xdotool mousemove --window "$win" 560 330 mousedown 1 mousemove --window "$win" 620 380 mousemove --window "$win" 700 450 mouseup 1
sleep 0.5; xdotool type --delay 20 "gap in this patch"; xdotool key Return
wait_for "review: region comment saved beside" || stop
# a comment on the inspected dot, typed after the others (its first letter is the key's own: kept)
xdotool key a; sleep 0.3; xdotool type --delay 20 "again too far out"; xdotool key Return
wait_for "review: comment saved beside" || stop
xdotool key F12; sleep 1
xdotool key Escape
for _ in $(seq 300); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill $pid 2>/dev/null
wait $pid
DRIVE
SDL_VIDEODRIVER=x11 xvfb-run -a -s "-screen 0 1280x800x24" bash drive.sh "$BIN"
rc=$?
cat app.out
fail=0
[ $rc -eq 0 ] || { echo "FAIL: driving the player: status $rc"; cat app.err; fail=1; }
[ "$(sha256sum hair.stp)" = "$sum_before" ] || { echo "FAIL: reviewing changed the session file"; fail=1; }
"$BIN" grade hair.stp --json >graded.json || fail=1
"$PY" - app.out grade.json dots.csv graded.json <<'PY' || fail=1
import csv, json, re, sys
out = open(sys.argv[1]).read()
g = json.load(open(sys.argv[2]))
dots = list(csv.DictReader(open(sys.argv[3])))
notes = json.load(open(sys.argv[4])).get("instructor")
dur = g["session"]["duration_s"]
st = [dict(zip(("what", "t", "play", "speed", "shown", "all", "dot", "flagged"), m.groups()))
      for m in re.finditer(r"^review: state after (.*?): t ([0-9.]+) s, (playing|paused), speed ([0-9.]+)x, "
                           r"dots (\d+) of (\d+)(?: \(reading\))?, dot (\d+)( \(flagged\))?", out, re.M)]
bad = []
def want(cond, msg):
    if not cond: bad.append(msg)
keys = [s for s in st if s["what"].startswith("key ") or s["what"].startswith("release") or s["what"].startswith("click")]
sp = [s for s in st if s["what"] == "key Space"]
want(len(sp) >= 2 and sp[0]["play"] == "playing" and sp[1]["play"] == "paused", f"space did not play then pause: {sp}")
if len(sp) >= 2:
    t = float(sp[1]["t"])
    want(0.3 <= t <= 20.0, f"1.5 s of playing at 1x reached {t} s")
clk = [s for s in st if s["what"].startswith("click 1 at")]
want(clk, "no click on the timeline")
if clk:
    x = int(re.search(r"at (\d+),", clk[0]["what"]).group(1))
    expect = (x - 20) / (1280 - 40) * dur
    t = float(clk[0]["t"])
    want(abs(t - expect) <= 2 * dur / 1240, f"the click at x {x} sought to {t:.3f} s, the timeline puts {expect:.3f} s there")
rights = [s for s in st if s["what"] == "key Right"]
want(len(rights) >= 2, f"the steps did not answer: {rights}")
if clk and len(rights) >= 2:
    before = int(clk[0]["shown"]); d1 = int(rights[0]["dot"])
    want(d1 == before + 1, f"the next dot after {before} shown is {before + 1}, the step went to {d1}")
    want(int(rights[0]["shown"]) >= d1 and float(dots[d1 - 1]["time_s"]) <= float(rights[0]["t"]) + 1e-6,
         f"the step to dot {d1} does not show it placed: {rights[0]}")
    place = {"outside_zone", "in_front", "off_scalp"}
    flagged = sorted(d["index"] for d in g["flagged_dots"] if place & set(d["flags"]))
    later = [i for i in flagged if i >= d1]
    d2 = int(rights[1]["dot"])
    want(later and d2 == later[0] + 1 and rights[1]["flagged"],
         f"the next placement flag after dot {d1} is dot {later[0] + 1 if later else None}, the step went to {d2}")
    want(float(rights[1]["t"]) >= float(rights[0]["t"]), "the flag step went back in time")
want(re.search(r"^screenshot: \S+\.png", out, re.M), "F12 took no screenshot")
want(notes and notes.get("applied"), f"grade --json shows no applied notes: {notes}")
if notes:
    d = notes["overrides"].get("depth")
    want(d and d.get("score") == 72.5 and d.get("reason") == "scar tissue here" and d.get("author") == "tester",
         f"the override typed in the review: {d}")
    reg = [c for c in notes["comments"] if "region_mm" in c]
    want(len(reg) == 1 and reg[0]["comment"] == "gap in this patch", f"the region comment: {reg}")
    dc = [c for c in notes["comments"] if "dot" in c]
    want(len(dc) == 1 and dc[0]["comment"] == "again too far out" and len(rights) >= 2 and dc[0]["dot"] == int(rights[1]["dot"]),
         f"the comment on the inspected dot: {dc}")
    if reg:
        u0, v0, u1, v1 = reg[0]["region_mm"]
        want(u1 - u0 > 1.0 and v1 - v0 > 1.0, f"the dragged region is {reg[0]['region_mm']} mm")
if bad:
    print("FAIL: " + "\nFAIL: ".join(bad)); sys.exit(1)
print(f"ok: play/pause, timeline seek, next dot, next flag, override and region comment ({len(st)} states)")
PY
ls stipple-review-*.png 2>/dev/null | sed 's/^/screenshot kept: /'

# A client with hair: the player opens without waiting for the hairs (they go in after the
# first frame). Turned to the back of the head (right-drag) and zoomed in (wheel), what it
# shows then (F12) must be what a player that baked them before its first frame shows
# (STIPPLE_REVIEW_NO_DEFER=1), and not the bare skin of the first frame.
"$BIN" simulate --lesson "$SRC/lessons/05-fut-scar.json" --trainee expert --seed 1 -o client.stp >/dev/null || fail=1
cat >drive2.sh <<'DRIVE'
#!/bin/bash
# $1 binary, $2 output file for the player's stdout
"$1" review ../client.stp >"$2" 2>"$2.err" &
pid=$!
for _ in $(seq 600); do grep -q "review: open to first frame" "$2" 2>/dev/null && break; kill -0 $pid 2>/dev/null || exit 1; sleep 0.1; done
win=$(xdotool search --all --pid $pid --name '^Stipple$' 2>/dev/null | head -1)
[ -n "$win" ] || { kill $pid; exit 1; }
xdotool windowfocus --sync "$win" 2>/dev/null || xdotool windowfocus "$win"
xdotool mousemove --window "$win" 640 300 mousedown 3
for _ in $(seq 12); do xdotool mousemove_relative 50 0; sleep 0.05; done
for _ in $(seq 3); do xdotool mousemove_relative 0 50; sleep 0.05; done
xdotool mouseup 3
for _ in $(seq 4); do xdotool click 4; sleep 0.05; done
sleep 1
xdotool key F12
for _ in $(seq 300); do grep -q "^screenshot: " "$2" 2>/dev/null && break; sleep 0.1; done
xdotool key Escape
for _ in $(seq 300); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill $pid 2>/dev/null
wait $pid
DRIVE
shot_of() { sed -n 's/^screenshot: \(\S*\.png\).*/\1/p' "$1" | head -1; }
mkdir -p deferred baked
(cd deferred && SDL_VIDEODRIVER=x11 xvfb-run -a -s "-screen 0 1280x800x24" bash ../drive2.sh "$BIN" live.out)
(cd baked && STIPPLE_REVIEW_NO_DEFER=1 SDL_VIDEODRIVER=x11 xvfb-run -a -s "-screen 0 1280x800x24" bash ../drive2.sh "$BIN" live.out)
d=$(shot_of deferred/live.out) b=$(shot_of baked/live.out)
grep -h "open to first frame" deferred/live.out baked/live.out
if [ -z "$d" ] || [ -z "$b" ]; then
    echo "FAIL: the client-with-hair reviews gave no screenshot ('$d', '$b')"; fail=1
elif ! "$PY" "$SRC/tests/golden/compare_png.py" "deferred/$d" "baked/$b" --max-mean 0.1 --max-bad 0.0002; then
    echo "FAIL: the review that baked the client's hair after its first frame does not show it as one that baked it before"
    fail=1
fi
[ $fail -eq 0 ] && echo "test_review_live: PASS" || echo "test_review_live: FAILED (files in $WORK)"
exit $fail
