#!/usr/bin/env bash
# test_input_devices.sh: every recording in ../shared/devices (and tests/data/devices) played
# through `stipple devices test --json`, compared with facts computed here INDEPENDENTLY from
# the raw "E:" lines by awk: frames (SYN_REPORT), contacts (BTN_TOUCH going down), proximity
# in/out (BTN_TOOL_PEN/RUBBER; a device with no tool keys is in proximity from its first
# frame), pressure/tilt ranges (ABS values outside a SYN_DROPPED..SYN_REPORT gap), drops.
# Also: `stipple devices` without /dev/input, evemu errors with line numbers, calibrate.
# Args: STIPPLE_BINARY SOURCE_DIR WORK_DIR
set -euo pipefail
bin=$1 src=$2 work=$3
shared=$src/../shared/devices
if ! ls "$shared"/*.events >/dev/null 2>&1; then echo "SKIP: no shared recordings at $shared"; exit 77; fi
rm -rf "$work"
mkdir -p "$work"
fail=0
say_fail() { echo "FAIL: $*" >&2; fail=1; }

# awk: the expected facts as "key value" lines
expect() {
    awk '
    # values of the frame being read: committed at SYN_REPORT, discarded at SYN_DROPPED
    function keep(c, v) { if (!(c in fmin) || v < fmin[c]) fmin[c] = v; if (!(c in fmax) || v > fmax[c]) fmax[c] = v }
    function commit(  c) {
        for (c in fmin) { if (!(c in lo) || fmin[c] < lo[c]) lo[c] = fmin[c]; if (!(c in hi) || fmax[c] > hi[c]) hi[c] = fmax[c] }
        split("", fmin); split("", fmax)
    }
    function range(c) { return (c in lo) ? lo[c] ".." hi[c] : "null" }
    $1 == "E:" {
        type = $3; code = $4; v = $5 + 0
        if (type == "0000" && code == "0003") {
            dropping = 1; drops++; split("", fmin); split("", fmax)
            pen = cpen; rubber = crubber; touch = ctouch
            next
        }
        if (dropping) { if (type == "0000" && code == "0000") dropping = 0; next }
        if (type == "0000" && code == "0000") {
            frames++
            commit()
            prox = saw_tool ? (pen || rubber) : 1
            if (prox && !was_prox) pin++
            if (!prox && was_prox) pout++
            t = touch && prox
            if (t && !was_touch) contacts++
            was_prox = prox; was_touch = t
            cpen = pen; crubber = rubber; ctouch = touch
            next
        }
        if (type == "0001") {
            if (code == "0140") { saw_tool = 1; pen = v != 0 }
            if (code == "0141") { saw_tool = 1; rubber = v != 0 }
            if (code == "014a") touch = v != 0
            if ((code == "0140" || code == "0141") && !(pen || rubber)) touch = 0
        }
        if (type == "0003" && (code == "0018" || code == "001a" || code == "001b")) keep(code, v)
    }
    END {
        printf "frames %d\nproximity_in %d\nproximity_out %d\ncontacts %d\nsyn_dropped %d\n", frames, pin, pout, contacts, drops
        printf "pressure %s\ntilt_x %s\ntilt_y %s\n", range("0018"), range("001a"), range("001b")
    }' "$1"
}

# the same facts from stipple's JSON
got() {
    /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
for k in ("frames", "proximity_in", "proximity_out", "contacts", "syn_dropped"):
    print(k, d[k])
for k in ("pressure", "tilt_x", "tilt_y"):
    print(k, "null" if d[k] is None else "%d..%d" % (d[k]["min"], d[k]["max"]))
'
}

n=0
for f in "$shared"/*.events "$src"/tests/data/devices/*.events; do
    [ -e "$f" ] || continue
    args=()
    case "$f" in *"Intuos4 6x9."*) args=(--desc "$shared/Wacom Intuos4 6x9 Pen.desc") ;; esac
    if ! "$bin" devices test "$f" "${args[@]}" --json >"$work/out.json" 2>"$work/err.txt"; then
        say_fail "$f: stipple devices test failed: $(cat "$work/err.txt")"
        continue
    fi
    expect "$f" >"$work/want.txt"
    got <"$work/out.json" >"$work/got.txt"
    if ! diff -u "$work/want.txt" "$work/got.txt" >"$work/diff.txt"; then
        say_fail "$(basename "$f"): stipple reads differently from the raw events:"
        cat "$work/diff.txt" >&2
    fi
    n=$((n + 1))
done
[ "$n" -ge 6 ] || say_fail "only $n recordings found (expected the shared ones and the synthetic ones)"
echo "recordings compared: $n"

# device classes from the descriptions
cls() { "$bin" devices test "$@" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["class"])'; }
[ "$(cls "$shared/Wacom Cintiq 13HD touch Pen.events")" = "pen display" ] || say_fail "Cintiq is not a pen display"
[ "$(cls "$shared/Wacom Intuos4 6x9.stylus-tap.events" --desc "$shared/Wacom Intuos4 6x9 Pen.desc")" = "pen tablet" ] ||
    say_fail "Intuos4 is not a pen tablet"
[ "$(cls "$shared/UC-LOGIC Tablet WP5540U Pen.events")" = "pen tablet" ] || say_fail "UC-Logic is not a pen tablet"
[ "$(cls "$src/tests/data/devices/fusion-pen.events")" = "instrumented pen" ] || say_fail "instrumented pen class"

# a description-less recording without --desc: a clear error naming the file
if "$bin" devices test "$shared/Wacom Intuos4 6x9.stylus-tap.events" 2>"$work/err.txt"; then
    say_fail "an events-only file without --desc was accepted"
fi
grep -q "no device description" "$work/err.txt" || say_fail "missing-description error: $(cat "$work/err.txt")"

# an evemu error: line number computed from the text
printf '# EVEMU 1.3\nN: Broken\nI: 0003 056a 00b9 0100\nA: 18 0 2047 0 0 0\nE: 0.000000 0003 0018 12\nE: 0.000100 0003 zz 1\n' >"$work/bad.events"
line=$(grep -n 'zz' "$work/bad.events" | cut -d: -f1)
"$bin" devices test "$work/bad.events" 2>"$work/err.txt" && say_fail "a broken recording was accepted"
grep -q "^stipple devices test: $work/bad.events:$line: bad event code" "$work/err.txt" ||
    say_fail "evemu error should name line $line: $(cat "$work/err.txt")"

# stipple devices where /dev/input does not exist: says so, exits 0
STIPPLE_INPUT_DIR=$work/no-such-dir "$bin" devices >"$work/list.txt" || say_fail "stipple devices failed without /dev/input"
grep -q "does not exist on this machine" "$work/list.txt" || say_fail "no clear message without /dev/input"
# an empty input folder
mkdir -p "$work/input"
STIPPLE_INPUT_DIR=$work/input "$bin" devices >"$work/list.txt" || say_fail "stipple devices failed on an empty folder"
grep -q "holds no event devices" "$work/list.txt" || say_fail "empty /dev/input message"
# a node that is not an evdev device (a regular file) is reported, not fatal
: >"$work/input/event0"
STIPPLE_INPUT_DIR=$work/input "$bin" devices >"$work/list.txt" || say_fail "stipple devices failed on a non-device"
grep -q "event0: not an evdev device" "$work/list.txt" || say_fail "non-device message: $(cat "$work/list.txt")"

# calibrate --recording: saves under XDG_CONFIG_HOME
export XDG_CONFIG_HOME=$work/config
"$bin" calibrate --recording "$src/tests/data/devices/pen-a-2047.calibration.events" >"$work/cal.txt" ||
    say_fail "calibrate --recording failed"
grep -q "15 contacts (10 light taps, 5 firm presses)" "$work/cal.txt" || say_fail "calibrate output: $(cat "$work/cal.txt")"
ls "$work/config/stipple/calibration/"*.json >/dev/null 2>&1 || say_fail "no calibration file saved"
"$bin" calibrate --recording "$src/tests/data/devices/syn-dropped.events" --dry-run 2>"$work/err.txt" &&
    say_fail "calibrate accepted a recording without the exercise"
grep -q "contacts" "$work/err.txt" || say_fail "calibrate error should say what was missing"

[ "$fail" -eq 0 ] && echo "test_input_devices: ok"
exit "$fail"
