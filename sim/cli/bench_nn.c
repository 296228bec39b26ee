/* bench_nn.c: `stipple bench nn`: how fast the grid finds every dot's nearest neighbour,
 * and how that compares with SciPy's cKDTree on the same million dots. See bench_nn.h. */
#include "bench_nn.h"

#include "rng.h"
#include "spatial.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef STIPPLE_SOURCE_DIR
#define STIPPLE_SOURCE_DIR "."
#endif

#define DOTS_PER_MM2 1.0 /* 100 dots / cm^2: about 1 mm apart, a dense SMP layer */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Uniform random (Poisson) dots on the plane z = 0 at DOTS_PER_MM2, in a square. */
static float *make_points(size_t n, uint64_t seed)
{
    float *p = malloc(3 * n * sizeof *p);
    if (!p)
        return NULL;
    double side = sqrt((double)n / DOTS_PER_MM2);
    rng_state r;
    rng_seed(seed, &r);
    for (size_t i = 0; i < n; i++) {
        p[3 * i] = (float)rng_range(&r, 0.0, side);
        p[3 * i + 1] = (float)rng_range(&r, 0.0, side);
        p[3 * i + 2] = 0.0f;
    }
    return p;
}

/* Write `count` little-endian values of `size` bytes (4: float, 8: double) to a new temp
 * file; the name goes to path (a buffer of 64). */
