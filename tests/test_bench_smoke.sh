#!/usr/bin/env bash
# `stipple bench` must keep working (its figures are read by people, not asserted as
# times here: the machines are shared). What is not a time is checked: the session
# format's bytes per pen sample, and that every figure line is printed.
# usage: test_bench_smoke.sh STIPPLE_BINARY SOURCE_DIR WORK_DIR
set -u
bin=$1
out=$("$bin" bench resim --quick 2>&1); rc=$?
echo "$out"
pass=0; fail=0
if [ $rc -eq 0 ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: bench resim exit $rc"; fi
bps=$(printf '%s\n' "$out" | sed -n 's/.*: \([0-9.]*\) bytes per pen sample.*/\1/p')
if [ -n "$bps" ] && awk -v b="$bps" 'BEGIN { exit !(b > 0 && b <= 8) }'; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: bytes per pen sample '$bps' not in (0, 8]"; fi
if printf '%s\n' "$out" | grep -q "^resim: .* re-simulated in [0-9.]* s"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: no resim figure"; fi
out=$("$bin" bench score --quick 2>&1); rc=$?
echo "$out"
if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q "^score: 50000 dots .* scored in [0-9.]* s"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: bench score"; fi
# the hostile session really is 200,000 dots at one spot, and it was graded
if printf '%s\n' "$out" | grep -q "^hostile: 200000 dots at 1 spot (a [0-9]*-byte session) graded .* in [0-9.]* s"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: bench score: no hostile-session figure"; fi
if printf '%s\n' "$out" | grep -q "^score: of which rows-and-grids order of 50000 dots: [0-9.]* s"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: bench score: no order figure"; fi
# the input bench (it was a test that only checked a return code): both figures, positive
out=$("$bin" bench input --quick 2>&1); rc=$?
echo "$out"
ev=$(printf '%s\n' "$out" | sed -n 's/^input: evdev handling \([0-9.]*\) M events\/s.*/\1/p')
mb=$(printf '%s\n' "$out" | sed -n 's/^input: evemu parsing \([0-9.]*\) MB\/s.*/\1/p')
for v in "$ev" "$mb"; do
    if [ $rc -eq 0 ] && [ -n "$v" ] && awk -v v="$v" 'BEGIN { exit !(v > 0) }'; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: bench input: figures '$ev' M events/s, '$mb' MB/s"; fi
done
echo "test_bench_smoke: $pass passed, $fail failed"
[ $fail -eq 0 ]
