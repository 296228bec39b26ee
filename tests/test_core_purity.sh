#!/usr/bin/env bash
# The core must build without SDL, GL, libevdev, SQLite, libpq, cairo or pango: no core
# source includes their headers, the core library calls none of their functions, and its
# link line names none of them.
# usage: test_core_purity.sh STIPPLE_BINARY SOURCE_DIR WORK_DIR
set -u
src=$2
pattern='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](SDL|glad|GL/|GLES|EGL/|libevdev|linux/input|sqlite3|libpq|postgresql/|pg_|cairo|pango)'

# The pattern must catch what it is meant to catch (or this test could never fail).
for planted in '#include <SDL2/SDL.h>' '#  include "glad/gl.h"' '#include <GL/gl.h>' '#include <libevdev/libevdev.h>' \
               '#include <sqlite3.h>' '#include <libpq-fe.h>' '#include <cairo/cairo.h>' '#include <cairo-pdf.h>' \
               '#include <pango/pangocairo.h>'; do
    if ! printf '%s\n' "$planted" | grep -Eq "$pattern"; then
        echo "pattern misses: $planted"; exit 1
    fi
done

hits=$(grep -EnH "$pattern" "$src"/sim/core/*.c "$src"/sim/core/*.h)
if [ -n "$hits" ]; then
    echo "core sources include display or device headers:"
    echo "$hits"
    echo "core purity: 0 passed, 1 failed"
    exit 1
fi
n=$(ls "$src"/sim/core/*.[ch] | wc -l)
if [ "$n" -lt 10 ]; then echo "too few core sources found ($n): wrong folder?"; exit 1; fi

# The library target's link dependencies, as CMake resolved them.
bin_dir=$(dirname "$1")
link=$(cat "$bin_dir"/CMakeFiles/stipple_core.dir/link.txt 2>/dev/null; grep -h "stipple_core" "$bin_dir"/CMakeFiles/stipple.dir/link.txt 2>/dev/null)
if printf '%s' "$link" | grep -Eiq 'SDL2|libGL|libEGL|libevdev'; then
    echo "the core's link line names SDL, GL or libevdev: $link"
    exit 1
fi
# What the built core library calls: none of those libraries' functions.
symbols='^ *U (sqlite3_|PQ[a-z]|lo_|cairo_|pango_|SDL_|gl[A-Z]|egl[A-Z]|libevdev_)'
planted=$(printf '                 U %s\n' sqlite3_open_v2 PQexecParams cairo_create pango_layout_new SDL_Init)
if [ "$(printf '%s\n' "$planted" | grep -Ec "$symbols")" -ne 5 ]; then
    echo "symbol pattern misses a planted call"; exit 1
fi
lib="$bin_dir/libstipple_core.a"
if [ -f "$lib" ]; then
    calls=$(nm -u "$lib" 2>/dev/null | grep -E "$symbols" | sort -u)
    if [ -n "$calls" ]; then
        echo "the core library calls display, device, database or drawing libraries:"
        echo "$calls"
        exit 1
    fi
else
    echo "no $lib to inspect"; exit 1
fi
echo "core purity: $n core sources checked, 1 passed, 0 failed"
