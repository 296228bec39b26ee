#!/usr/bin/env python3
"""gen_synthetic.py: writes the synthetic evemu recordings in this folder, deterministically
(no randomness, no clock). tests/test_input_synthetic.sh regenerates them and compares.

    python3 gen_synthetic.py [OUT_DIR]      (default: this script's folder)

Recordings:
  pen-a-2047.{calibration,strokes}.events  tablet A: pressure 0-2047, linear response
  pen-b-8191.{calibration,strokes}.events  tablet B: pressure 0-8191, response raw = f^0.6
      The same physical technique on both: the same force profiles f(t) (0..1 of the
      physical maximum), the same positions and times; only each device's pressure curve
      differs. calibration = 10 light taps then 5 firm presses; strokes = 40 dots of
      spread-out forces.
  syn-dropped.events      a tablet frame interrupted by SYN_DROPPED (the events after it up to
                          the next SYN_REPORT must be ignored)
  eraser.events           the eraser end touches down, then the pen tip
  unplug-midstroke.events the recording stops with the pen pressed (the device went away)
  fusion-tablet.events    a tablet's position (no usable force) ...
  fusion-pen.events       ... and an instrumented pen (force mN, needle depth, tilt, BTN_0
                          machine switch, rumble) recorded over the same time
"""
import os
import sys

EV_SYN, EV_KEY, EV_ABS, EV_MSC, EV_FF = 0, 1, 3, 4, 0x15
SYN_REPORT, SYN_DROPPED = 0, 3
ABS_X, ABS_Y, ABS_Z, ABS_PRESSURE, ABS_DISTANCE, ABS_TILT_X, ABS_TILT_Y = 0, 1, 2, 0x18, 0x19, 0x1a, 0x1b
BTN_0, BTN_TOOL_PEN, BTN_TOOL_RUBBER, BTN_TOUCH, BTN_STYLUS, BTN_STYLUS2 = 0x100, 0x140, 0x141, 0x14a, 0x14b, 0x14c
MSC_SERIAL = 0
FF_RUMBLE = 0x50
INPUT_PROP_POINTER = 0

BITMAP_BYTES = {EV_SYN: 8, EV_KEY: 96, 2: 8, EV_ABS: 8, EV_MSC: 8, EV_FF: 16}
T0 = 1700000000 * 1000000   # microseconds; the same origin for every recording
PERIOD = 5000               # 200 Hz


