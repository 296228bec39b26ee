#!/usr/bin/env bash
# Stipple's live input path (libevdev on a real kernel input device) against the recording
# path, inside a VM: Debian's kernel under QEMU (software emulation, no KVM needed) boots a
# busybox initramfs that loads evdev.ko and uinput.ko and runs tests/vm/vm_uinput_test: for
# every recording in ../shared/devices it creates a uinput device with the recording's
# capabilities, writes the recording into it, reads it back with evdev_source_open and
# checks that the pen samples are those evemu_source_open gives for the same file (check
# "replay"); unplugs a tablet mid-stroke and plugs it back in, the app's way (the hot-plug
# watcher + evdev_source_replug: check "replug"); and plays force feedback through
# evdev_source_ff_play on uinput devices with EV_FF, answering the kernel's upload and erase
# requests on the uinput side (check "ff"). Each check counts once in the closing line.
# tests/vm/build-vm.sh builds the kernel + initramfs, cached in WORK_DIR/vm-cache (the
# kernel .deb is downloaded once; without network on that first run the test is skipped).
#
# usage: test_input_vm.sh STIPPLE_BINARY SOURCE_DIR WORK_DIR
# Environment: STIPPLE_VM_CACHE (default WORK_DIR/vm-cache), STIPPLE_VM_TIMEOUT (seconds
# for the boot, default 120), STIPPLE_VM_REQUIRE=1 turns a skip into a failure.
set -u
src=${2:?usage: test_input_vm.sh STIPPLE_BINARY SOURCE_DIR WORK_DIR}
work=${3:?usage: test_input_vm.sh STIPPLE_BINARY SOURCE_DIR WORK_DIR}
mkdir -p "$work"
cache=${STIPPLE_VM_CACHE:-$work/vm-cache}
vm_timeout=${STIPPLE_VM_TIMEOUT:-120}
pass=0; fail=0

finish() {
    echo "test_input_vm: $pass passed, $fail failed"
    [ $fail -eq 0 ]
    exit $?
}
skip() {
    echo "test_input_vm: SKIP: $*"
    if [ "${STIPPLE_VM_REQUIRE:-0}" = 1 ]; then
        fail=$((fail + 1)); echo "FAIL: skipped, but STIPPLE_VM_REQUIRE=1"; finish
    fi
    exit 77
}

qemu=$(command -v qemu-system-x86_64 || true)
[ -n "$qemu" ] || skip "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"
ls "$src"/../shared/devices/*.events >/dev/null 2>&1 || skip "no shared recordings at $src/../shared/devices"

t0=$(date +%s.%N)
bash "$src/tests/vm/build-vm.sh" "$cache" "$src"
rc=$?
[ $rc -ne 77 ] || skip "the VM cannot be built here (see above)"
if [ $rc -ne 0 ]; then
    fail=$((fail + 1)); echo "FAIL: build-vm.sh exit $rc"; finish
fi
pass=$((pass + 1))
t1=$(date +%s.%N)

log=$work/console.log
rm -f "$log"
# -accel tcg: no KVM on the machines this runs on; -nodefaults: no VGA, NIC, ...; the
# guest's console is the first serial port, written to $log. poweroff -f ends qemu with
# exit 0 whatever the test said, so the verdict is read from the log. panic=-1 with
# -no-reboot turns a guest panic (init died) into a prompt exit.
timeout -k 5 "$vm_timeout" "$qemu" -accel tcg -m 512 -smp 1 -nodefaults -no-user-config \
    -display none -monitor none -serial "file:$log" \
    -kernel "$cache/vmlinuz" -initrd "$cache/initramfs.cpio.gz" \
    -append "console=ttyS0 quiet panic=-1" -no-reboot </dev/null >"$work/qemu.out" 2>&1
qrc=$?
t2=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" \
    'BEGIN { printf "test_input_vm: build %.1f s, boot + test + power-off %.1f s\n", b - a, c - b }'

if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
    fail=$((fail + 1)); echo "FAIL: qemu did not finish within ${vm_timeout} s"
elif [ $qrc -ne 0 ]; then
    fail=$((fail + 1)); echo "FAIL: qemu exit $qrc"; sed 's/^/  qemu: /' "$work/qemu.out"
else
    pass=$((pass + 1))
fi

if [ -f "$log" ]; then
    tr -d '\r' <"$log" | grep 'STIPPLE-VM:' | sed 's/^/  /'
fi
# The guest runs every check and ends each with one "STIPPLE-VM: PASS <check>: ..." or
# "STIPPLE-VM: FAIL <check>: ..." line (details are FAIL lines for the same check). A check
# passes with its PASS line and no FAIL line of its own; a FAIL line that names no check
# (insmod, setup) is one more failure.
checks="replay replug ff"
clean=$(tr -d '\r' <"$log" 2>/dev/null)
for c in $checks; do
    if grep -q "^STIPPLE-VM: FAIL $c:" <<<"$clean"; then
        fail=$((fail + 1)); echo "FAIL: $c: $(grep "^STIPPLE-VM: FAIL $c:" <<<"$clean" | head -n 1 | sed "s/^STIPPLE-VM: FAIL $c: //")"
    elif v=$(grep -m 1 "^STIPPLE-VM: PASS $c:" <<<"$clean"); then
        pass=$((pass + 1)); echo "ok: ${v#STIPPLE-VM: PASS }"
    else
        fail=$((fail + 1)); echo "FAIL: $c: no verdict from the guest"
    fi
done
pat=$(sed 's/ /|/g' <<<"$checks")
other=$(grep -E '^STIPPLE-VM: FAIL' <<<"$clean" | grep -Ev "^STIPPLE-VM: FAIL ($pat):" | head -n 1)
if [ -n "$other" ]; then
    fail=$((fail + 1)); echo "FAIL: ${other#STIPPLE-VM: FAIL }"
fi
if ! grep -q '^STIPPLE-VM: exit ' <<<"$clean" || [ $fail -gt 0 ]; then
    echo "the end of the console log:"
    [ -f "$log" ] && grep -v 'STIPPLE-VM:' <<<"$clean" | tail -n 40 | sed 's/^/  | /'
fi
finish
