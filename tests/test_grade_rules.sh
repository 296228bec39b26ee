#!/usr/bin/env bash
# `stipple grade --rules N` and versioned reports (issue 8 §6): the sessions of
# tests/data/rules-v1 (recorded before the rules were versioned, with the figures that build
# wrote) graded with --rules 1 give those figures again, from the command line; every report
# (text, JSON, CSV) names its scoring rules; where another rule set gives other figures the
# JSON keeps both ("other_rules") and the text says so in a line; bad --rules values are one
# clear line and exit 2.
# usage: test_grade_rules.sh STIPPLE_BINARY SOURCE_DIR WORK_DIR
set -u
bin=$1; src=$2; work=$3
data=$src/tests/data/rules-v1
[ -f "$data/deep.stp" ] && [ -f "$data/depth-control-v1.json" ] || { echo "skip: $data is missing"; exit 77; }
py=/usr/bin/python3
rm -rf "$work"; mkdir -p "$work"; cd "$work" || exit 1
pass=0; fail=0
ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { if eval "$1"; then ok; else bad "$2"; fi; }
lesson=$data/depth-control-v1.json

for who in expert deep wrong-shade; do
    "$bin" grade --lesson "$lesson" --rules 1 --json "$data/$who.stp" >"$who.r1.json" 2>"$who.r1.err"
    rc=$?
    check '[ $rc -eq 0 ]' "$who: grade --rules 1 (rc $rc): $(cat "$who.r1.err")"
    "$bin" grade --lesson "$lesson" --json "$data/$who.stp" >"$who.latest.json" 2>/dev/null
    "$bin" grade --lesson "$lesson" "$data/$who.stp" >"$who.latest.txt" 2>/dev/null
    "$bin" grade --lesson "$lesson" --rules 1 "$data/$who.stp" >"$who.r1.txt" 2>/dev/null
    "$py" - "$data/$who.report-v1.json" "$who.r1.json" "$who.latest.json" "$who.latest.txt" "$who.r1.txt" \
        >"$who.out" 2>&1 <<'PY'
import json, math, sys
ref, r1, latest = (json.load(open(p)) for p in sys.argv[1:4])
latest_txt, r1_txt = (open(p, encoding="utf-8").read() for p in sys.argv[4:6])
errors = []
same = lambda a, b: math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
# --rules 1 gives the figures that build wrote
if r1["scoring_rules"] != 1: errors.append("--rules 1 reports scoring_rules %r" % r1["scoring_rules"])
if not same(r1["total"], ref["total"]): errors.append("rules 1 total %r, then %r" % (r1["total"], ref["total"]))
if r1["passed"] != ref["passed"]: errors.append("rules 1 passed %r, then %r" % (r1["passed"], ref["passed"]))
for name, m in ref["metrics"].items():
    got = r1["metrics"][name]
    if m.get("applies", True) and not same(got["score"], m["score"]):
        errors.append("rules 1 %s score %r, then %r" % (name, got["score"], m["score"]))
# the latest rules are the default, and name themselves
latest_rules = latest["scoring_rules"]
if latest_rules <= 1: errors.append("the default rules are %r, not the latest" % latest_rules)
# each report keeps the other rule set's figures where they differ, and only then
def headline(r):
    return (r["total"], r["passed"], tuple((k, v.get("score")) for k, v in sorted(r["metrics"].items())))
differ = headline(r1) != headline(latest)
for main, other, label in ((latest, r1, "latest"), (r1, latest, "rules 1")):
    kept = [o for o in main["other_rules"] if o["scoring_rules"] == other["scoring_rules"]]
    if differ and len(kept) != 1: errors.append("%s: other_rules lacks rules %d" % (label, other["scoring_rules"]))
    if not differ and kept: errors.append("%s: other_rules repeats identical figures" % label)
    for o in kept:
        if not same(o["total"], other["total"]) or o["passed"] != other["passed"] or o["verdict"] != other["verdict"]:
            errors.append("%s: other_rules figures differ from grading under rules %d" % (label, other["scoring_rules"]))
        for k, v in other["metrics"].items():
            if v["applies"] and not same(o["metrics"][k]["score"], v["score"]):
                errors.append("%s: other_rules %s score" % (label, k))
            if not v["applies"] and "score" in o["metrics"][k]:
                errors.append("%s: other_rules %s has a score but does not apply" % (label, k))
# the text names its rules, and the other set's verdict where it differs
if "scoring rules %d" % latest_rules not in latest_txt: errors.append("the text does not name its rules")
if "scoring rules 1" not in r1_txt: errors.append("the --rules 1 text does not say rules 1")
if differ and "Under scoring rules 1:" not in latest_txt: errors.append("the text does not give rules 1's figures")
print("\n".join(errors) if errors else "ok: rules 1 total %.3f, rules %d total %.3f, differ %s"
      % (r1["total"], latest_rules, latest["total"], differ))
sys.exit(1 if errors else 0)
PY
    rc=$?
    check '[ $rc -eq 0 ]' "$who: $(cat "$who.out")"
    echo "$who: $(cat "$who.out")"
done
# the deep trainee's rules differ (pigment judged over blown-out dots under rules 1)
check 'grep -q "differ True" deep.out' "deep: rules 1 and the latest differ: $(cat deep.out)"

# CSV: the rules column, and rules1.total where rules 1 differ
"$bin" grade --lesson "$lesson" --csv "$data/deep.stp" "$data/expert.stp" -o g.csv 2>/dev/null
"$py" - g.csv deep.r1.json <<'PY' >csv.out 2>&1
import csv, json, math, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
r1 = json.load(open(sys.argv[2]))
errors = []
if len(rows) != 2: errors.append("%d rows" % len(rows))
elif not rows[0].get("scoring_rules", "").isdigit(): errors.append("no scoring_rules column: %s" % list(rows[0])[:12])
elif not math.isclose(float(rows[0].get("rules1.total") or "nan"), r1["total"], rel_tol=1e-9):
    errors.append("rules1.total %r, want %r" % (rows[0].get("rules1.total"), r1["total"]))
print("\n".join(errors) if errors else "csv ok")
sys.exit(1 if errors else 0)
PY
rc=$?
check '[ $rc -eq 0 ]' "grade --csv: $(cat csv.out)"

# bad values: one line, exit 2
latest=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["scoring_rules"])' deep.latest.json 2>/dev/null || echo 2)
for v in 0 $((latest + 1)) 99 x -1 ""; do
    "$bin" grade --lesson "$lesson" --rules "$v" "$data/deep.stp" >out.txt 2>err.txt
    rc=$?
    check '[ $rc -eq 2 ] && [ "$(wc -l <err.txt)" -eq 1 ] && [ ! -s out.txt ]' "--rules '$v': exit 2, one line ($rc: $(cat err.txt))"
done

echo "test_grade_rules: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
