#!/usr/bin/env bash
# The `stipple` command as a user runs it: lesson check, simulate, grade (text and JSON),
# dots, determinism of simulate, a damaged session, and bad arguments.
# usage: test_cli.sh STIPPLE_BINARY SOURCE_DIR WORK_DIR
set -u
bin=$1; src=$2; work=$3
rm -rf "$work"; mkdir -p "$work"
pass=0; fail=0
ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { if eval "$1"; then ok; else bad "$2"; fi; }
py=/usr/bin/python3

# --- lesson check --------------------------------------------------------------------
"$bin" lesson check "$src"/lessons/*.json >"$work/check.out" 2>&1
rc=$?
check '[ $rc -eq 0 ]' "every shipped lesson passes lesson check: $(cat "$work/check.out")"
nles=$(ls "$src"/lessons/*.json | wc -l)
check '[ "$(grep -c ": ok:" "$work/check.out")" -eq "$nles" ]' "one ok line per lesson"

# a broken lesson: a wrong type on a known line; the message names file:line:column
sed 's/"density_per_cm2": 30/"density_per_cm2": "thirty"/' "$src/lessons/01-spacing-drill.json" >"$work/broken.json"
line=$(grep -n '"thirty"' "$work/broken.json" | cut -d: -f1)
col=$(awk -v l="$line" 'NR==l { print index($0, "\"thirty\"") }' "$work/broken.json")
"$bin" lesson check "$work/broken.json" >"$work/broken.out" 2>&1
rc=$?
check '[ $rc -ne 0 ]' "broken lesson exits non-zero"
check 'grep -q "^$work/broken.json:$line:$col: " "$work/broken.out"' "broken lesson says file:$line:$col: $(cat "$work/broken.out")"
printf '{"format": "stipple-lesson/1",\n  "id": ' >"$work/truncated.json"
"$bin" lesson check "$work/truncated.json" >"$work/trunc.out" 2>&1
rc=$?
check '[ $rc -eq 1 ] && grep -q "^$work/truncated.json:[0-9]*:[0-9]*: " "$work/trunc.out"' "truncated lesson: clear error, no crash (rc $rc)"
"$bin" lesson check "$work/does-not-exist.json" >"$work/missing.out" 2>&1
rc=$?
check '[ $rc -eq 1 ] && grep -q "does-not-exist.json" "$work/missing.out"' "missing lesson file named"

# --- simulate, grade, dots -----------------------------------------------------------
lesson="$src/lessons/01-spacing-drill.json"
"$bin" simulate --lesson "$lesson" --trainee expert --seed 5 -o "$work/a.stp" >"$work/sim.out" 2>&1
rc=$?
check '[ $rc -eq 0 ] && [ -s "$work/a.stp" ]' "simulate writes a session: $(cat "$work/sim.out")"
"$bin" simulate --lesson "$lesson" --trainee expert --seed 5 -o "$work/b.stp" >/dev/null 2>&1
check 'cmp -s "$work/a.stp" "$work/b.stp"' "same build and seed: same bytes"
"$bin" simulate --lesson "$lesson" --trainee expert --seed 6 -o "$work/c.stp" >/dev/null 2>&1
check '! cmp -s "$work/a.stp" "$work/c.stp"' "another seed: other bytes"

"$bin" grade "$work/a.stp" >"$work/grade.txt" 2>"$work/grade.err"
rc=$?
check '[ $rc -eq 0 ]' "grade runs: $(cat "$work/grade.err")"
check 'grep -qi "spacing" "$work/grade.txt" && grep -qi "depth" "$work/grade.txt" && grep -qiE "pass|fail" "$work/grade.txt"' "text report names metrics and a verdict"

"$bin" grade "$work/a.stp" --json >"$work/grade.json" 2>"$work/gradej.err"
rc=$?
check '[ $rc -eq 0 ]' "grade --json runs"
"$bin" dots "$work/a.stp" >"$work/dots.csv" 2>"$work/dots.err"
rc=$?
check '[ $rc -eq 0 ]' "dots runs"
"$py" - "$work/grade.json" "$work/dots.csv" >"$work/json.out" 2>&1 <<'PY'
import csv, json, sys, math
r = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
m = r["metrics"]
need = [("spacing", "nn_mean_mm"), ("spacing", "clark_evans_r"), ("spacing", "density_per_cm2"),
        ("spacing", "zone_area_cm2"), ("depth", "in_band_fraction"), ("pigment", "delta_e00_mean")]
errors = []
for k in ("report_version", "total", "passed", "metrics"):
    if k not in r: errors.append("missing top-level " + k)
for a, b in need:
    if b not in m.get(a, {}): errors.append("missing metrics.%s.%s" % (a, b))
for name, metric in m.items():
    if metric.get("applies") and "passed" not in metric: errors.append("metric %s has no passed" % name)
    if not metric.get("applies") and ("score" in metric or "passed" in metric): errors.append("metric %s does not apply but has a score" % name)
# the report and the CSV describe the same dots
if r["session"]["dots"] != len(rows): errors.append("report dots %s != csv rows %d" % (r["session"]["dots"], len(rows)))
depths = [float(x["depth_mm"]) for x in rows]
inband = sum(1 for d in depths if 0.15 <= d <= 0.45) / len(depths)
if abs(inband - m["depth"]["in_band_fraction"]) > 0.002: errors.append("in-band %.4f vs report %.4f" % (inband, m["depth"]["in_band_fraction"]))
# density = dots in the zone (20..80 x 15..55 mm) / area
inzone = sum(1 for x in rows if 20 <= float(x["u_mm"]) <= 80 and 15 <= float(x["v_mm"]) <= 55)
dens = inzone / 24.0
if abs(dens - m["spacing"]["density_per_cm2"]) > 0.02 * dens: errors.append("density %.2f vs report %.2f" % (dens, m["spacing"]["density_per_cm2"]))
if abs(m["spacing"]["zone_area_cm2"] - 24.0) > 0.24: errors.append("zone area %.3f, want 24" % m["spacing"]["zone_area_cm2"])
if not r["passed"]: errors.append("the expert did not pass")
print("\n".join(errors) if errors else "json ok")
sys.exit(1 if errors else 0)
PY
rc=$?
check '[ $rc -eq 0 ]' "JSON report and CSV agree: $(cat "$work/json.out")"
check '[ "$(head -1 "$work/dots.csv" | cut -d, -f1-5)" = "index,time_s,x_mm,y_mm,z_mm" ]' "CSV header"

# --- damage: a truncated session still grades, with a warning --------------------------
size=$(stat -c %s "$work/a.stp")
head -c $((size * 2 / 3)) "$work/a.stp" >"$work/cut.stp"
"$bin" grade "$work/cut.stp" >"$work/cut.txt" 2>"$work/cut.err"
rc=$?
check '[ $rc -eq 0 ] && grep -qi "warning" "$work/cut.err"' "truncated session graded with a warning: $(cat "$work/cut.err")"
printf 'not a session at all' >"$work/junk.stp"
"$bin" grade "$work/junk.stp" >/dev/null 2>"$work/junk.err"
rc=$?
check '[ $rc -eq 1 ] && [ -s "$work/junk.err" ]' "junk session: clear error (rc $rc): $(cat "$work/junk.err")"

# --- the lesson a session names must be the one it was recorded on --------------------
mkdir -p "$work/lessons"
sed 's/"title": "Spacing drill/"title": "Changed drill/' "$lesson" >"$work/lessons/01.json"
"$bin" grade "$work/a.stp" --lessons "$work/lessons" >/dev/null 2>"$work/changed.err"
rc=$?
check '[ $rc -ne 0 ] && grep -q "changed" "$work/changed.err"' "a changed lesson is noticed: $(cat "$work/changed.err")"

# --- bad arguments --------------------------------------------------------------------
"$bin" simulate --lesson "$lesson" --trainee nobody --seed 1 -o "$work/x.stp" >/dev/null 2>"$work/args.err"
rc=$?
check '[ $rc -eq 2 ] && grep -q "unknown trainee" "$work/args.err"' "unknown trainee"
"$bin" frobnicate >/dev/null 2>&1
rc=$?
check '[ $rc -eq 2 ]' "unknown command"

# --- the command line as a new user tries it -----------------------------------------------
"$bin" --list-commands >"$work/cmds" 2>&1
rc=$?
check '[ $rc -eq 0 ] && [ "$(wc -l <"$work/cmds")" -ge 5 ]' "--list-commands lists the commands: $(cat "$work/cmds")"
"$bin" --help >"$work/overview" 2>"$work/overview.err"
rc=$?
check '[ $rc -eq 0 ] && [ ! -s "$work/overview.err" ]' "stipple --help: stdout, exit 0"
while IFS= read -r c; do
    # shellcheck disable=SC2086  # a two-word command is two words
    for h in --help -h; do
        "$bin" $c $h >"$work/help.out" 2>"$work/help.err"
        rc=$?
        check '[ $rc -eq 0 ] && grep -q "^usage: stipple $c" "$work/help.out" && [ ! -s "$work/help.err" ]' \
            "'stipple $c $h' prints its usage on stdout and exits 0 (rc $rc): $(head -2 "$work/help.err")"
    done
    "$bin" help $c >"$work/help2.out" 2>&1
    check 'cmp -s "$work/help.out" "$work/help2.out"' "'stipple help $c' is '$c --help'"
    check 'grep -q "^  $c " "$work/overview"' "the overview lists '$c'"
    # every long option of the command appears in the overview, under the command
    for o in $(grep -oE '^  (-[a-zA-Z], )?--[a-z][a-z0-9-]*' "$work/help.out" | grep -oE -- '--[a-z][a-z0-9-]*' | grep -v -- --help); do
        short=$(grep -oE "^  -[a-zA-Z], $o( |$)" "$work/help.out" | cut -c3-4)
        awk -v c="  $c " 'index($0, c) == 1 { on = 1; next } /^  [a-z]/ { on = 0 } on' "$work/overview" >"$work/ov.cmd"
        check 'grep -q -- "\[$o[] ]" "$work/ov.cmd" || { [ -n "$short" ] && grep -q -- "\[$short[] ]" "$work/ov.cmd"; }' \
            "the overview shows $c $o"
    done
    "$bin" $c --no-such-option >"$work/bad.out" 2>"$work/bad.err"
    rc=$?
    check '[ $rc -eq 2 ] && [ "$(wc -l <"$work/bad.err")" -eq 1 ] && [ ! -s "$work/bad.out" ] && grep -q -- "--no-such-option" "$work/bad.err"' \
        "'stipple $c --no-such-option': one line on stderr, exit 2 (rc $rc): $(cat "$work/bad.err")"
done <"$work/cmds"
check '[ "$(grep -c . "$work/cmds")" -ge 10 ]' "at least the ten commands of today"

"$bin" grdae "$work/a.stp" >/dev/null 2>"$work/dym.err"
rc=$?
check '[ $rc -eq 2 ] && [ "$(wc -l <"$work/dym.err")" -eq 1 ] && grep -q "did you mean .grade" "$work/dym.err"' "did you mean grade: $(cat "$work/dym.err")"
"$bin" lesson chekc x >/dev/null 2>"$work/dym2.err"
rc=$?
check '[ $rc -eq 2 ] && grep -q "did you mean .lesson check" "$work/dym2.err"' "did you mean lesson check: $(cat "$work/dym2.err")"
"$bin" grade --jsno "$work/a.stp" >/dev/null 2>"$work/dym3.err"
rc=$?
check '[ $rc -eq 2 ] && grep -q "did you mean --json" "$work/dym3.err"' "did you mean --json: $(cat "$work/dym3.err")"
"$bin" grade --json=yes "$work/a.stp" >/dev/null 2>"$work/val.err"
rc=$?
check '[ $rc -eq 2 ] && [ "$(wc -l <"$work/val.err")" -eq 1 ]' "a flag given a value: one line, exit 2"
"$bin" grade --lesson >/dev/null 2>"$work/val2.err"
rc=$?
check '[ $rc -eq 2 ] && grep -q -- "--lesson needs a value" "$work/val2.err"' "a missing value is named: $(cat "$work/val2.err")"

# --opt=VALUE and options after arguments
"$bin" grade --lesson="$lesson" --json "$work/a.stp" >"$work/eq.json" 2>&1
check 'cmp -s "$work/eq.json" "$work/grade.json"' "--lesson=FILE works and gives the same report"

# errors name the file once, with no made-up position
"$bin" grade --lesson "$work/no-lesson.json" "$work/a.stp" >/dev/null 2>"$work/nol.err"
rc=$?
check '[ $rc -eq 1 ] && [ "$(wc -l <"$work/nol.err")" -eq 1 ] && grep -q "^stipple: $work/no-lesson.json: " "$work/nol.err" && ! grep -q ":1:1" "$work/nol.err"' \
    "a missing lesson: 'stipple: FILE: reason' once: $(cat "$work/nol.err")"
"$bin" grade "$work/no-session.stp" >/dev/null 2>"$work/nos.err"
rc=$?
check '[ $rc -eq 1 ] && [ "$(grep -o "no-session.stp" "$work/nos.err" | wc -l)" -eq 1 ] && grep -q "^stipple: $work/no-session.stp: " "$work/nos.err"' \
    "a missing session is named once: $(cat "$work/nos.err")"

# -o - is standard output
"$bin" simulate --lesson "$lesson" --trainee expert --seed 5 -o - >"$work/stdout.stp" 2>/dev/null
check 'cmp -s "$work/stdout.stp" "$work/a.stp"' "simulate -o - writes the session to stdout"
"$bin" grade "$work/a.stp" --json -o - >"$work/o-.json" 2>/dev/null
check 'cmp -s "$work/o-.json" "$work/grade.json"' "grade -o - is stdout"
"$bin" grade "$work/a.stp" --json -o "$work/o.json" >"$work/o.stdout" 2>/dev/null
check 'cmp -s "$work/o.json" "$work/grade.json" && [ ! -s "$work/o.stdout" ]' "grade -o FILE"

# --fail-exit: 3 exactly when a session fails (the verdict read from the JSON report)
"$bin" simulate --lesson "$lesson" --trainee deep --seed 2 -o "$work/deep.stp" >/dev/null 2>&1
"$bin" grade --json "$work/deep.stp" >"$work/deep.json" 2>/dev/null
deep_passed=$("$py" -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["passed"]))' "$work/deep.json")
"$bin" grade "$work/deep.stp" >/dev/null 2>&1
rc=$?
check '[ $rc -eq 0 ]' "without --fail-exit a graded session exits 0"
"$bin" grade --fail-exit "$work/a.stp" "$work/deep.stp" >/dev/null 2>&1
rc=$?
want=$([ "$deep_passed" = 1 ] && echo 0 || echo 3)
check '[ $rc -eq $want ]' "--fail-exit: exit $want when the deep trainee's passed is $deep_passed (got $rc)"
check '[ "$deep_passed" = 0 ]' "the deep trainee fails this lesson (so the test above tests something)"
"$bin" grade --fail-exit "$work/a.stp" >/dev/null 2>&1
rc=$?
check '[ $rc -eq 0 ]' "--fail-exit: 0 when every session passes"

# --- exports: many sessions as a JSON array and as CSV rows equal to it ---------------------
cp "$work/a.stp" "$work/we,ird \"name\".stp"
"$bin" simulate --lesson "$src/lessons/02-depth-control.json" --trainee shallow --seed 4 -o "$work/e.stp" >/dev/null 2>&1
batch=("$work/a.stp" "$work/deep.stp" "$work/we,ird \"name\".stp" "$work/e.stp" "$work/c.stp")
"$bin" grade --json "${batch[@]}" >"$work/many.json" 2>"$work/many.err"
rc=$?
check '[ $rc -eq 0 ]' "grade --json of five sessions: $(cat "$work/many.err")"
"$bin" grade --csv -j 2 "${batch[@]}" -o "$work/many.csv" 2>"$work/csv.err"
rc=$?
check '[ $rc -eq 0 ]' "grade --csv of five sessions: $(cat "$work/csv.err")"
for i in 0 1 3; do "$bin" grade --json "${batch[$i]}" >"$work/one$i.json" 2>/dev/null; done
"$bin" dots --json "$work/a.stp" >"$work/dots.json" 2>/dev/null
"$py" - "$work/many.json" "$work/many.csv" "$work/dots.json" "$work/dots.csv" "$work" "${batch[@]}" >"$work/csvcheck.out" 2>&1 <<'PY'
import csv, json, sys, math
many = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
dots_json = json.load(open(sys.argv[3]))
dots_csv = list(csv.DictReader(open(sys.argv[4])))
work = sys.argv[5]
paths = sys.argv[6:]
errors = []
if not isinstance(many, list) or len(many) != len(paths):
    errors.append("--json of %d sessions is not an array of %d" % (len(paths), len(paths)))
for i in (0, 1, 3):
    if many[i] != json.load(open("%s/one%d.json" % (work, i))):
        errors.append("array element %d differs from grade --json of that session alone" % i)
if len(rows) != len(paths):
    errors.append("%d CSV rows for %d sessions" % (len(rows), len(paths)))
def same(cell, v):
    if isinstance(v, bool): return cell == ("true" if v else "false")
    if isinstance(v, (int, float)): return math.isclose(float(cell), v, rel_tol=1e-9, abs_tol=1e-12)
    return cell == str(v)
checked = 0
for row, rep, path in zip(rows, many, paths):
    if row["file"] != path: errors.append("file %r, want %r" % (row["file"], path))
    for col, v in (("lesson", rep["lesson"]["id"]), ("lesson_title", rep["lesson"]["title"]),
                   ("lesson_version", rep["lesson"]["version"]), ("source", rep["session"]["source"]),
                   ("total", rep["total"]), ("passed", rep["passed"]), ("dots", rep["session"]["dots"])):
        if not same(row[col], v): errors.append("%s: %s=%r, report %r" % (path, col, row[col], v))
    if not row["date"]: errors.append("no date")
    for m, stats in rep["metrics"].items():
        for key in ("score", "passed"):
            if m + "." + key not in row: errors.append("no column %s.%s" % (m, key))
        for key, v in stats.items():
            col = m + "." + key
            if isinstance(v, list):
                for j, x in enumerate(v):
                    checked += 1
                    if not same(row.get("%s.%d" % (col, j), ""), x): errors.append("%s %s.%d" % (path, col, j))
            elif v is not None:
                checked += 1
                if col not in row or not same(row[col], v): errors.append("%s: %s=%r, report %r" % (path, col, row.get(col), v))
if checked < 20 * len(paths): errors.append("only %d values compared" % checked)
# dots --json is dots' CSV
if len(dots_json) != len(dots_csv): errors.append("dots --json %d vs CSV %d" % (len(dots_json), len(dots_csv)))
for dj, dc in zip(dots_json, dots_csv):
    for k, v in dj.items():
        if not same(dc[k], v): errors.append("dot %s %s: %r vs %r" % (dj["index"], k, v, dc[k])); break
print("\n".join(errors[:10]) if errors else "csv ok: %d values" % checked)
sys.exit(1 if errors else 0)
PY
rc=$?
check '[ $rc -eq 0 ]' "CSV rows equal grade --json, dots --json equals dots: $(cat "$work/csvcheck.out")"
"$bin" grade --csv "$work/a.stp" "$work/no-such.stp" >"$work/part.csv" 2>"$work/part.err"
rc=$?
check '[ $rc -eq 1 ] && [ "$(wc -l <"$work/part.csv")" -eq 2 ] && grep -q "no-such.stp" "$work/part.err"' \
    "a session that cannot be graded: named on stderr, exit 1, the others still written (rc $rc)"
"$bin" grade --csv --json "$work/a.stp" >/dev/null 2>&1
rc=$?
check '[ $rc -eq 2 ]' "--csv with --json is a usage error"

# the batch benchmark keeps working (its figures are for people: no times asserted)
"$bin" bench csv --quick >"$work/bench.out" 2>&1
rc=$?
check '[ $rc -eq 0 ] && grep -q "^csv: 12 sessions .* written as CSV in [0-9.]* s on [0-9]* threads" "$work/bench.out"' \
    "bench csv prints its figure: $(cat "$work/bench.out")"

# bash completion: the shipped script is the one the table makes, and it completes
"$bin" completion bash >"$work/completion.bash"
check 'cmp -s "$work/completion.bash" "$src/assets/completion/stipple.bash"' \
    "assets/completion/stipple.bash is out of date: run stipple completion bash >assets/completion/stipple.bash"
out=$(bash -c 'source "$1"; COMP_WORDS=(stipple simu); COMP_CWORD=1; _stipple; echo "${COMPREPLY[*]}";
               COMP_WORDS=(stipple grade --fail); COMP_CWORD=2; _stipple; echo "${COMPREPLY[*]}"' _ "$work/completion.bash")
check '[ "$out" = "$(printf "simulate\n--fail-exit")" ]' "completion completes commands and options: $out"

echo "test_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
