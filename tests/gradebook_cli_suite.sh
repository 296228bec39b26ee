# gradebook_cli_suite.sh: `stipple gradebook` as clinics use it, sourced by
# test_gradebook_cli_sqlite.sh and test_gradebook_cli_pg.sh so that both engines run the
# same checks. The caller sets bin, src, work, KILLS (how many kill -9 rounds) and
# fresh_db NAME (prints the --db of an empty gradebook), then calls run_gradebook_suite.
#
# Sessions come from a small copy of the spacing drill (a 15 x 12 mm zone), so an import of
# dozens of sessions takes about a second and a kill lands anywhere inside it.
pass=0; fail=0
ok()    { pass=$((pass + 1)); }
bad()   { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { if eval "$1"; then ok; else bad "$2"; fi; }
py=/usr/bin/python3
NSESS=${NSESS:-10}

make_sessions() {
    mkdir -p "$work/lessons" "$work/sessions"
    sed 's/\[\[20, 15\], \[80, 15\], \[80, 55\], \[20, 55\]\]/[[40, 30], [55, 30], [55, 42], [40, 42]]/; s/"id": "spacing-drill"/"id": "tiny-drill"/' \
        "$src/lessons/01-spacing-drill.json" >"$work/lessons/tiny.json"
    grep -q '"tiny-drill"' "$work/lessons/tiny.json" || { echo "could not make the small lesson"; exit 1; }
    for i in $(seq 1 "$NSESS"); do
        "$bin" simulate --lesson "$work/lessons/tiny.json" --trainee expert --seed "$i" \
            -o "$work/sessions/s$(printf %03d "$i").stp" >/dev/null || { echo "simulate failed"; exit 1; }
    done
}

# The stored sessions as "hash" lines, from the CSV export (parsed properly).
stored_hashes() {
    "$bin" gradebook export --csv --db "$1" | "$py" -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
for r in rows: print(r["session_hash"])'
}

run_gradebook_suite() {
    # keys (station, instructor, clinic) in the work folder, never in the user's home
    export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
    make_sessions
    local db rc; db=$(fresh_db main)
    local imp=("$bin" gradebook import --lessons "$work/lessons" --db "$db")

    # --- hostile names break neither queries, reports nor the terminal -------------------
    local evil=$'O\'Brien"; DROP TABLE sessions;--\e[31m\tred'
    "$bin" gradebook trainees add amy --name "$evil" --db "$db" >"$work/add.out" 2>&1
    rc=$?
    check '[ $rc -eq 0 ]' "add a trainee with a hostile name: $(cat "$work/add.out")"
    "$bin" gradebook trainees add "x'; DROP TABLE trainees;--" --db "$db" >/dev/null 2>&1
    rc=$?
    check '[ $rc -ne 0 ]' "an id with SQL in it is refused"
    "$bin" gradebook trainees list --db "$db" >"$work/list.out" 2>&1
    check '! grep -q $'"'"'\e'"'"' "$work/list.out" && grep -q "amy" "$work/list.out"' "list prints the name escaped"
    "$bin" gradebook trainees list --json --db "$db" | "$py" -c '
import json, sys
want = sys.argv[1]
d = json.load(sys.stdin)
sys.exit(0 if d[0]["name"] == want else 1)' "$evil"
    rc=$?
    check '[ $rc -eq 0 ]' "the name comes back byte for byte in JSON"

    # --- import: idempotent, refusals with the reason ----------------------------------
    "${imp[@]}" --trainee amy "$work/sessions" >"$work/imp1.out" 2>"$work/imp1.err"
    rc=$?
    check '[ $rc -eq 0 ]' "first import: $(tail -3 "$work/imp1.err")"
    check '[ "$(grep -c ": kept as practice" "$work/imp1.out")" -eq "$NSESS" ]' \
        "every synthetic, unsigned session is kept as practice: $(tail -2 "$work/imp1.out")"
    check '[ "$(grep -c "not evidence: does not verify" "$work/imp1.out")" -eq "$NSESS" ]' "the reason is given (they do not verify here)"
    stored_hashes "$db" | sort >"$work/h1"
    check '[ "$(wc -l <"$work/h1")" -eq "$NSESS" ] && [ "$(sort -u "$work/h1" | wc -l)" -eq "$NSESS" ]' "$NSESS sessions stored once"
    # the stored hash is the file's BLAKE2b-256
    local want; want=$("$py" -c 'import hashlib,sys; print(hashlib.blake2b(open(sys.argv[1],"rb").read(), digest_size=32).hexdigest())' "$work/sessions/s001.stp")
    check 'grep -qx "$want" "$work/h1"' "sessions are stored by their content hash"
    "${imp[@]}" --trainee amy "$work/sessions" >"$work/imp2.out" 2>&1
    rc=$?
    check '[ $rc -eq 0 ] && [ "$(grep -c "already in the gradebook" "$work/imp2.out")" -eq "$NSESS" ]' "a second import changes nothing"
    stored_hashes "$db" | sort >"$work/h2"
    check 'cmp -s "$work/h1" "$work/h2"' "the stored set is unchanged"

    mkdir -p "$work/hostile"
    head -c 4096 /dev/urandom >"$work/hostile/noise.stp"
    printf 'STPLSES\0' >"$work/hostile/short.stp"
    cp "$work/sessions/s001.stp" "$work/hostile/copy'; DROP TABLE sessions;--.stp"
    head -c 300 "$work/sessions/s002.stp" >"$work/hostile/truncated.stp"
    "${imp[@]}" --trainee amy "$work/hostile" >"$work/imp3.out" 2>"$work/imp3.err"
    rc=$?
    check '[ $rc -eq 1 ]' "a folder with bad files exits 1"
    check 'grep -q "noise.stp: not a readable session" "$work/imp3.err"' "noise refused with the reason: $(cat "$work/imp3.err")"
    check 'grep -q "already in the gradebook" "$work/imp3.out"' "a copy under a hostile name is the same session"
    stored_hashes "$db" | sort >"$work/h3"
    check '! grep -q DROP "$work/imp3.out" || [ "$(wc -l <"$work/h3")" -ge "$NSESS" ]' "nothing dropped"

    # --- progress from the data --------------------------------------------------------
    "$bin" gradebook progress amy --json --db "$db" >"$work/prog.json" 2>&1
    rc=$?
    check '[ $rc -eq 0 ]' "progress --json: $(head -3 "$work/prog.json")"
    "$bin" gradebook export --csv --db "$db" -o "$work/all.csv"
    "$py" - "$work/prog.json" "$work/all.csv" >"$work/prog.check" 2>&1 <<'PY'
import csv, json, sys
p = json.load(open(sys.argv[1]))
rows = [r for r in csv.DictReader(open(sys.argv[2])) if r["trainee"] == "amy" and r["lesson"] == "tiny-drill"]
rows.sort(key=lambda r: (r["attempt_at"], r["session_hash"]))
tot = [float(r["total"]) for r in rows]
l = [x for x in p["lessons"] if x["lesson"] == "tiny-drill"][0]
assert l["attempts"] == len(rows), (l["attempts"], len(rows))
assert abs(l["best"] - max(tot)) < 1e-3, (l["best"], max(tot))
assert abs(l["running_average"] - sum(tot[-3:]) / 3) < 1e-3, (l["running_average"], tot[-3:])
prev = sum(tot[-4:-1]) / 3
assert abs(l["trend_points"] - (sum(tot[-3:]) / 3 - prev)) < 1e-3
assert l["evidence"] == 0
print("ok")
PY
    check 'grep -qx ok "$work/prog.check"' "progress agrees with the stored totals: $(cat "$work/prog.check")"
    "$bin" gradebook progress amy --db "$db" >"$work/prog.txt" 2>&1
    check '! grep -q $'"'"'\e'"'"' "$work/prog.txt" && grep -q "tiny-drill" "$work/prog.txt"' "progress text, name escaped"

    # --- overrides: an unknown instructor's signature is refused -----------------------
    local h; h=$(head -1 "$work/h1")
    XDG_CONFIG_HOME="$work/cfg" "$bin" gradebook instructors add dr-lee --name "Dr Lee" --db "$db" >"$work/ins.out" 2>&1
    rc=$?
    check '[ $rc -eq 0 ] && [ "$(stat -c %a "$work/cfg/stipple/keys/instructor-dr-lee.key")" = 600 ]' "instructor key made 0600: $(cat "$work/ins.out")"
    XDG_CONFIG_HOME="$work/cfg" "$bin" gradebook override "$h" --instructor dr-lee --verdict void --reason "cable fault" --db "$db" >"$work/ov.out" 2>&1
    rc=$?
    check '[ $rc -eq 0 ]' "a registered instructor's override is kept: $(cat "$work/ov.out")"
    mkdir -p "$work/cfg2/stipple/keys"
    cp "$work/cfg/stipple/keys/instructor-dr-lee.key" "$work/cfg2/stipple/keys/instructor-dr-nobody.key"
    XDG_CONFIG_HOME="$work/cfg2" "$bin" gradebook override "$h" --instructor dr-nobody --verdict pass --reason x --db "$db" >"$work/ov2.out" 2>&1
    rc=$?
    check '[ $rc -eq 1 ] && grep -q "not a registered instructor" "$work/ov2.out"' "unknown instructor refused: $(cat "$work/ov2.out")"
    XDG_CONFIG_HOME="$work/cfg" "$bin" certify amy --curriculum "$src/lessons/smp-technician-1.curriculum" --db "$db" >"$work/cert.out" 2>&1
    rc=$?
    check '[ $rc -eq 1 ] && grep -q "does not yet meet" "$work/cert.out" && ! grep -q $'"'"'\e'"'"' "$work/cert.out"' \
        "no certificate on synthetic, unsigned sessions: $(head -3 "$work/cert.out")"

    # --- signed sessions: verified against the gradebook's stations -----------------------
    (
        export XDG_CONFIG_HOME="$work/station"
        "$bin" simulate --lesson "$work/lessons/tiny.json" --trainee expert --seed 901 -o "$work/signed1.stp" >/dev/null
        "${imp[@]}" --trainee amy "$work/signed1.stp" >"$work/sig1.out" 2>&1
        check 'grep -q "does not verify (unregistered station)" "$work/sig1.out"' "an unregistered station's session: $(cat "$work/sig1.out")"
        "$bin" station --export "$work/st.pub" >/dev/null 2>&1
        "$bin" gradebook stations register "$work/st.pub" --db "$db" >"$work/reg.out" 2>&1
        rc=$?
        check '[ $rc -eq 0 ]' "register the station's export file: $(cat "$work/reg.out")"
        "$bin" simulate --lesson "$work/lessons/tiny.json" --trainee expert --seed 902 -o "$work/signed2.stp" >/dev/null
        cp "$work/signed2.stp" "$work/signed3.stp"
        printf '\007' | dd of="$work/signed3.stp" bs=1 seek=3000 conv=notrunc 2>/dev/null
        "${imp[@]}" --trainee amy "$work/signed2.stp" "$work/signed3.stp" >"$work/sig2.out" 2>&1
        check 'grep "signed2.stp" "$work/sig2.out" | grep -q "not evidence: synthetic"' "a registered station's simulated session verifies and is synthetic: $(cat "$work/sig2.out")"
        check 'grep "signed3.stp" "$work/sig2.out" | grep -q "does not verify (tampered)"' "a changed byte: tampered"
        echo "$pass $fail" >"$work/sig.counts"
    )
    read -r pass fail <"$work/sig.counts"

    # --- two importers at once: every session exactly once ------------------------------
    local db2; db2=$(fresh_db two)
    "$bin" gradebook import --lessons "$work/lessons" --db "$db2" --trainee amy "$work/sessions" >"$work/two.a" 2>&1 &
    local p1=$!
    "$bin" gradebook import --lessons "$work/lessons" --db "$db2" --trainee amy "$work/sessions" >"$work/two.b" 2>&1 &
    local p2=$!
    wait $p1; local r1=$?
    wait $p2; local r2=$?
    check '[ $r1 -eq 0 ] && [ $r2 -eq 0 ]' "both importers finish: $(tail -2 "$work/two.a") / $(tail -2 "$work/two.b")"
    stored_hashes "$db2" | sort >"$work/h4"
    check 'cmp -s "$work/h1" "$work/h4"' "two importers: every session exactly once ($(wc -l <"$work/h4") stored)"
    local na nb; na=$(grep -c ": kept as practice" "$work/two.a"); nb=$(grep -c ": kept as practice" "$work/two.b")
    check '[ $((na + nb)) -eq "$NSESS" ]' "each session stored by exactly one of them ($na + $nb)"

    # --- kill -9 during an import, at random points ----------------------------------------
    local t0 t1 span_ms
    local dbt; dbt=$(fresh_db timing)
    t0=$(date +%s%N)
    "$bin" gradebook import --lessons "$work/lessons" --db "$dbt" --trainee amy --jobs 2 "$work/sessions" >/dev/null 2>&1
    t1=$(date +%s%N)
    span_ms=$(( (t1 - t0) / 1000000 ))
    [ "$span_ms" -lt 50 ] && span_ms=50
    local killed_mid=0 lost=0 rerun_bad=0 incons=0
    for k in $(seq 1 "$KILLS"); do
        local dbk; dbk=$(fresh_db "kill$k")
        local delay_ms=$(( RANDOM % span_ms ))
        "$bin" gradebook import --lessons "$work/lessons" --db "$dbk" --trainee amy --jobs 2 "$work/sessions" >"$work/kill.out" 2>/dev/null &
        local pid=$!
        sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
        kill -9 $pid 2>/dev/null && killed_mid=$((killed_mid + 1))
        wait $pid 2>/dev/null
        # everything reported before the kill is stored, and the gradebook reads
        if ! stored_hashes "$dbk" >"$work/kill.h" 2>"$work/kill.err"; then
            incons=$((incons + 1)); echo "round $k: the gradebook does not read after the kill: $(cat "$work/kill.err")"
        fi
        [ -n "${check_integrity:-}" ] && ! $check_integrity "$dbk" && incons=$((incons + 1))
        for short in $(grep -o "kept as practice [0-9a-f]*" "$work/kill.out" | awk '{print $4}'); do
            grep -q "^$short" "$work/kill.h" || { lost=$((lost + 1)); echo "round $k: $short reported but not stored"; }
        done
        [ "$(sort -u "$work/kill.h" | wc -l)" -eq "$(wc -l <"$work/kill.h")" ] || incons=$((incons + 1))
        "$bin" gradebook import --lessons "$work/lessons" --db "$dbk" --trainee amy --jobs 2 "$work/sessions" >/dev/null 2>&1 \
            || rerun_bad=$((rerun_bad + 1))
        stored_hashes "$dbk" | sort >"$work/kill.h2"
        cmp -s "$work/h1" "$work/kill.h2" || { rerun_bad=$((rerun_bad + 1)); echo "round $k: after the re-run $(wc -l <"$work/kill.h2") stored"; }
        [ -n "${drop_db:-}" ] && $drop_db "kill$k"
    done
    check '[ $lost -eq 0 ]' "kill -9 x$KILLS: nothing reported as stored is lost ($lost lost)"
    check '[ $incons -eq 0 ]' "kill -9 x$KILLS: the gradebook stays consistent ($incons bad)"
    check '[ $rerun_bad -eq 0 ]' "kill -9 x$KILLS: running the import again completes it ($rerun_bad bad)"
    echo "kill -9: $killed_mid of $KILLS imports killed while running (import span ${span_ms} ms)"
    check '[ $killed_mid -ge $((KILLS / 2)) ]' "most kills land while the import runs ($killed_mid of $KILLS)"
}
