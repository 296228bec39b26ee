/* bench_nn.h: `stipple bench nn`, the nearest-neighbour benchmark.
 * Times spatial_build + spatial_all_nearest on seeded uniform random (Poisson) dots at
 * 100 dots/cm^2 for n = 1e4 .. 1e6 and compares the 1e6 case against SciPy's cKDTree
 * (tests/bench/ckdtree_nn.py, run with /usr/bin/python3), checking the distances agree.
 * argv[0] is the subcommand's name and is ignored; options:
 *   --source-dir DIR   where tests/bench/ckdtree_nn.py lies (default STIPPLE_SOURCE_DIR or .)
 *   --runs N           timed runs per size, median reported (default 5)
 *   --max-n N          largest n (default 1000000; the cKDTree comparison uses it)
 *   --seed S           point-set seed (default 1)
 *   --no-ckdtree       skip the SciPy comparison
 *   --quick            n up to 1e5, 3 runs (cKDTree comparison at 1e5); later options win
 * Returns 0 on success (also when SciPy is missing: the comparison is skipped with a
 * note), 1 when the distances disagree or something fails, 2 on bad arguments. */
#ifndef STIPPLE_BENCH_NN_H
#define STIPPLE_BENCH_NN_H

int bench_nn(int argc, char **argv);

#endif
