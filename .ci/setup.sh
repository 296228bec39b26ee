#!/usr/bin/env bash
# setup.sh: installs the Debian packages Stipple needs (when missing) and builds it.
# Sourced by .ci/demo and .ci/test. Usage inside them: stipple_setup BUILD_DIR [cmake args...]
set -euo pipefail

STIPPLE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STIPPLE_PACKAGES=(build-essential cmake pkg-config ninja-build libjansson-dev libsodium-dev
                  libevdev-dev libwacom-dev libsdl2-dev libsdl2-ttf-dev libcglm-dev python3-glad libpng-dev
                  fonts-dejavu-core xvfb xauth libgl1-mesa-dri libegl-mesa0
                  clang libclang-rt-14-dev python3 python3-scipy python3-numpy qemu-system-x86 busybox-static
                  libsqlite3-dev libpq-dev postgresql libcairo2-dev libpango1.0-dev poppler-utils xdotool)

stipple_install_packages() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local line="apt-get install -y --no-install-recommends ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then
        echo "setup: installing ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $line >/dev/null
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        echo "setup: installing ${missing[*]} (sudo)"
        sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq
        sudo DEBIAN_FRONTEND=noninteractive $line >/dev/null
    else
        echo "setup: these Debian packages are missing: ${missing[*]}" >&2
        echo "setup: run as root:  apt-get update && $line" >&2
        exit 1
    fi
}

# stipple_build DIR [cmake options...]
stipple_build() {
    local dir=$1; shift
    mkdir -p "$dir"
    echo "setup: building in $dir"
    # STIPPLE_BUILD_TARGET: build that target alone (the fuzz build needs only the fuzzers)
    if ! { cmake -S "$STIPPLE_ROOT" -B "$dir" -G Ninja "$@" &&
           cmake --build "$dir" ${STIPPLE_BUILD_TARGET:+--target "$STIPPLE_BUILD_TARGET"} -- -j"$(nproc)"; } \
        >"$dir/build.log" 2>&1; then
        cat "$dir/build.log"
        echo "setup: the build failed (log: $dir/build.log)" >&2
        exit 1
    fi
}