static int write_temp(char *path, const char *stem, const void *data, size_t count, size_t size)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir || strlen(dir) > 40)
        dir = "/tmp";
    snprintf(path, 64, "%s/stipple-%s-XXXXXX", dir, stem);
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        return -1;
    }
    const unsigned char *src = data;
    unsigned char buf[8 * 1024];
    size_t fill = 0;
    int ok = 1;
    for (size_t i = 0; i < count && ok; i++) {
        uint64_t v = 0;
        if (size == 4) {
            uint32_t w;
            memcpy(&w, src + 4 * i, 4);
            v = w;
        } else {
            memcpy(&v, src + 8 * i, 8);
        }
        for (size_t b = 0; b < size; b++)
            buf[fill++] = (unsigned char)(v >> (8 * b));
        if (fill + 8 > sizeof buf) {
            ok = fwrite(buf, 1, fill, f) == fill;
            fill = 0;
        }
    }
    if (ok && fill)
        ok = fwrite(buf, 1, fill, f) == fill;
    if (fclose(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

/* Run /usr/bin/python3 SCRIPT A B, echo its output indented, pick out its machine lines.
 * Returns the exit status (127 when it could not be started). */
static int run_ckdtree(const char *script, const char *pts, const char *ours, double *secs,
                       double *maxdiff)
{
    int fds[2];
    if (pipe(fds) != 0)
        return 127;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return 127;
    }
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        char *args[] = {"/usr/bin/python3", (char *)script, (char *)pts, (char *)ours, NULL};
        execv(args[0], args);
        printf("ckdtree: cannot run /usr/bin/python3: %s\n", strerror(errno));
        fflush(stdout);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        if (sscanf(line, "CKDTREE_SECONDS %lf", secs) == 1 ||
            sscanf(line, "MAX_ABS_DIFF %lf", maxdiff) == 1)
            continue;
        printf("  %s", line);
    }
    if (f)
        fclose(f);
    else
        close(fds[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 127;
}

static int parse_count(const char *s, double min, size_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end); /* accepts 1e6 */
    if (errno || end == s || *end || !(v >= min) || v > 1e9 || v != floor(v))
        return -1;
    *out = (size_t)v;
    return 0;
}

int bench_nn(int argc, char **argv)
{
    const char *srcdir = STIPPLE_SOURCE_DIR;
    size_t runs = 5, max_n = 1000000;
    uint64_t seed = 1;
    int ckdtree = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--source-dir") && i + 1 < argc)
            srcdir = argv[++i];
        else if (!strcmp(a, "--runs") && i + 1 < argc && parse_count(argv[i + 1], 1, &runs) == 0)
            i++;
        else if (!strcmp(a, "--max-n") && i + 1 < argc && parse_count(argv[i + 1], 2, &max_n) == 0)
            i++;
        else if (!strcmp(a, "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(a, "--no-ckdtree"))
            ckdtree = 0;
        else if (!strcmp(a, "--quick")) /* CI: up to 1e5 dots, 3 runs; cKDTree check at 1e5 */
            max_n = 100000, runs = 3;
        else {
            fprintf(stderr, "bench nn: unknown or incomplete option '%s'\n"
                            "usage: bench nn [--quick] [--source-dir DIR] [--runs N] [--max-n N] "
                            "[--seed S] [--no-ckdtree]\n", a);
            return 2;
        }
    }

    static const size_t sizes[] = {10000, 30000, 100000, 300000, 1000000};
    size_t list[8], nsizes = 0;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        if (sizes[k] < max_n)
            list[nsizes++] = sizes[k];
    list[nsizes++] = max_n;

    printf("nearest neighbours: uniform random dots on a plane, %.0f dots/cm^2, cell %.2f mm, "
           "build + all_nearest, single thread\n", DOTS_PER_MM2 * 100.0, 1.0 / sqrt(DOTS_PER_MM2));
    double *times = malloc(runs * sizeof *times);
    float *pts = NULL;
    double *nn = NULL;
    double base = 0.0, t_big = 0.0;
    int rc = 0;
    if (!times)
        return 1;
    for (size_t k = 0; k < nsizes; k++) {
        size_t n = list[k];
        free(pts);
        free(nn);
        pts = make_points(n, seed);
        nn = malloc(n * sizeof *nn);
        if (!pts || !nn) {
            fprintf(stderr, "bench nn: out of memory at n=%zu\n", n);
            rc = 1;
            goto done;
        }
        for (size_t r = 0; r < runs; r++) {
            double t0 = now_s();
            spatial_index *idx = spatial_build(pts, n, 1.0 / sqrt(DOTS_PER_MM2));
            int ok = idx && spatial_all_nearest(idx, nn, NULL) == 0;
            times[r] = now_s() - t0;
            spatial_free(idx);
            if (!ok) {
                fprintf(stderr, "bench nn: spatial index failed at n=%zu\n", n);
                rc = 1;
                goto done;
            }
        }
        qsort(times, runs, sizeof *times, cmp_double);
        double t = times[runs / 2];
        double per = t / ((double)n * log((double)n));
        if (k == 0)
            base = per;
        double mean = 0.0;
        for (size_t i = 0; i < n; i++)
            mean += nn[i];
        mean /= (double)n;
        printf("nn n=%zu: %.4f s (median of %zu), %.1f ns/dot, t/(n log n) = %.2f x that of n=%zu, "
               "mean NN %.3f mm, Clark-Evans R %.3f\n", n, t, runs, 1e9 * t / (double)n,
               per / base, list[0], mean, clark_evans_r(mean, DOTS_PER_MM2));
        t_big = t;
    }

    if (!ckdtree)
        goto done;
    size_t n = list[nsizes - 1];
    char script[4096];
    snprintf(script, sizeof script, "%s/tests/bench/ckdtree_nn.py", srcdir);
    if (access(script, R_OK) != 0) {
        printf("ckdtree: %s not found (pass --source-dir); comparison skipped\n", script);
        goto done;
    }
    if (access("/usr/bin/python3", X_OK) != 0) {
        printf("ckdtree: /usr/bin/python3 not found; comparison skipped\n");
        goto done;
    }
    char ptsfile[64], nnfile[64];
    if (write_temp(ptsfile, "pts", pts, 3 * n, 4) != 0) {
        fprintf(stderr, "bench nn: cannot write temp file: %s\n", strerror(errno));
        rc = 1;
        goto done;
    }
    if (write_temp(nnfile, "nn", nn, n, 8) != 0) {
        fprintf(stderr, "bench nn: cannot write temp file: %s\n", strerror(errno));
        remove(ptsfile);
        rc = 1;
        goto done;
    }
    free(pts); /* let python have the memory */
    pts = NULL;
    free(nn);
    nn = NULL;
    printf("ckdtree: running %s on the n=%zu dots (3 runs)...\n", script, n);
    double secs = NAN, maxdiff = NAN;
    int st = run_ckdtree(script, ptsfile, nnfile, &secs, &maxdiff);
    remove(ptsfile);
    remove(nnfile);
    if (st == 3 || st == 127) {
        printf("ckdtree: SciPy not available (python3-scipy missing?); comparison skipped\n");
    } else if (st != 0 || !isfinite(secs)) {
        printf("ckdtree: FAILED (exit %d, max abs difference %.3g mm)\n", st, maxdiff);
        rc = 1;
    } else {
        printf("nn n=%zu: stipple %.4f s, cKDTree %.3f s; distances agree (max abs diff %.2g mm)\n",
               n, t_big, secs, maxdiff);
        printf("speedup vs cKDTree: %.1fx\n", secs / t_big);
    }
done:
    free(times);
    free(pts);
    free(nn);
    return rc;
}
