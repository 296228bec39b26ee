#!/usr/bin/env bash
# Signed sessions as a user meets them: stipple station (show, --json, --export, --register),
# a station key others may read refused, stipple verify's exit status, names and JSON for a
# good, an edited, a cut and a re-signed session, --keys, and a format 1 session (grades,
# reported unsigned).
# usage: test_verify_cli.sh STIPPLE_BINARY SOURCE_DIR WORK_DIR
set -u
bin=$1; src=$2; work=$3
rm -rf "$work"; mkdir -p "$work"
pass=0; fail=0
ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { if eval "$1"; then ok; else bad "$2"; fi; }
py=/usr/bin/python3
[ -x "$py" ] || { echo "python3 missing: skipped"; exit 77; }
export XDG_CONFIG_HOME="$work/config"
lesson="$src/lessons/01-spacing-drill.json"

# --- the station ------------------------------------------------------------------------
"$bin" station >"$work/station.out" 2>&1; rc=$?
check '[ $rc -eq 0 ] && grep -q "key made now" "$work/station.out"' "first station call makes the key: $(cat "$work/station.out")"
key="$XDG_CONFIG_HOME/stipple/keys/station.key"
check '[ "$(stat -c %a "$key")" = 600 ]' "private key mode $(stat -c %a "$key"), want 600"
"$bin" station --json >"$work/station.json"; rc=$?
id=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/station.json")
check '[ $rc -eq 0 ] && [ ${#id} -eq 16 ]' "station --json gives a 16-digit id: $id"
check 'grep -q "$id" "$work/station.out" && ! grep -q "key made now" <("$bin" station)' "the same station the second time"
"$bin" station --export "$work/me.station" >/dev/null; rc=$?
check '[ $rc -eq 0 ] && head -1 "$work/me.station" | grep -qx "stipple-station 1" && grep -qx "id $id" "$work/me.station"' \
      "export writes the documented format: $(cat "$work/me.station")"
check '"$bin" station --help | grep -q -- "--export"' "station --help lists --export"

# --- verify: a good session ----------------------------------------------------------------
"$bin" simulate --lesson "$lesson" --trainee deep --seed 3 -o "$work/s.stp" >/dev/null 2>&1
"$bin" verify "$work/s.stp" >"$work/v.out" 2>&1; rc=$?
check '[ $rc -eq 0 ] && grep -q "verified" "$work/v.out" && grep -q "$id" "$work/v.out" && grep -q "virtual:deep" "$work/v.out"' \
      "a fresh session verifies, naming station and trainee: $(cat "$work/v.out")"
"$bin" verify "$work/s.stp" --json >"$work/v.json"; rc=$?
check '[ $rc -eq 0 ] && $py -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"verified\"] and d[\"station\"][\"id\"]==sys.argv[2] and d[\"synthetic\"] and d[\"origin\"]==\"simulated trainee\" and d[\"start_utc\"] is None and d[\"complete\"]" "$work/v.json" "$id"' \
      "verify --json: $(head -c 600 "$work/v.json")"
"$bin" simulate --lesson "$lesson" --trainee deep --seed 3 -o "$work/s2.stp" >/dev/null 2>&1
check 'cmp -s "$work/s.stp" "$work/s2.stp"' "a simulated signed session is the same bytes twice"

# --- verify: the auditor's edits --------------------------------------------------------------
$py - "$work/s.stp" "$work" <<'PY'
import struct, sys, zlib
src, work = sys.argv[1], sys.argv[2]
b = bytearray(open(src, 'rb').read())
chunks, pos = [], 8
while pos + 9 <= len(b):
    n = struct.unpack_from('<I', b, pos + 1)[0]
    chunks.append((pos, 9 + n)); pos += 9 + n
def fix(buf, at):
    n = struct.unpack_from('<I', buf, at + 1)[0]
    struct.pack_into('<I', buf, at + 5 + n, zlib.crc32(bytes(buf[at:at + 5 + n])))
