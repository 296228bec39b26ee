#!/bin/bash
# test_app_views.sh: the head from the front, back, left, right and top at three distances
# (the whole head, a 150 mm and a 60 mm field), as `stipple practice --view V --field F
# --screenshot-at 0:FILE --exit-after 0` shows it at the start of lesson 05 (the client's
# stubble over the back and sides, the scars): each compared with its golden image in
# tests/golden/views/. Bad --view values exit 2.
#   args: STIPPLE_BINARY SOURCE_DIR WORK_DIR
# Set STIPPLE_UPDATE_GOLDEN=1 to rewrite the golden images (after looking at them).
set -u
BIN=$1 SRC=$2 WORK=$3
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
export MESA_SHADER_CACHE_DISABLE=true
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
GOLD=$SRC/tests/golden/views
fail=0
"$BIN" practice --view sideways --exit-after 0 >bad.out 2>&1
rc=$?
[ $rc -eq 2 ] || { echo "FAIL: --view sideways exited $rc (want 2)"; cat bad.out; fail=1; }
# under the sanitizers the views look for memory faults, not looks: the whole head and the
# closest field of each view (STIPPLE_VIEW_FIELDS, set in tests/CMakeLists.txt), not all three
for view in front back left right top; do
    for field in ${STIPPLE_VIEW_FIELDS:-0 150 60}; do
        name=$view-$field.png
        args=(--view "$view")
        [ "$field" != 0 ] && args+=(--field "$field")
        SDL_VIDEODRIVER=offscreen "$BIN" practice --lesson "$SRC/lessons/05-fut-scar.json" "${args[@]}" \
            --screenshot-at "0:$name" --exit-after 0 >"$name.out" 2>&1
        rc=$?
        if [ $rc -eq 3 ]; then echo "SKIP: no display for the app"; exit 77; fi
        if [ $rc -ne 0 ] || [ ! -s "$name" ]; then echo "FAIL: $name: practice exited $rc"; cat "$name.out"; fail=1; continue; fi
        if [ "${STIPPLE_UPDATE_GOLDEN:-}" = 1 ]; then
            mkdir -p "$GOLD" && cp "$name" "$GOLD/$name"
        elif [ ! -f "$GOLD/$name" ]; then
            echo "FAIL: no golden image $GOLD/$name"; fail=1
        else
            "$PY" "$SRC/tests/golden/compare_png.py" "$name" "$GOLD/$name" || fail=1
        fi
    done
done
[ $fail -eq 0 ] && echo "PASS" || echo "FAILED (images in $WORK)"
exit $fail
