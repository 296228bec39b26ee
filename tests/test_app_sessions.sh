#!/bin/bash
# test_app_sessions.sh: the app's Sessions screen, driven by keys (xdotool) under Xvfb: S in
# the lesson picker lists the sessions in $XDG_DATA_HOME/stipple/sessions (newest first), Enter
# opens the newest in the review player, which reviews it and writes nothing.
#   args: STIPPLE_BINARY SOURCE_DIR WORK_DIR
set -u
BIN=$1 SRC=$2 WORK=$3
command -v xvfb-run >/dev/null || { echo "SKIP: xvfb-run is not installed"; exit 77; }
command -v xdotool >/dev/null || { echo "SKIP: xdotool is not installed (apt-get install xdotool)"; exit 77; }
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
export MESA_SHADER_CACHE_DISABLE=true XDG_DATA_HOME="$WORK/data" STIPPLE_LESSONS="$SRC/lessons"
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0   # Mesa/SDL dlclose noise (platform.md)
unset STIPPLE_SESSIONS
store=$XDG_DATA_HOME/stipple/sessions
mkdir -p "$store"
"$BIN" simulate --lesson "$SRC/lessons/01-spacing-drill.json" --trainee sparse --seed 1 -o "$store/a-older.stp" >/dev/null || exit 1
touch -d "2 hours ago" "$store/a-older.stp"
"$BIN" simulate --lesson "$SRC/lessons/01-spacing-drill.json" --trainee expert --seed 2 -o "$store/b-newer.stp" >/dev/null || exit 1
sums=$(sha256sum "$store"/*.stp)

cat >drive.sh <<'DRIVE'
#!/bin/bash
# inside xvfb-run: start the app, wait for its window, press keys, wait for what they do
"$1" practice --lessons "$2" --mouse >app.out 2>app.err &
pid=$!
wait_for() {   # PATTERN FILE: up to 60 s for a line
    for _ in $(seq 600); do grep -q "$1" "$2" 2>/dev/null && return 0; kill -0 $pid 2>/dev/null || return 1; sleep 0.1; done
    return 1
}
win=""
for _ in $(seq 600); do win=$(xdotool search --all --pid $pid --name '^Stipple$' 2>/dev/null | head -1); [ -n "$win" ] && break; sleep 0.1; done
[ -n "$win" ] || { echo "no window"; kill $pid; exit 1; }
sleep 0.5
xdotool key --window "$win" s
xdotool key --window "$win" Return   # SDL handles the keys in order: S lists, Enter opens
wait_for "review: open to first frame" app.out || { echo "the review did not open"; kill $pid; exit 1; }
xdotool key --window "$win" Escape
for _ in $(seq 300); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill $pid 2>/dev/null
wait $pid
DRIVE
SDL_VIDEODRIVER=x11 xvfb-run -a -s "-screen 0 1280x800x24" bash drive.sh "$BIN" "$SRC/lessons"
rc=$?
cat app.out
fail=0
[ $rc -eq 0 ] || { echo "FAIL: driving the app: status $rc"; cat app.err; fail=1; }
grep -q "review: open to first frame" app.out || { echo "FAIL: Enter on the Sessions screen did not open a review"; fail=1; }
grep -q "^review: .*/b-newer.stp, lesson spacing-drill" app.out || { echo "FAIL: the first row is not the newest session"; fail=1; }
[ "$(sha256sum "$store"/*.stp)" = "$sums" ] || { echo "FAIL: the sessions changed"; fail=1; }
[ "$(ls "$store" | wc -l)" -eq 2 ] || { echo "FAIL: files appeared in $store: $(ls "$store")"; fail=1; }
[ $fail -eq 0 ] && echo "test_app_sessions: PASS" || echo "test_app_sessions: FAILED"
exit $fail