# calibration travel scaled by 0.36 (the f32 after activation, saturation and gamma at
# their defaults; the travel is read, not assumed, so a new default keeps the test honest)
c = bytearray(b); h0, hl = chunks[0]
cal = struct.pack('<3f', 0.04, 0.95, 1.0)
i = bytes(c[h0:h0 + hl]).find(cal)
assert i > 0
travel = struct.unpack_from('<f', c, h0 + i + 12)[0]
assert travel > 0.5
struct.pack_into('<f', c, h0 + i + 12, travel * 0.36); fix(c, h0)
open(work + '/calib.stp', 'wb').write(c)
# a chunk in the middle dropped
mid = len(chunks) // 2
open(work + '/dropped.stp', 'wb').write(bytes(b[:chunks[mid][0]]) + bytes(b[chunks[mid][0] + chunks[mid][1]:]))
# cut at a chunk boundary (a crash)
open(work + '/cut.stp', 'wb').write(bytes(b[:chunks[mid][0]]))
# one byte flipped in the middle chunk, CRC left as it is
c = bytearray(b); c[chunks[mid][0] + 7] ^= 0x40
open(work + '/flipped.stp', 'wb').write(c)
PY
"$bin" verify "$work/calib.stp" >"$work/calib.out"; rc=$?
check '[ $rc -eq 1 ] && grep -q "header" "$work/calib.out" && grep -q "changed after signing" "$work/calib.out"' \
      "calibration edit found: $(cat "$work/calib.out")"
"$bin" grade "$work/calib.stp" >/dev/null 2>&1
"$bin" verify "$work/dropped.stp" >"$work/drop.out"; rc=$?
check '[ $rc -eq 1 ] && grep -q "dropped" "$work/drop.out"' "dropped chunk named: $(cat "$work/drop.out")"
"$bin" verify "$work/cut.stp" --json >"$work/cut.json"; rc=$?
check '[ $rc -eq 1 ] && $py -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"status\"]==\"unsigned_tail\" and d[\"verified_until_s\"]>0 and any(p[\"problem\"]==\"no_end\" for p in d[\"problems\"])" "$work/cut.json"' \
      "a cut session verifies up to its last checkpoint: $(head -c 800 "$work/cut.json")"
"$bin" verify "$work/flipped.stp" >"$work/flip.out"; rc=$?
check '[ $rc -eq 1 ] && grep -q "damaged" "$work/flip.out"' "flipped byte found: $(cat "$work/flip.out")"
"$bin" grade "$work/flipped.stp" >"$work/flip-grade.out" 2>&1
check 'grep -q "next good chunk" "$work/flip-grade.out"' "grade reads past the damaged chunk and says so: $(grep -i warning "$work/flip-grade.out")"

# --- the registry: --keys, another station ------------------------------------------------------
mkdir -p "$work/empty-keys"
"$bin" verify "$work/s.stp" --keys "$work/empty-keys" >"$work/unk.out"; rc=$?
check '[ $rc -eq 1 ] && grep -q "unknown key" "$work/unk.out"' "no registered key: $(cat "$work/unk.out")"
"$bin" verify "$work/s.stp" --keys "$work/me.station" >/dev/null; rc=$?
check '[ $rc -eq 0 ]' "--keys with the exported file verifies"
# another station signs; this one does not know it until it is registered
XDG_CONFIG_HOME="$work/other" "$bin" simulate --lesson "$lesson" --trainee expert --seed 1 -o "$work/other.stp" >/dev/null 2>&1
XDG_CONFIG_HOME="$work/other" "$bin" station --export "$work/other.station" >/dev/null
"$bin" verify "$work/other.stp" >"$work/other.out"; rc=$?
check '[ $rc -eq 1 ] && grep -q "NOT registered" "$work/other.out"' "another station's session: unknown key: $(cat "$work/other.out")"
"$bin" station --register "$work/other.station" >/dev/null; rc=$?
"$bin" verify "$work/other.stp" >/dev/null; rc2=$?
check '[ $rc -eq 0 ] && [ $rc2 -eq 0 ]' "registered, then verified ($rc, $rc2)"

# --- a private key others may read --------------------------------------------------------------
chmod 644 "$key"
"$bin" station >"$work/perm.out" 2>&1; rc=$?
check '[ $rc -eq 1 ] && grep -q "read by others" "$work/perm.out" && grep -q "chmod 600" "$work/perm.out"' \
      "a 0644 key refused: $(cat "$work/perm.out")"
"$bin" simulate --lesson "$lesson" --trainee expert --seed 2 -o "$work/u.stp" >"$work/perm2.out" 2>&1; rc=$?
"$bin" verify "$work/u.stp" >"$work/u.out"; rc2=$?
check '[ $rc -eq 0 ] && grep -q "unsigned" "$work/perm2.out" && [ $rc2 -eq 1 ] && grep -q "unsigned" "$work/u.out"' \
      "with the key refused a session is still written, unsigned, and verify says so ($rc, $rc2): $(cat "$work/perm2.out" "$work/u.out")"
chmod 600 "$key"

