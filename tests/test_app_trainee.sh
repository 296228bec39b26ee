#!/bin/bash
# test_app_trainee.sh: "Who is practising?" in the practice app, driven by keys (xdotool)
# under Xvfb as a person would: with a gradebook, its trainees are listed and the one chosen
# goes into the session header; without one, the name typed goes in; --trainee asks nothing.
# The lesson is an exam of the curriculum: the session is recorded in exam mode, and the
# feedback keys (G D X) leave the picture as it was (nothing shown, no way out of exam mode).
#   args: STIPPLE_BINARY SOURCE_DIR WORK_DIR
set -u
BIN=$1 SRC=$2 WORK=$3
command -v xvfb-run >/dev/null || { echo "SKIP: xvfb-run is not installed"; exit 77; }
command -v xdotool >/dev/null || { echo "SKIP: xdotool is not installed (apt-get install xdotool)"; exit 77; }
"$BIN" practice --help >/dev/null 2>&1 || { echo "SKIP: built without the app"; exit 77; }
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
export MESA_SHADER_CACHE_DISABLE=true XDG_CONFIG_HOME="$WORK/config"
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0   # Mesa/SDL dlclose noise (platform.md)
unset STIPPLE_GRADEBOOK STIPPLE_SESSIONS
py=/usr/bin/python3
pass=0 fail=0
check() { if eval "$1"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $2"; fi; }
lesson=$SRC/lessons/04-soft-hairline.json
grep -q "^exam soft-hairline" "$SRC/lessons/smp-technician-1.curriculum" || { echo "FAIL: soft-hairline is no longer an exam"; exit 1; }

# A gradebook in the default place, two trainees (the list is by id: amy, then ben).
export XDG_DATA_HOME="$WORK/with-gb"
"$BIN" gradebook trainees add amy --name "Amy O'Brien" >/dev/null || exit 1
"$BIN" gradebook trainees add ben --name "Ben Ito" >/dev/null || exit 1

# drive.sh OUT ARGS... -- STEPS...: runs the app, waits for its window, then each step: a key,
# type:TEXT, file:F (wait until the app has written F) or sleep:S; then waits for it to quit.
cat >drive.sh <<'DRIVE'
bin=$1 out=$2; shift 2
args=(); while [ "$1" != "--" ]; do args+=("$1"); shift; done; shift
"$bin" practice "${args[@]}" >"$out" 2>"$out.err" &
pid=$!
wait_for() { for _ in $(seq 600); do [ -s "$1" ] && return 0; kill -0 $pid 2>/dev/null || return 1; sleep 0.1; done; return 1; }
win=""
for _ in $(seq 600); do win=$(xdotool search --all --pid $pid --name '^Stipple$' 2>/dev/null | head -1); [ -n "$win" ] && break; sleep 0.1; done
[ -n "$win" ] || { echo "no window"; kill $pid; exit 1; }
sleep 1
for k in "$@"; do
    case $k in
        type:*) xdotool type --window "$win" --delay 40 "${k#type:}" ;;
        file:*) wait_for "${k#file:}" || { echo "the app never wrote ${k#file:}"; kill $pid; exit 1; } ;;
        sleep:*) sleep "${k#sleep:}" ;;
        move:*) xdotool mousemove --window "$win" ${k#move:} ;;
        down) xdotool mousedown 1; sleep 1 ;;
        up) xdotool mouseup 1 ;;
        *) xdotool key --window "$win" "$k" ;;
    esac
    sleep 0.3
done
for _ in $(seq 300); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill $pid 2>/dev/null
wait $pid
DRIVE
run() { SDL_VIDEODRIVER=x11 timeout 300 xvfb-run -a -s "-screen 0 1280x800x24" bash drive.sh "$BIN" "$@"; }

