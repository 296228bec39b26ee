#!/usr/bin/env python3
"""draw_mouse_session.py: a person at the practice app with a mouse, played by xdotool.

Runs `stipple practice --mouse` under the current X display (xvfb-run), turns the machine
on, and clicks a natural pattern of dots (dart throwing with a minimum distance, the
pattern grading calls natural) into the lesson's first zone, then finishes and quits. The
session it records is a live one: origin "mouse", signed by the station, timed by the
wall clock, exactly what a trainee's session is.

Where a point of the chart lies on the screen is measured, not assumed: a first run clicks
a few points and reads where their dots landed (`stipple dots`), and an affine map from chart
millimetres to pixels is fitted to them (the drill's skin faces the camera).

  draw_mouse_session.py calibrate BIN LESSON LESSONS_DIR OUT.json
  draw_mouse_session.py draw BIN LESSON LESSONS_DIR MAP.json SEED SESSION [--deeper N] [--trainee ID]

--deeper N presses ']' N times first (each 0.02 more pressure): the dots go too deep.
"""
import csv
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time


def xdo(*args):
    """xdotool; a run that fails (the X server busy under load) is tried again, twice."""
    for attempt in range(3):
        r = subprocess.run(["xdotool", *[str(a) for a in args]], capture_output=True, text=True)
        if r.returncode == 0 or args[0] == "search":   # search fails when nothing matches yet
            return r.stdout
        print("note (draw): xdotool %s gave status %d; trying again" % (args[0], r.returncode))
        time.sleep(0.2)
    return r.stdout


def threads_of(pid):
    """Each thread's state and where it waits (for a report on an app that does not quit)."""
    out = []
    try:
        for tid in sorted(os.listdir("/proc/%d/task" % pid)):
            stat = read_text("/proc/%d/task/%s/stat" % (pid, tid))
            wchan = read_text("/proc/%d/task/%s/wchan" % (pid, tid))
            out.append("%s %s %s" % (tid, stat[stat.rindex(")") + 2], wchan or "-"))
    except OSError:
        pass
    return "; ".join(out)