# --- a format 1 session: still grades, reported unsigned ------------------------------------------
$py - "$work/u.stp" "$work/v1.stp" <<'PY'
import struct, sys, zlib
b = open(sys.argv[1], 'rb').read()
chunks, pos = [], 8
while pos + 9 <= len(b):
    n = struct.unpack_from('<I', b, pos + 1)[0]
    chunks.append((b[pos:pos + 1], b[pos + 5:pos + 5 + n])); pos += 9 + n
t, hp = chunks[0]
# the format 1 header is the format 2 one without the fields after the calibration
p = 4
p += 1 + hp[p]; p += 1 + hp[p]; p += 32; p += 1 + hp[p]; p += 8   # program, lesson, hash, source, seed
p += 1 + hp[p]; p += 8 + 8 + 6 * 12 + 16                             # device, calibration
h1 = struct.pack('<I', 1) + hp[4:p]
out = b'STPLSES\0'
for typ, pay in [(b'H', h1)] + [c for c in chunks[1:] if c[0] != b'S']:
    fr = typ + struct.pack('<I', len(pay)) + pay
    out += fr + struct.pack('<I', zlib.crc32(fr))
open(sys.argv[2], 'wb').write(out)
PY
"$bin" grade "$work/v1.stp" --json >"$work/v1.json" 2>"$work/v1.err"; rc=$?
"$bin" grade "$work/u.stp" --json >"$work/u.json" 2>/dev/null
check '[ $rc -eq 0 ] && $py -c "import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); assert a[\"total\"]==b[\"total\"]" "$work/v1.json" "$work/u.json"' \
      "a format 1 session grades as before ($rc): $(cat "$work/v1.err")"
"$bin" verify "$work/v1.stp" >"$work/v1v.out"; rc=$?
check '[ $rc -eq 1 ] && grep -q "format 1" "$work/v1v.out" && grep -q "unsigned" "$work/v1v.out"' "verify calls a format 1 session unsigned: $(cat "$work/v1v.out")"

# --- the practice app: a played-in session is recorded as a recording, named, signed ---------------
if command -v xvfb-run >/dev/null && "$bin" practice --help >/dev/null 2>&1; then
    "$bin" simulate --lesson "$src/lessons/04-soft-hairline.json" --trainee expert --seed 1 -o "$work/hl.stp" >/dev/null 2>&1
    XDG_DATA_HOME="$work/data" SDL_VIDEODRIVER=x11 timeout 200 xvfb-run -a -s "-screen 0 1280x800x24" \
        "$bin" practice --input-file "$work/hl.stp" --fast --exit-after end --trainee "Ana Lima" -o "$work/app.stp" \
        >"$work/app.out" 2>&1
    "$bin" verify "$work/app.stp" --json >"$work/app.json"; rc=$?
    check '[ $rc -eq 0 ] && $py -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"origin\"]==\"device recording\" and d[\"trainee\"]==\"Ana Lima\" and d[\"synthetic\"] and d[\"start_utc\"] is None" "$work/app.json"' \
          "the app's session of a played-in virtual trainee: signed, origin recording, still synthetic, the trainee named ($rc): $(cat "$work/app.out") $(head -c 700 "$work/app.json")"
    # live, with the mouse, on an exam lesson of the curriculum: exam mode, a wall-clock start
    XDG_DATA_HOME="$work/data" SDL_VIDEODRIVER=x11 timeout 200 xvfb-run -a -s "-screen 0 1280x800x24" \
        "$bin" practice --lesson "$src/lessons/04-soft-hairline.json" --mouse --exit-after 1.5 --trainee "Bo" \
        -o "$work/live.stp" >"$work/live.out" 2>&1
    "$bin" verify "$work/live.stp" --json >"$work/live.json"; rc=$?
    check '[ $rc -eq 0 ] && grep -q "exam lesson" "$work/live.out" && $py -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"origin\"]==\"mouse\" and d[\"exam_mode\"] and d[\"trainee\"]==\"Bo\" and d[\"start_utc\"] is not None" "$work/live.json"' \
          "a live mouse session on an exam lesson: exam mode, signed, dated ($rc): $(cat "$work/live.out") $(head -c 700 "$work/live.json")"
else
    echo "note: no xvfb-run or no app: the practice app's session not checked"
fi

"$bin" verify >/dev/null 2>&1; rc=$?
check '[ $rc -eq 2 ]' "verify without a session: usage error ($rc)"
"$bin" verify --help | grep -q "Exit status"; check '[ $? -eq 0 ]' "verify --help explains the exit status"

echo "test_verify_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
