#!/usr/bin/python3
"""Reference timing for `stipple bench nn`: SciPy cKDTree nearest-neighbour distances.

usage: ckdtree_nn.py POINTS [OURS]
  POINTS: raw float32 little-endian x y z triples (mm).
  OURS:   optional raw float64 little-endian NN distances from stipple, one a point, to
          compare against cKDTree's (max abs difference must be below 1e-4).
Times cKDTree build + query(k=2) over all points, single-threaded, median of 3 runs.
Prints readable lines and machine lines "CKDTREE_SECONDS s" and "MAX_ABS_DIFF d".
Exit: 0 ok, 1 distances disagree, 2 bad input, 3 SciPy (or NumPy) missing.
"""
import sys
import time

try:
    import numpy as np
    from scipy.spatial import cKDTree
except ImportError as e:  # pragma: no cover
    print(f"ckdtree: SciPy not available ({e}); install python3-scipy")
    sys.exit(3)


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2])
        return 2
    pts = np.fromfile(sys.argv[1], dtype="<f4")
    if pts.size == 0 or pts.size % 3:
        print(f"ckdtree: {sys.argv[1]}: not a float32 xyz file")
        return 2
    pts = pts.reshape(-1, 3).astype(np.float64)
    times = []
    dist = None
    for _ in range(3):
        t0 = time.perf_counter()
        tree = cKDTree(pts)
        d, _ = tree.query(pts, k=2, workers=1)
        times.append(time.perf_counter() - t0)
        dist = d[:, 1]
    t = sorted(times)[1]
    print(f"ckdtree n={len(pts)}: {t:.3f} s (build + query k=2, median of 3, scipy {__import__('scipy').__version__})")
    print(f"CKDTREE_SECONDS {t:.6f}")
    if len(sys.argv) == 3:
        ours = np.fromfile(sys.argv[2], dtype="<f8")
        if ours.shape != dist.shape:
            print(f"ckdtree: {sys.argv[2]}: {ours.size} distances for {dist.size} points")
            return 2
        diff = float(np.max(np.abs(ours - dist)))
        print(f"ckdtree: max abs difference from stipple's distances: {diff:.3g} mm")
        print(f"MAX_ABS_DIFF {diff:.9g}")
        if not diff < 1e-4:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