# same.py A B: "same" or "different", comparing the pixels below the top bar (the session
# clock lives there; everything else must match)
cat >same.py <<'PY'
import struct, sys, zlib
def pixels(path):
    b = open(path, "rb").read()
    i, dat = 8, b""
    while i < len(b):
        n, t = struct.unpack(">I4s", b[i:i + 8])
        if t == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", b[i + 8:i + 18])
        if t == b"IDAT":
            dat += b[i + 8:i + 8 + n]
        i += 12 + n
    assert depth == 8 and ctype in (2, 6)
    bpp = 3 if ctype == 2 else 4
    raw, stride, rows, prev = zlib.decompress(dat), w * bpp, [], bytearray(w * bpp)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            c = prev[x - bpp] if x >= bpp else 0
            up = prev[x]
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + up) & 255
            elif f == 3: line[x] = (line[x] + (a + up) // 2) & 255
            elif f == 4:
                p = a + up - c
                pa, pb, pc = abs(p - a), abs(p - up), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else up if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return rows
a, b = pixels(sys.argv[1]), pixels(sys.argv[2])
print("same" if len(a) == len(b) and a[70:] == b[70:] else "different")
PY

# 1. with the gradebook: Down, Enter picks ben. The lesson is an exam: a picture at 8 s, then
# G D X (the spacing, density and flag overlays and their notes), a picture at 12 s: the
# same. F finishes, Esc quits. (No dots are made here: under a slow build the clicks are
# handled seconds late and a late dot would differ; run 3 shows the keys do show feedback.)
run gb.out --lesson "$lesson" --mouse --screenshot-at prompt:prompt-list.png --screenshot-at 0:exam-start.png \
    --screenshot-at 8:exam-before.png --screenshot-at 12:exam-after.png -o gb.stp \
    -- file:prompt-list.png Down Return file:exam-start.png m "move:660 315" \
       file:exam-before.png g d x file:exam-after.png f sleep:2 Escape
rc=$?
check '[ $rc -eq 0 ] && [ -s prompt-list.png ]' "the app asked who is practising ($rc): $(tail -n 3 gb.out gb.out.err)"
check 'grep -q "^trainee: ben$" gb.out' "Down, Enter chose the second trainee of the gradebook: $(grep trainee gb.out)"
"$BIN" verify gb.stp --json >gb.json 2>&1
$py -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["trainee"]=="ben" and d["origin"]=="mouse" and d["exam_mode"] and not d["synthetic"] and d["verified"]' gb.json 2>/dev/null
check '[ $? -eq 0 ]' "the session names ben, live mouse, exam mode, signed: $(head -c 500 gb.json)"
check 'grep -q "feedback: off (exam)" gb.out' "an exam lesson turns the feedback off"
$py same.py exam-before.png exam-after.png >exam.cmp 2>&1
check 'grep -qx same exam.cmp' "G, D and X change nothing on an exam's screen: $(cat exam.cmp)"

# 3. no gradebook: the name is typed (a typo mended with Backspace). The spacing drill is
# no exam: the same dots and keys as above do change the picture (what the exam check
# would see if the exam let feedback through).
export XDG_DATA_HOME="$WORK/no-gb"
run typed.out --lesson "$SRC/lessons/01-spacing-drill.json" --mouse --screenshot-at prompt:prompt-typed.png \
    --screenshot-at 0:drill-start.png --screenshot-at 8:drill-before.png --screenshot-at 12:drill-after.png -o typed.stp \
    -- file:prompt-typed.png "type:Dana O'Neik" BackSpace type:l Return file:drill-start.png m "move:630 400" down up \
       "move:660 395" down up file:drill-before.png g x file:drill-after.png f sleep:2 Escape
check '[ -s prompt-typed.png ] && grep -q "^trainee: Dana O'"'"'Neil$" typed.out' "without a gradebook the name is typed: $(grep trainee typed.out)"
"$BIN" verify typed.stp --json >typed.json 2>&1
$py -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["trainee"]=="Dana O'"'"'Neil" and not d["exam_mode"]' typed.json 2>/dev/null
check '[ $? -eq 0 ]' "the typed name is the session's trainee: $(head -c 400 typed.json)"
$py same.py drill-before.png drill-after.png >drill.cmp 2>&1
check 'grep -qx different drill.cmp' "outside an exam, G and X show feedback: $(cat drill.cmp)"

# 4. --trainee: nothing asked
run given.out --lesson "$SRC/lessons/01-spacing-drill.json" --mouse --trainee cy --screenshot-at prompt:never.png -o given.stp \
    --screenshot-at 0:given-start.png -- file:given-start.png f sleep:2 Escape
check '[ ! -e never.png ] && ! grep -q "^trainee:" given.out' "--trainee asks nothing"
"$BIN" verify given.stp --json 2>/dev/null | $py -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["trainee"]=="cy" else 1)'
check '[ $? -eq 0 ]' "--trainee is the session's trainee"

echo "test_app_trainee: $pass passed, $fail failed"
[ $fail -eq 0 ]
