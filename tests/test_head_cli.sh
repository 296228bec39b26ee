#!/usr/bin/env bash
# test_head_cli.sh: `stipple head --json` prints the head's measurements (each within 3 %
# of its target) and every named landmark with a finite position; the text form names them
# too; bad options exit 2.
bin=$1; src=$2; work=$3
mkdir -p "$work" && cd "$work" || exit 1
command -v python3 >/dev/null || { echo "no python3: skipped"; exit 77; }
"$bin" head --json > head.json || { echo "FAIL: stipple head --json exited $?"; exit 1; }
"$bin" head > head.txt || { echo "FAIL: stipple head exited $?"; exit 1; }
"$bin" head --no-such-option 2>/dev/null; rc=$?
[ $rc -eq 2 ] || { echo "FAIL: a bad option exited $rc, not 2"; exit 1; }
python3 - head.json head.txt <<'PYEOF' || exit 1
import json, math, sys
h = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
bad = 0
for name, m in h["measurements"].items():
    err = 100.0 * (m["mm"] - m["target_mm"]) / m["target_mm"]
    if abs(err - m["error_percent"]) > 1e-3 or abs(err) > 3.0:
        print(f"FAIL: {name} {m['mm']:.1f} mm vs target {m['target_mm']}"); bad += 1
want = ["glabella", "nasion", "brow_crease", "temple_l", "temple_r", "vertex", "crown_whorl",
        "occipital_protuberance", "opisthocranion", "tragion_l", "tragion_r", "nape"]
for n in want:
    p = h["landmarks"].get(n)
    if p is None or not all(math.isfinite(x) for x in p["pos_mm"]):
        print(f"FAIL: landmark {n} missing or not finite"); bad += 1
    if n not in text:
        print(f"FAIL: the text form does not name {n}"); bad += 1
if len(h["nape_line"]) < 2:
    print("FAIL: no nape line"); bad += 1
print("PASS" if bad == 0 else "FAILED")
sys.exit(1 if bad else 0)
PYEOF