def press_until(app, win, key, done, what, log_path):
    """Presses key, then again every 8 s (a key lost on the way is sent again; a key the app
    has already acted on does nothing more on the screen it leads to) until done() or the
    app has quit, for up to 60 s."""
    xdo("key", "--window", win, key)
    for k in range(600):
        if done():
            return
        if app.poll() is not None:
            return
        if k % 80 == 79:
            print("note (draw): no sign of %s %d s after %s: pressed again" % (what, (k + 1) // 10, key))
            xdo("key", "--window", win, key)
        time.sleep(0.1)
    raise SystemExit("draw_mouse_session: %s did not come within 60 s of %s (threads: %s): %s"
                     % (what, key, threads_of(app.pid), read_text(log_path)[-600:]))


def read_text(path):
    with open(path) as f:
        return f.read()


def run_app(bin_, lesson, lessons_dir, session, clicks, trainee, deeper=0):
    """Runs the app, clicks each (x, y) pixel, finishes and quits it; SystemExit on a fault."""
    side = tempfile.mkdtemp(prefix="draw-")          # the app's log and first picture
    log_path = os.path.join(side, "app.log")
    first = os.path.join(side, "first.png")           # written once the app shows its first frame
    with open(log_path, "w") as log:
        app = subprocess.Popen([bin_, "practice", "--mouse", "--lesson", lesson, "--lessons", lessons_dir,
                                "--trainee", trainee, "--exam", "--screenshot-at", "0:" + first, "-o", session],
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        drive_app(app, log_path, first, clicks, deeper)
    finally:
        if app.poll() is None:        # on any fault: no app left behind
            app.kill()
            app.wait()
        text = read_text(log_path)
        shutil.rmtree(side, ignore_errors=True)
    if app.returncode != 0:
        raise SystemExit("draw_mouse_session: the app failed (%d): %s" % (app.returncode, text[-600:]))


def drive_app(app, log_path, first, clicks, deeper):
    win = ""
    for _ in range(600):
        # this app's window only: a window of the app run before may still be listed for a
        # moment after that app quit, when the X server is slow to see it gone
        win = xdo("search", "--all", "--pid", app.pid, "--name", "^Stipple$").strip().split("\n")[0]
        if win:
            break
        if app.poll() is not None:
            raise SystemExit("draw_mouse_session: the app quit before its window opened: " + read_text(log_path)[-600:])
        time.sleep(0.1)
    if not win:
        raise SystemExit("draw_mouse_session: no window")
    for _ in range(600):          # events sent before the first frame could be lost
        if os.path.exists(first) and os.path.getsize(first) > 0:
            break
        time.sleep(0.1)
    time.sleep(0.5)
    xdo("key", "--window", win, "m")        # the machine on
    for _ in range(deeper):
        xdo("key", "--window", win, "bracketright")
    time.sleep(0.3)
    # one xdotool run for all the clicks (a process each would cost more than the clicks):
    # move, press, hold for a puncture's dwell as a hand holds it, release, move on
    steps = []
    for x, y in clicks:
        steps += ["mousemove", "--window", win, int(round(x)), int(round(y)), "sleep", "0.03",
                  "mousedown", "1", "sleep", "0.08", "mouseup", "1", "sleep", "0.04"]
    if steps:
        xdo(*steps)
    time.sleep(0.5)
    # finish (F): the app prints the session's path once it has finished, then shows the
    # score screen, where Escape quits
    press_until(app, win, "f", lambda: "session: " in read_text(log_path), "the finish", log_path)
    if app.poll() is not None:
        raise SystemExit("draw_mouse_session: the app quit before it finished: " + read_text(log_path)[-600:])
    time.sleep(0.3)
    press_until(app, win, "Escape", lambda: app.poll() is not None, "the app quitting", log_path)


def dots_of(bin_, session, lessons_dir):
    out = subprocess.run([bin_, "dots", session, "--lessons", lessons_dir], capture_output=True, text=True,
                         check=True).stdout
    return list(csv.DictReader(io.StringIO(out)))


def zone_of(lesson):
    poly = json.load(open(lesson))["zones"][0]["polygon_mm"]
    xs, ys = [p[0] for p in poly], [p[1] for p in poly]
    return min(xs), min(ys), max(xs), max(ys)


def solve3(m, r):
    """Solves the 3x3 system m x = r (Gaussian elimination with pivoting)."""
    a = [row[:] + [v] for row, v in zip(m, r)]
    for c in range(3):
        p = max(range(c, 3), key=lambda i: abs(a[i][c]))
        a[c], a[p] = a[p], a[c]
        for i in range(3):
            if i != c:
                f = a[i][c] / a[c][c]
                a[i] = [x - f * y for x, y in zip(a[i], a[c])]
    return [a[i][3] / a[i][i] for i in range(3)]


def fit_affine(pairs):
    """Least squares: pixel = A (u, v, 1), one row per screen axis."""
    ata = [[0.0] * 3 for _ in range(3)]
    atx, aty = [0.0] * 3, [0.0] * 3
    for (u, v), (x, y) in pairs:
        row = (u, v, 1.0)
        for i in range(3):
            for j in range(3):
                ata[i][j] += row[i] * row[j]
            atx[i] += row[i] * x
            aty[i] += row[i] * y
    return solve3(ata, atx), solve3(ata, aty)


def calibrate(bin_, lesson, lessons_dir, out):
    # pixels spread around the window's middle, where the drill's zone is shown at the start;
    # the first guess is refined by a second round through the zone itself
    clicks = [(560 + 40 * i, 340 + 35 * j) for i in range(3) for j in range(3)]
    session = out + ".stp"      # the calibration's own session, beside the map
    run_app(bin_, lesson, lessons_dir, session, clicks, "calibration")
    dots = dots_of(bin_, session, lessons_dir)
    if len(dots) != len(clicks):
        raise SystemExit("calibration: %d clicks made %d dots" % (len(clicks), len(dots)))
    pairs = [((float(d["u_mm"]), float(d["v_mm"])), c) for d, c in zip(dots, clicks)]
    ax, ay = fit_affine(pairs)
    worst = max(abs(ax[0] * u + ax[1] * v + ax[2] - x) + abs(ay[0] * u + ay[1] * v + ay[2] - y)
                for (u, v), (x, y) in pairs)
    json.dump({"x": ax, "y": ay, "worst_px": worst}, open(out, "w"))
    print("calibration: 9 dots, affine fit within %.2f px" % worst)


def natural_points(zone, seed, min_mm=1.25, margin_mm=0.4, target_per_cm2=30.0):
    """Dart throwing with a minimum distance inside the zone, up to the lesson's density."""
    x0, y0, x1, y1 = zone[0] + margin_mm, zone[1] + margin_mm, zone[2] - margin_mm, zone[3] - margin_mm
    want = int(round((zone[2] - zone[0]) * (zone[3] - zone[1]) / 100.0 * target_per_cm2))
    rng = random.Random(seed)
    pts = []
    for _ in range(200000):
        if len(pts) >= want:
            break
        p = (rng.uniform(x0, x1), rng.uniform(y0, y1))
        if all((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 >= min_mm * min_mm for q in pts):
            pts.append(p)
    return pts


def draw(bin_, lesson, lessons_dir, map_file, seed, session, deeper, trainee):
    m = json.load(open(map_file))
    ax, ay = m["x"], m["y"]
    pts = natural_points(zone_of(lesson), seed)
    clicks = [(ax[0] * u + ax[1] * v + ax[2], ay[0] * u + ay[1] * v + ay[2]) for u, v in pts]
    run_app(bin_, lesson, lessons_dir, session, clicks, trainee, deeper)
    made = len(dots_of(bin_, session, lessons_dir))
    if made != len(clicks):   # a click the app lost is a fault of the app, never retried
        raise SystemExit("%s: %d clicks made %d dots" % (session, len(clicks), made))
    print("drew %d dots into %s" % (made, session))


def main(argv):
    if len(argv) >= 6 and argv[1] == "calibrate":
        calibrate(argv[2], argv[3], argv[4], argv[5])
        return 0
    if len(argv) >= 8 and argv[1] == "draw":
        rest = argv[8:]
        deeper = int(rest[rest.index("--deeper") + 1]) if "--deeper" in rest else 0
        trainee = rest[rest.index("--trainee") + 1] if "--trainee" in rest else "trainee"
        draw(argv[2], argv[3], argv[4], argv[5], int(argv[6]), argv[7], deeper, trainee)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
