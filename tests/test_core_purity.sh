#!/usr/bin/env bash
# The core must build without SDL, GL or libevdev: no core source includes their headers,
# and the core library's link line names none of them.
# usage: test_core_purity.sh STIPPLE_BINARY SOURCE_DIR WORK_DIR
set -u
src=$2
pattern='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](SDL|glad|GL/|GLES|EGL/|libevdev|linux/input)'

# The pattern must catch what it is meant to catch (or this test could never fail).
for planted in '#include <SDL2/SDL.h>' '#  include "glad/gl.h"' '#include <GL/gl.h>' '#include <libevdev/libevdev.h>'; do
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
echo "core purity: $n core sources checked, 1 passed, 0 failed"
