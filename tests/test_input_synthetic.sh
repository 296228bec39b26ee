#!/usr/bin/env bash
# test_input_synthetic.sh: the synthetic recordings in tests/data/devices are exactly what
# gen_synthetic.py writes (deterministic, nothing edited by hand).
# Args: STIPPLE_BINARY SOURCE_DIR WORK_DIR
set -euo pipefail
src=$2 work=$3
py=/usr/bin/python3
[ -x "$py" ] || { echo "no /usr/bin/python3: skipped"; exit 77; }
rm -rf "$work"
mkdir -p "$work"
"$py" "$src/tests/data/devices/gen_synthetic.py" "$work"
fail=0
for f in "$work"/*.events; do
    name=$(basename "$f")
    cmp -s "$f" "$src/tests/data/devices/$name" || { echo "FAIL: $name differs from gen_synthetic.py's output" >&2; fail=1; }
done
n=$(ls "$src"/tests/data/devices/*.events | wc -l)
m=$(ls "$work"/*.events | wc -l)
[ "$n" -eq "$m" ] || { echo "FAIL: $n committed recordings, the script writes $m" >&2; fail=1; }
[ "$fail" -eq 0 ] && echo "test_input_synthetic: $m recordings reproduced"
exit "$fail"
