#!/bin/bash
# test_app_zoom.sh: dots are area-correct at every zoom. A region of a densely stippled
# practice skin is rendered zoomed out (dots from the mipmapped chart texture, many under a
# pixel) and zoomed in (crisp instanced dots, 16 pixels a dot), and at fields from 20 to
# 200 mm across the texture's filters (level 0 magnified, minified, trilinear); its mean
# linear colour, relative to bare skin, must agree within 1 % at every one.
#   args: STIPPLE_BINARY SOURCE_DIR WORK_DIR
set -u
BIN=$1 WORK=$3
if ! command -v xvfb-run >/dev/null; then
    echo "SKIP: xvfb-run is not installed"
    exit 77
fi
mkdir -p "$WORK" && cd "$WORK" || exit 1
export MESA_SHADER_CACHE_DISABLE=true
# Mesa/SDL driver leaks show as '<unknown module>' (they dlclose): leak checking off here only.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
SDL_VIDEODRIVER=x11 STIPPLE_SELFTEST_SHOTS="$WORK" xvfb-run -a -s "-screen 0 1280x800x24" \
    "$BIN" practice --selftest zoom-mean
