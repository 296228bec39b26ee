#!/usr/bin/env bash
# `stipple sessions`: the sessions the practice app saved in $XDG_DATA_HOME/stipple/sessions,
# each with its lesson, duration, dots and score; the dots and score equal what `stipple dots`
# and `stipple grade --json` say of the same file. The app itself saves there (no -o), two
# runs at once into two files (test_session_store starts two writers in the same second).
# usage: test_sessions.sh STIPPLE_BINARY SOURCE_DIR WORK_DIR
set -u
bin=$1; src=$2; work=$3
rm -rf "$work"; mkdir -p "$work"; cd "$work" || exit 1
export XDG_DATA_HOME="$work/data" STIPPLE_LESSONS="$src/lessons"
unset STIPPLE_SESSIONS
fail=0
store="$XDG_DATA_HOME/stipple/sessions"

# no folder yet: says so, status 0; --json gives an empty list
out=$("$bin" sessions) || { echo "FAIL: sessions without a folder: status $?"; fail=1; }
grep -q "No sessions yet" <<<"$out" || { echo "FAIL: no folder: '$out'"; fail=1; }
[ "$("$bin" sessions --json)" = "[]" ] || { echo "FAIL: --json without a folder is not []"; fail=1; }
"$bin" sessions --nonsense >/dev/null 2>err.txt; rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <err.txt)" -eq 1 ] || { echo "FAIL: a bad option: status $rc, $(cat err.txt)"; fail=1; }
"$bin" sessions --help | grep -q "usage: stipple sessions" || { echo "FAIL: --help"; fail=1; }

mkdir -p "$store"
"$bin" simulate --lesson "$src/lessons/01-spacing-drill.json" --trainee expert --seed 4 -o "$store/drill.stp" >/dev/null || fail=1
"$bin" simulate --lesson "$src/lessons/01-spacing-drill.json" --trainee clumped --seed 5 -o "$store/clumped.stp" >/dev/null || fail=1
"$bin" sessions --json >list.json || { echo "FAIL: sessions --json"; fail=1; }
for f in drill clumped; do
    "$bin" grade "$store/$f.stp" --json >"$f.grade.json" || fail=1
    dots=$("$bin" dots "$store/$f.stp" | tail -n +2 | wc -l)
    python3 - list.json "$f.grade.json" "$store/$f.stp" "$dots" <<'PY' || fail=1
import json, sys
lst, grade, path, dots = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3], int(sys.argv[4])
row = [r for r in lst if r["path"].endswith(path.split("/")[-1])]
if len(row) != 1:
    print(f"FAIL: {path} listed {len(row)} times"); sys.exit(1)
r = row[0]
if r["dots"] != dots or abs(r["score"] - grade["total"]) > 1e-6 or r["passed"] != grade["passed"]:
    print(f"FAIL: {path}: listed {r['dots']} dots, {r['score']}; dots says {dots}, grade {grade['total']}"); sys.exit(1)
if r["lesson"] != "spacing-drill" or not r["complete"] or r["duration_s"] <= 0:
    print(f"FAIL: {path}: {r}"); sys.exit(1)
print(f"ok {path}: {dots} dots, score {r['score']:.2f}")
PY
done
"$bin" sessions | grep -q "2 sessions in" || { echo "FAIL: the table does not count 2 sessions"; "$bin" sessions; fail=1; }

# the app saves into the folder by itself, an exclusive file per run (two at once; test_session_store starts two in the same second)
if [ -n "${SDL_VIDEODRIVER:-}" ] || command -v xvfb-run >/dev/null; then
    export SDL_VIDEODRIVER=offscreen MESA_SHADER_CACHE_DISABLE=true
    export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
    rm -f "$store"/*.stp
    "$bin" simulate --lesson "$src/lessons/01-spacing-drill.json" --trainee expert --seed 4 -o src.stp >/dev/null
    ( "$bin" practice --input-file src.stp --fast --exit-after 5 >app1.log 2>&1 & "$bin" practice --input-file src.stp --fast --exit-after 5 >app2.log 2>&1 & wait )
    n=$(ls "$store"/*.stp 2>/dev/null | wc -l)
    if [ "$n" -ne 2 ]; then echo "FAIL: two app runs saved $n files in $store"; cat app1.log app2.log; fail=1; fi
    for f in "$store"/*.stp; do
        "$bin" grade "$f" >/dev/null 2>&1 || { echo "FAIL: the app's $f does not grade"; fail=1; }
    done
else
    echo "note: no display driver here; the app's own saving is not checked"
fi
if [ $fail -eq 0 ]; then echo "test_sessions: passed"; else echo "test_sessions: FAILED"; fi
exit $fail
