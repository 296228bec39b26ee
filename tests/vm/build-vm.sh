#!/usr/bin/env bash
# build-vm.sh: everything tests/test_input_vm.sh boots, cached in CACHE_DIR.
#   CACHE_DIR/vmlinuz            Debian's kernel (from the linux-image-*-amd64 .deb)
#   CACHE_DIR/initramfs.cpio.gz  busybox, evdev.ko + uinput.ko (+ their dependencies),
#                                the static test program vm_uinput_test and the recordings
# The kernel is downloaded once (apt-get download, not installed) and reused from then on,
# online or not. The initramfs is rebuilt only when one of its inputs changed (a hash of
# them is kept in CACHE_DIR/initramfs.stamp).
#
# usage: build-vm.sh CACHE_DIR [SOURCE_DIR]
# Exit status: 0 ready; 77 cannot be built here (no network for the first download, no
# busybox, ...: the reason is printed); anything else: a real failure.
# Environment: STIPPLE_SHARED_DIR (default SOURCE_DIR/../shared): where devices/ lives.
set -euo pipefail

skip() { echo "build-vm: SKIP: $*" >&2; exit 77; }
die()  { echo "build-vm: ERROR: $*" >&2; exit 1; }

[ $# -ge 1 ] || die "usage: build-vm.sh CACHE_DIR [SOURCE_DIR]"
mkdir -p "$1"
cache=$(cd "$1" && pwd)
src=${2:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
src=$(cd "$src" && pwd)
shared=${STIPPLE_SHARED_DIR:-$src/../shared}
devices=$shared/devices

# The Stipple sources the test program is linked with: from the core only the pen model and
# text positions for messages (no libsodium: lesson and session code are not needed); the input layer goes into a
# static archive, so the link takes only the members the program needs (evdev_pen, evemu,
# evemu_source, evdev_source, device_profile: libevdev and jansson).
CORE_SOURCES=(sim/core/pen.c sim/core/textpos.c)
REQUIRED_INPUT=(sim/input/evdev_pen.c sim/input/evemu.c sim/input/evemu_source.c sim/input/evdev_source.c)
LINK_PKGS=(libevdev jansson)

for tool in gcc pkg-config gzip sha256sum; do
    command -v "$tool" >/dev/null || skip "'$tool' not found"
done
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || skip "busybox not found (apt-get install busybox-static)"
! ldd "$busybox" >/dev/null 2>&1 || skip "$busybox is not static (install busybox-static)"
pkg-config --exists "${LINK_PKGS[@]}" || skip "development files missing: pkg-config ${LINK_PKGS[*]} fails"
[ -d "$devices" ] || die "no recordings in $devices"

# one build at a time per cache (two test runs sharing STIPPLE_VM_CACHE)
if command -v flock >/dev/null; then
    exec 9>"$cache/.lock"
    flock 9
fi

# --- 1. the kernel -------------------------------------------------------------------
# Cached as CACHE_DIR/kernel/{vmlinuz,modules/*.ko,modules.order,package}. A complete
# cache is used as is: no apt query, so it works offline.
kdir=$cache/kernel
want_modules=(evdev uinput)

modinfo_field() {   # modinfo_field FILE.ko FIELD: the field from the .modinfo strings
    tr '\0' '\n' <"$1" | sed -n "s/^$2=//p" | head -n 1
}

kernel_package() {   # the package linux-image-amd64 depends on, e.g. linux-image-6.1.0-56-amd64
    apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1 || true
}

apt_update() {      # as root only; quiet; bounded (no network: apt retries for a while)
    [ "$(id -u)" -eq 0 ] || return 1
    echo "build-vm: apt-get update"
    timeout 120 apt-get update -qq >/dev/null 2>&1 || true
}

fetch_kernel() {
    local pkg deb tmp updated=0
    pkg=$(kernel_package)
    if [ -z "$pkg" ] && apt_update; then
        updated=1
        pkg=$(kernel_package)
    fi
    [ -n "$pkg" ] || skip "cannot find Debian's kernel package (apt-cache depends linux-image-amd64 gives nothing; run apt-get update)"
    tmp=$cache/kernel.tmp
    rm -rf "$tmp"; mkdir -p "$tmp/x"
    echo "build-vm: downloading $pkg"
    if ! (cd "$tmp" && timeout 300 apt-get download "$pkg" >download.log 2>&1); then
        # stale package lists name a version the archive no longer has: update once, retry
        if [ $updated = 0 ] && apt_update; then
            pkg=$(kernel_package)
            echo "build-vm: downloading $pkg (after apt-get update)"
        fi
        if [ $updated = 1 ] || [ -z "$pkg" ] ||
           ! (cd "$tmp" && rm -f ./*.deb && timeout 300 apt-get download "$pkg" >download.log 2>&1); then
            sed 's/^/build-vm:   /' "$tmp/download.log" >&2
            rm -rf "$tmp"
            skip "apt-get download ${pkg:-linux-image-*-amd64} failed (no network?)"
        fi
    fi
    deb=$(ls "$tmp"/*.deb)
    # One pass over the package for the kernel and the wanted modules (possibly .ko.xz or
    # .ko.zst), then further passes only if a module depends on one not yet extracted.
    local order=() pass=0 m
    local pats=('./boot/vmlinuz-*')
    for m in "${want_modules[@]}"; do pats+=("./lib/modules/*/${m//[-_]/[-_]}.ko*"); done
    while [ ${#pats[@]} -gt 0 ]; do
        pass=$((pass + 1)); [ $pass -le 4 ] || die "module dependencies do not resolve"
        dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/x" --wildcards "${pats[@]}" 2>"$tmp/tar.err" ||
            { cat "$tmp/tar.err" >&2; die "cannot extract ${pats[*]} from $(basename "$deb")"; }
        pats=()
        # decompress modules, then look at their dependencies
        while IFS= read -r -d '' f; do
            case $f in
                *.ko.xz)  xz -d -f "$f" ;;
                *.ko.zst) zstd -q -d --rm -f "$f" ;;
                *.ko.gz)  gzip -d -f "$f" ;;
            esac
        done < <(find "$tmp/x/lib" -name '*.ko.*' -print0)
        local dep f b
        while IFS= read -r -d '' f; do
            for dep in $(modinfo_field "$f" depends | tr ',' ' '); do
                if ! find "$tmp/x/lib" -name '*.ko' | sed 's|.*/||; s|\.ko$||; s|-|_|g' | grep -qx "${dep//-/_}"; then
                    pats+=("./lib/modules/*/${dep//[-_]/[-_]}.ko*")
                fi
            done
        done < <(find "$tmp/x/lib" -name '*.ko' -print0)
    done
    mkdir -p "$tmp/out/modules"
    local vmlinuz
    for vmlinuz in "$tmp"/x/boot/vmlinuz-*; do break; done
    [ -f "$vmlinuz" ] || die "no boot/vmlinuz-* in $(basename "$deb")"
    cp "$vmlinuz" "$tmp/out/vmlinuz"
    # flat, named as the kernel names the module (a file "a-b.ko" holds module "a_b")
    while IFS= read -r -d '' f; do
        b=$(basename "$f" .ko)
        cp "$f" "$tmp/out/modules/${b//-/_}.ko"
    done < <(find "$tmp/x/lib" -name '*.ko' -print0)
    for m in "${want_modules[@]}"; do
        [ -f "$tmp/out/modules/$m.ko" ] || die "$m.ko is not in $(basename "$deb")"
    done
    # insmod order: dependencies first (a depth-first walk over depends=)
    local seen=" "
    visit() {
        local n=${1//-/_} d file
        case $seen in *" $n "*) return ;; esac
        seen="$seen$n "
        file=$tmp/out/modules/$n.ko
        [ -f "$file" ] || die "module $n (a dependency) not found"
        for d in $(modinfo_field "$file" depends | tr ',' ' '); do visit "$d"; done
        order+=("$(basename "$file")")
    }
    for m in "${want_modules[@]}"; do visit "$m"; done
    printf '%s\n' "${order[@]}" >"$tmp/out/modules.order"
    echo "$pkg $(basename "$deb") $(modinfo_field "$tmp/out/modules/evdev.ko" vermagic)" >"$tmp/out/package"
    rm -rf "$kdir"
    mv "$tmp/out" "$kdir"
    rm -rf "$tmp"
    echo "build-vm: kernel $(cat "$kdir/package")"
}

if [ ! -f "$kdir/vmlinuz" ] || [ ! -f "$kdir/modules.order" ] || [ ! -f "$kdir/package" ]; then
    fetch_kernel
fi

# --- 2. the initramfs ------------------------------------------------------------------
# The recordings: every devices/*.events; one without a description gets the .desc whose
# name starts like it ("X.stylus-drag.events" -> "X*.desc").
manifest_lines=()
data_files=()
for ev in "$devices"/*.events; do
    [ -f "$ev" ] || continue
    b=$(basename "$ev")
    desc=
    if ! grep -q '^N:' "$ev"; then
        stem=${b%%.*}
        for d in "$devices/$stem"*.desc; do [ -f "$d" ] && desc=$(basename "$d") && break; done
        [ -n "$desc" ] || die "$b has no description and no $stem*.desc"
    fi
    manifest_lines+=("/data/$b|${desc:+/data/$desc}")
    data_files+=("$ev")
    [ -z "$desc" ] || data_files+=("$devices/$desc")
done
[ ${#manifest_lines[@]} -gt 0 ] || die "no *.events in $devices"

prog_src=$src/tests/vm/vm_uinput_test.c
for s in "${CORE_SOURCES[@]}" "${REQUIRED_INPUT[@]}"; do
    [ -f "$src/$s" ] || die "$s is missing"
done
core_sources=()
for s in "${CORE_SOURCES[@]}"; do core_sources+=("$src/$s"); done
input_sources=("$src"/sim/input/*.c)
sources=("${core_sources[@]}" "${input_sources[@]}")
stamp=$( {
    echo "v1"
    cat "$kdir/package" "$kdir/modules.order"
    sha256sum "$busybox" "$prog_src" "$src/tests/vm/build-vm.sh" "${sources[@]}" \
        "$src"/sim/core/*.h "$src"/sim/input/*.h "${data_files[@]}" | cut -d' ' -f1
    printf '%s\n' "${manifest_lines[@]}"
    gcc --version | head -n 1
    pkg-config --modversion "${LINK_PKGS[@]}"
} | sha256sum | cut -d' ' -f1)

if [ -f "$cache/initramfs.cpio.gz" ] && [ -f "$cache/vmlinuz" ] &&
   [ "$(cat "$cache/initramfs.stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "build-vm: initramfs up to date"
    exit 0
fi

root=$cache/root
rm -rf "$root" "$cache/initramfs.stamp"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,data,lib/modules}

# The test program, static: the Stipple sources compiled here (not through CMake) so that
# the static link holds exactly what is named above.
# shellcheck disable=SC2207
cflags=(-std=c11 -O2 -g0 -Wall -Wextra -D_POSIX_C_SOURCE=200809L -DSTIPPLE_VERSION=\"vm\"
        -I"$src/sim/core" -I"$src/sim/input" $(pkg-config --cflags "${LINK_PKGS[@]}"))
obj=$cache/obj
rm -rf "$obj"; mkdir -p "$obj"
: >"$cache/gcc.log"
# Every sim/input file is compiled (in parallel); one that does not compile here is left
# out of the archive unless the test needs it (core + REQUIRED_INPUT): a link error then
# says what is missing.
pids=(); names=()
for s in "${sources[@]}"; do
    o=$obj/$(basename "$(dirname "$s")")_$(basename "$s" .c).o
    gcc "${cflags[@]}" -c "$s" -o "$o" 2>"$o.log" &
    pids+=($!); names+=("${s#"$src"/}")
done
ok=1
for i in "${!pids[@]}"; do
    wait "${pids[$i]}" && continue
    n=${names[$i]}
    case " ${CORE_SOURCES[*]} ${REQUIRED_INPUT[*]} " in
        *" $n "*) ok=0 ;;
        *) echo "build-vm: note: $n does not compile standalone; left out" ;;
    esac
done
cat "$obj"/*.o.log >>"$cache/gcc.log"
[ $ok = 1 ] || { cat "$cache/gcc.log" >&2; die "cannot compile the Stipple sources"; }
rm -f "$obj"/*.o.log
ar rcs "$obj/libstipple_vm.a" "$obj"/*.o
# shellcheck disable=SC2046
gcc -static "${cflags[@]}" -o "$root/vm_uinput_test" "$prog_src" "$obj/libstipple_vm.a" \
    $(pkg-config --static --libs "${LINK_PKGS[@]}") -lm 2>>"$cache/gcc.log" ||
    { cat "$cache/gcc.log" >&2; die "cannot build vm_uinput_test"; }
nwarn=$(grep -c 'warning:' "$cache/gcc.log" || true)
[ "$nwarn" = 0 ] || echo "build-vm: $nwarn compiler warnings (in $cache/gcc.log)"
rm -rf "$obj"

cp "$busybox" "$root/bin/busybox"
for app in sh mount insmod poweroff echo cat sleep; do ln -s busybox "$root/bin/$app"; done
while read -r m; do cp "$kdir/modules/$m" "$root/lib/modules/$m"; done <"$kdir/modules.order"
cp "$kdir/modules.order" "$root/lib/modules/order"
for f in "${data_files[@]}"; do cp "$f" "$root/data/"; done
printf '%s\n' "${manifest_lines[@]}" >"$root/data/manifest"

cat >"$root/init" <<'EOF'
#!/bin/sh
# Stipple's VM test: load the input modules, run the test, power off. The host judges by
# the STIPPLE-VM lines on the serial console (poweroff exits qemu with 0 whatever happened).
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
echo "STIPPLE-VM: boot $(cat /proc/uptime)"
ok=1
while read -r m; do
    insmod "/lib/modules/$m" || { echo "STIPPLE-VM: FAIL setup: insmod $m"; ok=0; }
done </lib/modules/order
if [ $ok = 1 ]; then
    i=0
    while [ ! -e /dev/uinput ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    /vm_uinput_test /data/manifest
    echo "STIPPLE-VM: exit $? uptime $(cat /proc/uptime)"
fi
poweroff -f
EOF
chmod 755 "$root/init"

(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | "$busybox" cpio -o -H newc -R 0:0 2>/dev/null) |
    gzip -1 >"$cache/initramfs.cpio.gz.tmp"
mv "$cache/initramfs.cpio.gz.tmp" "$cache/initramfs.cpio.gz"
cp "$kdir/vmlinuz" "$cache/vmlinuz"
rm -rf "$root"
echo "$stamp" >"$cache/initramfs.stamp"
echo "build-vm: initramfs built ($(du -k "$cache/initramfs.cpio.gz" | cut -f1) KiB)"