class Rec:
    def __init__(self, name, ids, absinfo, keys, msc=(), ff=(), props=(INPUT_PROP_POINTER,)):
        self.name, self.ids, self.absinfo, self.keys = name, ids, absinfo, keys
        self.msc, self.ff, self.props = msc, ff, props
        self.lines = []

    def ev(self, t_us, typ, code, value):
        self.lines.append("E: %d.%06d %04x %04x %d" % (t_us // 1000000, t_us % 1000000, typ, code, value))

    def syn(self, t_us):
        self.ev(t_us, EV_SYN, SYN_REPORT, 0)

    def text(self):
        out = ["# EVEMU 1.3", "# synthetic: tests/data/devices/gen_synthetic.py", "N: " + self.name,
               "I: %04x %04x %04x %04x" % self.ids]
        props = bytearray(8)
        for p in self.props:
            props[p // 8] |= 1 << (p % 8)
        out.append("P: " + " ".join("%02x" % b for b in props))
        bits = {t: bytearray(n) for t, n in BITMAP_BYTES.items()}
        types = [EV_SYN, EV_KEY, EV_ABS] + ([EV_MSC] if self.msc else []) + ([EV_FF] if self.ff else [])
        for t in types:
            bits[EV_SYN][t // 8] |= 1 << (t % 8)
        for k in self.keys:
            bits[EV_KEY][k // 8] |= 1 << (k % 8)
        for c in self.absinfo:
            bits[EV_ABS][c // 8] |= 1 << (c % 8)
        for c in self.msc:
            bits[EV_MSC][c // 8] |= 1 << (c % 8)
        for c in self.ff:
            bits[EV_FF][c // 8] |= 1 << (c % 8)
        for t in sorted(bits):
            b = bits[t]
            for i in range(0, len(b), 8):
                out.append("B: %02x " % t + " ".join("%02x" % x for x in b[i:i + 8]))
        for c in sorted(self.absinfo):
            lo, hi, res = self.absinfo[c]
            out.append("A: %02x %d %d 0 0 %d" % (c, lo, hi, res))
        return "\n".join(out + self.lines) + "\n"


def tablet(name, product, pmax):
    return Rec(name, (0x0003, 0x5354, product, 0x0100),
               {ABS_X: (0, 32767, 200), ABS_Y: (0, 20479, 200), ABS_PRESSURE: (0, pmax, 0),
                ABS_TILT_X: (-64, 63, 57), ABS_TILT_Y: (-64, 63, 57), ABS_DISTANCE: (0, 63, 0)},
               [BTN_TOOL_PEN, BTN_TOOL_RUBBER, BTN_TOUCH, BTN_STYLUS, BTN_STYLUS2], msc=(MSC_SERIAL,))


def force_profile(peak, ramp=6, hold=4):
    """Force samples of one contact: a linear ramp up, a hold at the peak, a ramp down."""
    up = [peak * (i + 1) / ramp for i in range(ramp)]
    return up + [peak] * hold + list(reversed(up[:-1])) + [0.0]


def contacts_calibration():
    light = [0.10, 0.08, 0.12, 0.09, 0.11, 0.10, 0.085, 0.115, 0.095, 0.105]
    firm = [0.60, 0.62, 0.58, 0.64, 0.61]
    return light + firm


def contacts_strokes():
    # 40 dots whose peak forces spread over light to firm, in a fixed scrambled order
    return [0.14 + 0.48 * ((i * 17) % 40) / 39.0 for i in range(40)]


def write_pen_session(rec, peaks, curve, pmax):
    """Proximity in, then for each peak a contact at its own spot, then proximity out."""
    t = T0
    serial = 0x5a5a
    rec.ev(t, EV_ABS, ABS_X, 16384)
    rec.ev(t, EV_ABS, ABS_Y, 10240)
    rec.ev(t, EV_ABS, ABS_DISTANCE, 20)
    rec.ev(t, EV_KEY, BTN_TOOL_PEN, 1)
    rec.ev(t, EV_MSC, MSC_SERIAL, serial)
    rec.syn(t)
    for i, peak in enumerate(peaks):
        x = 16384 + ((i % 8) - 4) * 600
        y = 10240 + ((i // 8) % 5 - 2) * 600
        t += 40000   # hover to the next spot
        rec.ev(t, EV_ABS, ABS_X, x)
        rec.ev(t, EV_ABS, ABS_Y, y)
        rec.ev(t, EV_MSC, MSC_SERIAL, serial)
        rec.syn(t)
        touching = False
        for f in force_profile(peak):
            t += PERIOD
            raw = int(round(pmax * curve(f)))
            rec.ev(t, EV_ABS, ABS_PRESSURE, raw)
            if raw > 0 and not touching:
                rec.ev(t, EV_KEY, BTN_TOUCH, 1)
                touching = True
            elif raw == 0 and touching:
                rec.ev(t, EV_KEY, BTN_TOUCH, 0)
                touching = False
            rec.ev(t, EV_MSC, MSC_SERIAL, serial)
            rec.syn(t)
    t += 40000
    rec.ev(t, EV_ABS, ABS_DISTANCE, 0)
    rec.ev(t, EV_KEY, BTN_TOOL_PEN, 0)
    rec.ev(t, EV_MSC, MSC_SERIAL, serial)
    rec.syn(t)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    files = {}
    devices = [("a-2047", 0x0a01, 2047, lambda f: f), ("b-8191", 0x0b01, 8191, lambda f: f ** 0.6)]
    for tag, product, pmax, curve in devices:
        for kind, peaks in (("calibration", contacts_calibration()), ("strokes", contacts_strokes())):
            r = tablet("Synthetic Tablet %s Pen" % tag.upper(), product, pmax)
            write_pen_session(r, peaks, curve, pmax)
            files["pen-%s.%s.events" % (tag, kind)] = r.text()

    # SYN_DROPPED: frame 3 is cut; the events after the drop up to SYN_REPORT are ignored
    r = tablet("Synthetic Tablet Pen", 0x0c01, 2047)
    t = T0
    r.ev(t, EV_KEY, BTN_TOOL_PEN, 1); r.ev(t, EV_ABS, ABS_X, 1000); r.ev(t, EV_ABS, ABS_Y, 1000); r.syn(t)
    t += PERIOD; r.ev(t, EV_ABS, ABS_PRESSURE, 300); r.ev(t, EV_KEY, BTN_TOUCH, 1); r.syn(t)
    t += PERIOD; r.ev(t, EV_ABS, ABS_X, 1100); r.ev(t, EV_ABS, ABS_PRESSURE, 1999)
    r.ev(t, EV_SYN, SYN_DROPPED, 0)
    r.ev(t, EV_ABS, ABS_PRESSURE, 2047); r.ev(t, EV_ABS, ABS_X, 9999); r.syn(t)
    t += PERIOD; r.ev(t, EV_ABS, ABS_PRESSURE, 400); r.syn(t)
    t += PERIOD; r.ev(t, EV_ABS, ABS_PRESSURE, 0); r.ev(t, EV_KEY, BTN_TOUCH, 0); r.syn(t)
    t += PERIOD; r.ev(t, EV_KEY, BTN_TOOL_PEN, 0); r.syn(t)
    files["syn-dropped.events"] = r.text()

    # eraser, then the pen tip
    r = tablet("Synthetic Tablet Pen", 0x0c01, 2047)
    t = T0
    for tool in (BTN_TOOL_RUBBER, BTN_TOOL_PEN):
        r.ev(t, EV_KEY, tool, 1); r.ev(t, EV_ABS, ABS_X, 16384); r.ev(t, EV_ABS, ABS_Y, 10240); r.syn(t)
        for f in force_profile(0.5):
            t += PERIOD
            r.ev(t, EV_ABS, ABS_PRESSURE, int(round(2047 * f)))
            r.ev(t, EV_KEY, BTN_TOUCH, 1 if f > 0 else 0)
            r.syn(t)
        t += PERIOD; r.ev(t, EV_KEY, tool, 0); r.syn(t)
        t += 100000
    files["eraser.events"] = r.text()

    # unplugged mid-stroke: the last frame has the pen pressed
    r = tablet("Synthetic Tablet Pen", 0x0c01, 2047)
    t = T0
    r.ev(t, EV_KEY, BTN_TOOL_PEN, 1); r.ev(t, EV_ABS, ABS_X, 16384); r.ev(t, EV_ABS, ABS_Y, 10240); r.syn(t)
    for f in force_profile(0.4)[:8]:
        t += PERIOD
        r.ev(t, EV_ABS, ABS_PRESSURE, int(round(2047 * f))); r.ev(t, EV_KEY, BTN_TOUCH, 1); r.syn(t)
    files["unplug-midstroke.events"] = r.text()

    # fusion: the tablet gives position (its pressure stays 0); the pen gives force and depth
    tab = tablet("Synthetic Tablet Pen", 0x0c01, 2047)
    pen = Rec("Stipple Instrumented Pen", (0x0003, 0x1d50, 0x6189, 0x0001),
              {ABS_Z: (0, 300, 0), ABS_PRESSURE: (0, 4000, 0), ABS_TILT_X: (-64, 63, 57), ABS_TILT_Y: (-64, 63, 57)},
              [BTN_0], ff=(FF_RUMBLE,))
    t = T0
    tab.ev(t, EV_KEY, BTN_TOOL_PEN, 1); tab.ev(t, EV_ABS, ABS_X, 16384); tab.ev(t, EV_ABS, ABS_Y, 10240); tab.syn(t)
    pen.ev(t, EV_ABS, ABS_PRESSURE, 0); pen.syn(t)
    pen.ev(t + 1000, EV_KEY, BTN_0, 1); pen.syn(t + 1000)      # machine on
    pen.ev(t + 1500, EV_KEY, BTN_0, 0); pen.syn(t + 1500)
    for i, peak in enumerate((0.2, 0.4, 0.6)):
        x = 16384 + (i - 1) * 1000
        t += 50000
        tab.ev(t, EV_ABS, ABS_X, x); tab.syn(t)
        for k, f in enumerate(force_profile(peak)):
            t += PERIOD
            tab.ev(t, EV_ABS, ABS_Y, 10240 + k); tab.syn(t)           # tablet at 200 Hz
            tp = t + 2500                                               # pen in between
            pen.ev(tp, EV_ABS, ABS_PRESSURE, int(round(4000 * f)))
            pen.ev(tp, EV_ABS, ABS_Z, int(round(100 * f)))
            pen.syn(tp)
    t += 50000
    tab.ev(t, EV_KEY, BTN_TOOL_PEN, 0); tab.syn(t)
    pen.ev(t, EV_KEY, BTN_0, 1); pen.syn(t)                           # machine off
    pen.ev(t + 500, EV_KEY, BTN_0, 0); pen.syn(t + 500)
    files["fusion-tablet.events"] = tab.text()
    files["fusion-pen.events"] = pen.text()

    for name in sorted(files):
        with open(os.path.join(out, name), "w", newline="\n") as f:
            f.write(files[name])


if __name__ == "__main__":
    main()
