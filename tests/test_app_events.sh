#!/usr/bin/env bash
# `stipple practice --input-file X.events`: a real tablet recording plays through the app
# as a live tablet would (same handler), the machine running since a recording cannot
# press M. Every pen-down becomes at most one dot (a contact off the skin makes none), and
# the dots the app made (its printed count, and its report's dots) equal exactly what
# `stipple dots` re-simulates from the session it saved.
# usage: test_app_events.sh STIPPLE_BINARY SOURCE_DIR WORK_DIR
set -u
bin=$1; src=$2; work=$3
shared="$src/../shared/devices"
command -v xvfb-run >/dev/null || { echo "SKIP: no xvfb-run"; exit 77; }
[ -d "$shared" ] && ls "$shared"/*.events >/dev/null 2>&1 || { echo "SKIP: no shared recordings at $shared"; exit 77; }
rm -rf "$work"; mkdir -p "$work"
export MESA_SHADER_CACHE_DISABLE=true SDL_VIDEODRIVER=offscreen
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0   # Mesa/SDL dlclose noise (platform.md)
pass=0; fail=0; total_dots=0
for rec in "$shared"/*.events; do
    name=$(basename "$rec" .events)
    desc=()
    case "$name" in "Wacom Intuos4 6x9."*) desc=(--desc "$shared/Wacom Intuos4 6x9 Pen.desc") ;; esac
    out="$work/$name.stp"
    "$bin" practice --lesson "$src/lessons/01-spacing-drill.json" --input-file "$rec" "${desc[@]}" --fast \
        --exit-after end -o "$out" --report-json "$work/$name.json" >"$work/$name.log" 2>&1
    rc=$?
    # pen-downs counted straight from the recording: BTN_TOUCH (0x14a) going to 1, or
    # ABS_PRESSURE (0x18) leaving 0 on tablets that send no BTN_TOUCH; the larger count
    downs=$(awk '$1 == "E:" && $3 == "0001" && $4 == "014a" && $5 + 0 == 1 { touch++ }
                 $1 == "E:" && $3 == "0003" && $4 == "0018" { v = $5 + 0; if (v > 0 && p == 0) press++; p = v }
                 END { print (touch > press ? touch : press) + 0 }' "$rec")
    dots=$("$bin" dots "$out" 2>/dev/null | tail -n +2 | wc -l)
    # the app's own count: printed ("score: ...; N dots") and in its report
    app_dots=$(sed -n 's/^score: .*; \([0-9][0-9]*\) dots$/\1/p' "$work/$name.log")
    rep_dots=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["session"]["dots"])' "$work/$name.json" 2>/dev/null)
    if [ $rc -eq 0 ] && [ -s "$out" ] && [ "$dots" -le "$downs" ] && [ "${app_dots:-x}" = "$dots" ] && [ "${rep_dots:-x}" = "$dots" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "FAIL: $name: rc $rc, re-simulated $dots dots, the app ${app_dots:-?} (report ${rep_dots:-?}), $downs pen-downs"; tail -5 "$work/$name.log"
    fi
    total_dots=$((total_dots + dots))
    echo "$name: $downs pen-downs, $dots dots (the app: ${app_dots:-?})"
done
if [ "$total_dots" -gt 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: no recording made a dot"; fi
echo "test_app_events: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
