#!/usr/bin/env python3
"""compare_png.py: compare two 8-bit RGB/RGBA PNGs (standard library + zlib only).

usage: compare_png.py GOT.png WANT.png [--max-mean 1.0] [--max-bad 0.005] [--bad-level 24]
Passes (exit 0) when the mean absolute channel difference is <= max-mean and the fraction
of pixels whose largest channel difference exceeds bad-level is <= max-bad. llvmpipe is
deterministic within one Mesa version; the tolerance absorbs small driver differences.
"""
import struct
import sys
import zlib


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG")
    pos, idat, w = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise ValueError(f"{path}: only 8-bit RGB/RGBA, not interlaced")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(idat)
    stride = w * bpp
    out = bytearray(h * w * 3)
    prev = bytearray(stride)
    p = 0
    for y in range(h):
        ft = raw[p]
        line = bytearray(raw[p + 1:p + 1 + stride])
        p += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif ft == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        prev = line
        for x in range(w):
            out[(y * w + x) * 3:(y * w + x) * 3 + 3] = line[x * bpp:x * bpp + 3]
    return w, h, out


def main(argv):
    args = argv[1:]
    opts = {"--max-mean": 1.0, "--max-bad": 0.005, "--bad-level": 24}
    files = []
    i = 0
    while i < len(args):
        if args[i] in opts:
            opts[args[i]] = float(args[i + 1])
            i += 2
        else:
            files.append(args[i])
            i += 1
    if len(files) != 2:
        print(__doc__)
        return 2
    wg, hg, got = read_png(files[0])
    ww, hw, want = read_png(files[1])
    if (wg, hg) != (ww, hw):
        print(f"FAIL {files[0]}: size {wg}x{hg}, golden {ww}x{hw}")
        return 1
    total, bad = 0, 0
    level = opts["--bad-level"]
    for k in range(0, len(got), 3):
        d0, d1, d2 = abs(got[k] - want[k]), abs(got[k + 1] - want[k + 1]), abs(got[k + 2] - want[k + 2])
        total += d0 + d1 + d2
        if max(d0, d1, d2) > level:
            bad += 1
    npx = wg * hg
    mean = total / (3 * npx)
    frac = bad / npx
    ok = mean <= opts["--max-mean"] and frac <= opts["--max-bad"]
    print(f"{'ok' if ok else 'FAIL'} {files[0]} vs {files[1]}: mean |diff| {mean:.3f} (max {opts['--max-mean']}), "
          f"{100 * frac:.3f}% pixels off by > {level:.0f} (max {100 * opts['--max-bad']:.2f}%)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
