/* test_spatial.c: the k-d tree against brute force on awkward point sets (random,
 * clustered, coincident, hostile), built from packed floats or gathered from records of
 * doubles (the same answers), free query points, and the Clark-Evans ratio on
 * Poisson, lattice and clumped patterns. */
#include "check.h"
#include "rng.h"
#include "spatial.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static float *alloc_pts(size_t n) { return malloc(3 * n * sizeof(float) + 1); }

/* Grid all-nearest (distances and indices, tie rule included) equals brute force. */
static void compare_all(const char *what, const float *p, size_t n, double cell)
{
    double *dg = malloc(n * sizeof *dg), *db = malloc(n * sizeof *db);
    size_t *ig = malloc(n * sizeof *ig), *ib = malloc(n * sizeof *ib);
    spatial_index *idx = spatial_build(p, n, cell);
    CHECK(idx != NULL, "%s: build failed", what);
    if (!idx || !dg || !db || !ig || !ib)
        goto out;
    CHECK(spatial_all_nearest(idx, dg, ig) == 0, "%s: all_nearest failed", what);
    spatial_all_nearest_brute(p, n, db, ib);
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < n; i++) {
        int same = (dg[i] == db[i] || (isnan(dg[i]) && isnan(db[i]))) && ig[i] == ib[i];
        if (!same && bad++ == 0)
            first = i;
    }
    CHECK(bad == 0, "%s (cell %g): %zu of %zu differ, first %zu: grid %.9g #%zu, brute %.9g #%zu",
          what, cell, bad, n, first, dg[first], ig[first], db[first], ib[first]);
    /* the same index read in place from records of doubles (reversed, with other fields
     * between), as the grader gives it the dots */
    typedef struct rec { int before; double pos[3]; char after[5]; } rec;
    rec *recs = malloc(n * sizeof *recs);
    size_t *sel = malloc(n * sizeof *sel);
    double *dr = malloc(n * sizeof *dr);
    size_t *ir = malloc(n * sizeof *ir);
    if (recs && sel && dr && ir) {
        for (size_t k = 0; k < n; k++) {
            sel[k] = n - 1 - k;
            for (int a = 0; a < 3; a++)
                recs[n - 1 - k].pos[a] = p[3 * k + (size_t)a];
        }
        spatial_index *gi = spatial_build_gather(recs[0].pos, sizeof *recs, sel, n, cell);
        CHECK(gi && spatial_all_nearest(gi, dr, ir) == 0 && spatial_uses_grid(gi) == spatial_uses_grid(idx),
              "%s: the gathering build answers", what);
        size_t differ = 0;
        for (size_t i = 0; gi && i < n; i++)
            differ += !((dr[i] == dg[i] || (isnan(dr[i]) && isnan(dg[i]))) && ir[i] == ig[i]);
        CHECK(differ == 0, "%s: %zu answers differ between the packed and the gathering build", what, differ);
        spatial_free(gi);
    }
    free(recs);
    free(sel);
    free(dr);
    free(ir);
    /* distances alone, without the index array */
    double *d2 = malloc(n * sizeof *d2);
    if (d2) {
        CHECK(spatial_all_nearest(idx, d2, NULL) == 0, "%s: all_nearest(NULL) failed", what);
        CHECK(memcmp(d2, dg, n * sizeof *d2) == 0, "%s: distances differ without out_index", what);
        free(d2);
    }
out:
    spatial_free(idx);
    free(dg);
    free(db);
    free(ig);
    free(ib);
}

/* spatial_nearest for free query points (inside and far outside) against a linear scan. */
static void compare_queries(const char *what, const float *p, size_t n, double cell, uint64_t seed,
                            double lo, double hi, int nq)
{
    spatial_index *idx = spatial_build(p, n, cell);
    CHECK(idx != NULL, "%s: build failed", what);
    if (!idx)
        return;
    rng_state r;
    rng_seed(seed, &r);
    int bad = 0;
    for (int k = 0; k < nq; k++) {
        double q[3];
        for (int a = 0; a < 3; a++)
            q[a] = rng_range(&r, lo, hi);
        if (k % 3 == 1) /* a query exactly on a data point */
            for (int a = 0; a < 3; a++)
                q[a] = p[3 * ((size_t)k % n) + (size_t)a];
        size_t excl = k % 4 == 0 ? (size_t)rng_below(&r, (uint32_t)n) : SPATIAL_NONE;
        double best = INFINITY;
        size_t bj = SPATIAL_NONE;
        for (size_t j = 0; j < n; j++) {
            if (j == excl)
                continue;
            double dx = (double)p[3 * j] - q[0], dy = (double)p[3 * j + 1] - q[1],
                   dz = (double)p[3 * j + 2] - q[2];
            double d2 = dx * dx + dy * dy + dz * dz;
            if (d2 < best) {
                best = d2;
                bj = j;
            }
        }
        size_t gi = 12345;
        double gd = -1.0;
        int found = spatial_nearest(idx, q, excl, &gi, &gd);
        int ok = bj == SPATIAL_NONE ? found == 0 : (found == 1 && gi == bj && gd == sqrt(best));
        if (!ok && bad++ == 0)
            CHECK(ok, "%s: query %d (%g %g %g) excl %zu: grid %d #%zu %.9g, brute #%zu %.9g", what,
                  k, q[0], q[1], q[2], excl, found, gi, gd, bj, sqrt(best));
    }
    CHECK(bad == 0, "%s: %d of %d queries differ", what, bad, nq);
    spatial_free(idx);
}

static float *uniform_square(size_t n, double side, uint64_t seed)
{
    float *p = alloc_pts(n);
    rng_state r;
    rng_seed(seed, &r);
    for (size_t i = 0; i < n; i++) {
        p[3 * i] = (float)rng_range(&r, 0.0, side);
        p[3 * i + 1] = (float)rng_range(&r, 0.0, side);
        p[3 * i + 2] = 0.0f;
    }
    return p;
}

static float *sphere(size_t n, double radius, uint64_t seed)
{
    float *p = alloc_pts(n);
    rng_state r;
    rng_seed(seed, &r);
    for (size_t i = 0; i < n; i++) {
        double v[3], l;
        do {
            for (int a = 0; a < 3; a++)
                v[a] = rng_normal(&r);
            l = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        } while (l < 1e-9);
        for (int a = 0; a < 3; a++)
            p[3 * i + (size_t)a] = (float)(radius * v[a] / l);
    }
    return p;
}

/* k clusters of n/k points, Gaussian with sd sigma, centres uniform in a side x side square. */
static float *clusters(size_t n, size_t k, double side, double sigma, int flat, uint64_t seed)
{
    float *p = alloc_pts(n);
    rng_state r;
    rng_seed(seed, &r);
    double c[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        if (i % (n / k) == 0)
            for (int a = 0; a < 3; a++)
                c[a] = flat && a == 2 ? 0.0 : rng_range(&r, 0.0, side);
        for (int a = 0; a < 3; a++)
            p[3 * i + (size_t)a] = (float)(flat && a == 2 ? 0.0 : c[a] + sigma * rng_normal(&r));
    }
    return p;
}

static void test_against_brute(void)
{
    const double cells[] = {0.05, 0.3, 1.0, 4.0, 1000.0, 0.0};
    {
        size_t n = 3000;
        float *p = uniform_square(n, sqrt((double)n), 11); /* density 1 / mm^2 */
        for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++)
            compare_all("uniform square", p, n, cells[c]);
        compare_queries("uniform square", p, n, 1.0, 12, -10.0, 65.0, 400);
        compare_queries("uniform square, far queries", p, n, 1.0, 13, -5000.0, 5000.0, 100);
        /* a spread layout is answered by the grid, the tree alone without a cell size */
        spatial_index *g = spatial_build(p, n, 1.0), *t = spatial_build(p, n, 0.0);
        CHECK(spatial_uses_grid(g) && !spatial_uses_grid(t), "uniform square: grid %d with cells, %d without",
              spatial_uses_grid(g), spatial_uses_grid(t));
        spatial_free(g);
        spatial_free(t);
        free(p);
    }
    {
        /* a square with a hole and a few far dots: queries in the hole and the far dots'
         * neighbours lie past the grid's two rings, so the tree answers them */
        size_t n = 3000, m = 0;
        float *p = uniform_square(n, sqrt((double)n), 14);
        for (size_t i = 0; i < n; i++) {
            double dx = p[3 * i] - 27.0, dy = p[3 * i + 1] - 27.0;
            if (dx * dx + dy * dy > 100.0 || i % 500 == 0)   /* a hole of 10 mm, a few dots left in it */
                memmove(p + 3 * m++, p + 3 * i, 3 * sizeof *p);
        }
        spatial_index *g = spatial_build(p, m, 1.0);
        CHECK(spatial_uses_grid(g), "square with a hole: the grid answers first");
        spatial_free(g);
        compare_all("square with a hole", p, m, 1.0);
        compare_queries("square with a hole", p, m, 1.0, 15, 17.0, 37.0, 400);
        free(p);
    }
    {
        size_t n = 4000;
        float *p = sphere(n, 90.0, 21);
        compare_all("sphere r=90", p, n, 2.5);
        compare_all("sphere r=90", p, n, 0.7);
        compare_all("sphere r=90", p, n, 30.0);
        compare_queries("sphere r=90", p, n, 2.5, 22, -120.0, 120.0, 400);
        free(p);
    }
    {
        size_t n = 3000;
        float *p = clusters(n, 30, 100.0, 0.3, 1, 31);
        compare_all("flat clusters", p, n, 1.0);
        compare_all("flat clusters", p, n, 10.0);
        compare_queries("flat clusters", p, n, 1.0, 32, -20.0, 120.0, 300);
        free(p);
        p = clusters(n, 12, 200.0, 2.0, 0, 33);
        compare_all("3D clusters", p, n, 1.0);
        compare_queries("3D clusters", p, n, 1.0, 34, -20.0, 220.0, 300);
        free(p);
    }
    {
        /* duplicates and exact distance ties: points on an integer lattice, many repeated */
        size_t n = 2000;
        float *p = alloc_pts(n);
        rng_state r;
        rng_seed(41, &r);
        for (size_t i = 0; i < n; i++) {
            p[3 * i] = (float)rng_below(&r, 25);
            p[3 * i + 1] = (float)rng_below(&r, 25);
            p[3 * i + 2] = (float)rng_below(&r, 2);
        }
        compare_all("lattice with duplicates", p, n, 1.0);
        compare_all("lattice with duplicates", p, n, 0.5);
        compare_all("lattice with duplicates", p, n, 3.0);
        compare_queries("lattice with duplicates", p, n, 1.0, 42, -3.0, 28.0, 300);
        /* sparse lattice: every point has 4 equidistant neighbours, ties everywhere */
        size_t m = 0;
        for (int y = 0; y < 30; y++)
            for (int x = 0; x < 30; x++, m++) {
                p[3 * m] = (float)(2 * x);
                p[3 * m + 1] = (float)(2 * y);
                p[3 * m + 2] = 5.0f;
            }
        compare_all("square lattice ties", p, m, 1.0);
        compare_all("square lattice ties", p, m, 2.0);
        compare_all("square lattice ties", p, m, 0.9);
        /* all points identical */
        for (size_t i = 0; i < 500; i++) {
            p[3 * i] = 1.5f;
            p[3 * i + 1] = -2.0f;
            p[3 * i + 2] = 7.0f;
        }
        compare_all("all identical", p, 500, 1.0);
        compare_all("all identical", p, 500, 0.0);
        free(p);
    }
    {
        float two[6] = {0.0f, 0.0f, 0.0f, 3.0f, 4.0f, 0.0f};
        double d[2];
        size_t ix[2];
        spatial_index *idx = spatial_build(two, 2, 1.0);
        CHECK(idx && spatial_all_nearest(idx, d, ix) == 0, "two points");
        CHECK(d[0] == 5.0 && d[1] == 5.0 && ix[0] == 1 && ix[1] == 0, "two points: %g %g %zu %zu",
              d[0], d[1], ix[0], ix[1]);
        double q[3] = {100.0, 100.0, 100.0};
        size_t gi = 9;
        double gd = 0.0;
        CHECK(spatial_nearest(idx, q, SPATIAL_NONE, &gi, &gd) == 1 && gi == 1, "two points query");
        CHECK(spatial_nearest(idx, q, 1, &gi, &gd) == 1 && gi == 0, "two points query, excl 1");
        spatial_free(idx);
        compare_all("two points", two, 2, 0.01);

        idx = spatial_build(two, 1, 1.0);
        CHECK(idx != NULL, "one point builds");
        CHECK(spatial_all_nearest(idx, d, ix) == -1, "one point: all_nearest refuses");
        CHECK(spatial_nearest(idx, q, SPATIAL_NONE, &gi, &gd) == 1 && gi == 0 && gd > 0.0,
              "one point: query finds it");
        CHECK(spatial_nearest(idx, q, 0, &gi, &gd) == 0, "one point excluded: nothing found");
        spatial_free(idx);
        CHECK(spatial_build(two, 0, 1.0) == NULL, "n == 0 gives NULL");
        spatial_free(NULL);
    }
    {
        /* far outliers: a dense cluster and points far away, on an axis and on a diagonal */
        size_t n = 2003;
        float *p = clusters(n - 3, 4, 20.0, 0.5, 0, 51);
        float *grown = realloc(p, 3 * n * sizeof *p);
        CHECK(grown != NULL, "realloc");
        if (!grown) {
            free(p);
            return;
        }
        p = grown;
        float far[9] = {1.0e5f, 3.0f, 2.0f, -4.0e4f, 7.0e4f, 9.0e4f, 60.0f, 50.0f, 40.0f};
        memcpy(p + 3 * (n - 3), far, sizeof far);
        compare_all("far outliers", p, n, 0.5);
        compare_all("far outliers", p, n, 0.01); /* tiny cells: grid capped, rings costly */
        compare_queries("far outliers", p, n, 0.5, 52, -2.0e5, 2.0e5, 200);
        compare_queries("far outliers, near", p, n, 0.5, 53, -5.0, 25.0, 200);
        /* the same, but the outlier first in index order */
        float sw[3];
        memcpy(sw, p, sizeof sw);
        memcpy(p, p + 3 * (n - 3), sizeof sw);
        memcpy(p + 3 * (n - 3), sw, sizeof sw);
        compare_all("far outlier first", p, n, 0.5);
        free(p);
    }
    {
        /* non-finite coordinates must not break anything; they are never anyone's neighbour */
        size_t n = 300;
        float *p = uniform_square(n, 20.0, 61);
        p[3 * 7] = NAN;
        p[3 * 100 + 2] = INFINITY;
        compare_all("with NaN and inf", p, n, 1.0);
        free(p);
    }
}


/* Hostile layouts from sessions the grader did not make: many dots at one spot, dots along
 * a micrometre, coincident groups mixed with single dots. Exact against brute force where
 * brute force is affordable; the 200,000-dot spot against its known answer (this took
 * O(n^2) in the grid: a regression shows as a test timeout, not as a timed assertion). */
static void test_hostile(void)
{
    {
        size_t n = 200000;
        float *p = alloc_pts(n);
        for (size_t i = 0; i < n; i++) {
            p[3 * i] = 12.25f;
            p[3 * i + 1] = -3.5f;
            p[3 * i + 2] = 80.0f;
        }
        double *d = malloc(n * sizeof *d);
        size_t *ix = malloc(n * sizeof *ix);
        spatial_index *idx = spatial_build(p, n, 1.95);
        CHECK(idx && d && ix && spatial_all_nearest(idx, d, ix) == 0, "200k at one spot: all_nearest");
        if (idx && d && ix) {
            size_t bad = 0;
            for (size_t i = 0; i < n; i++) /* brute force: distance 0 to the smallest other index */
                bad += !(d[i] == 0.0 && ix[i] == (i == 0 ? 1 : 0));
            CHECK(bad == 0, "200k at one spot: %zu wrong", bad);
            double q[3] = {20.0, 0.0, 80.0}, qd = 0.0;
            size_t qi = 99;
            CHECK(spatial_nearest(idx, q, SPATIAL_NONE, &qi, &qd) == 1 && qi == 0 && qd > 0.0,
                  "200k at one spot: query finds #0 (%zu)", qi);
            CHECK(spatial_nearest(idx, q, 0, &qi, &qd) == 1 && qi == 1, "...excluding #0 finds #1");
            CHECK(spatial_nearest(idx, q, 5, &qi, &qd) == 1 && qi == 0, "...excluding #5 finds #0");
        }
        spatial_free(idx);
        free(d);
        free(ix);
        /* a micrometre line, about every float on it distinct (the grid's other O(n^2)) */
        for (size_t i = 0; i < n; i++) {
            p[3 * i] = 1.0f + (float)i * 1e-7f;
            p[3 * i + 1] = 2.0f;
            p[3 * i + 2] = 3.0f;
        }
        idx = spatial_build(p, n, 1.95);
        CHECK(!spatial_uses_grid(idx), "micrometre line: every dot in one cell, so the tree alone");
        d = malloc(n * sizeof *d);
        CHECK(idx && d && spatial_all_nearest(idx, d, NULL) == 0, "micrometre line: all_nearest");
        spatial_free(idx);
        free(d);
        /* the same line, but short enough to check against brute force */
        compare_all("micrometre line", p, 3000, 1.95);
        compare_queries("micrometre line", p, 3000, 1.95, 101, 0.999, 1.001, 300);
        free(p);
    }
    {
        /* groups of coincident dots (2 to 40 a spot) among single dots, shuffled order */
        size_t n = 3000;
        float *p = alloc_pts(n);
        rng_state r;
        rng_seed(111, &r);
        size_t i = 0;
        while (i < n) {
            float x = (float)rng_range(&r, 0.0, 40.0), y = (float)rng_range(&r, 0.0, 40.0);
            size_t k = rng_below(&r, 3) == 0 ? 2 + rng_below(&r, 39) : 1;
            for (size_t j = 0; j < k && i < n; j++, i++) {
                p[3 * i] = x;
                p[3 * i + 1] = y;
                p[3 * i + 2] = j % 2 ? -0.0f : 0.0f; /* -0 and +0 are one spot */
            }
        }
        for (size_t a = n - 1; a > 0; a--) {
            size_t b = rng_below(&r, (uint32_t)(a + 1));
            for (int c = 0; c < 3; c++) {
                float t = p[3 * a + (size_t)c];
                p[3 * a + (size_t)c] = p[3 * b + (size_t)c];
                p[3 * b + (size_t)c] = t;
            }
        }
        compare_all("coincident groups", p, n, 1.0);
        compare_queries("coincident groups", p, n, 1.0, 112, -5.0, 45.0, 400);
        free(p);
    }
}

static void test_determinism(void)
{
    size_t n = 20000;
    float *p = uniform_square(n, 141.0, 71);
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    size_t *ia = malloc(n * sizeof *ia), *ib = malloc(n * sizeof *ib);
    spatial_index *x = spatial_build(p, n, 1.0), *y = spatial_build(p, n, 1.0);
    CHECK(x && y && a && b && ia && ib, "alloc");
    if (x && y && a && b && ia && ib) {
        spatial_all_nearest(x, a, ia);
        spatial_all_nearest(y, b, ib);
        CHECK(memcmp(a, b, n * sizeof *a) == 0 && memcmp(ia, ib, n * sizeof *ia) == 0,
              "two builds give the same answer");
    }
    spatial_free(x);
    spatial_free(y);
    free(a);
    free(b);
    free(ia);
    free(ib);
    free(p);
}

static double mean_nn(const float *p, size_t n, size_t count, double cell)
{
    double *d = malloc(n * sizeof *d), s = 0.0;
    spatial_index *idx = spatial_build(p, n, cell);
    if (!d || !idx || spatial_all_nearest(idx, d, NULL) != 0) {
        CHECK(0, "mean_nn: failed");
        s = NAN;
    } else {
        for (size_t i = 0; i < count; i++)
            s += d[i];
        s /= (double)count;
    }
    spatial_free(idx);
    free(d);
    return s;
}

static void test_clark_evans(void)
{
    CHECK_NEAR(clark_evans_r(0.5, 1.0), 1.0, 1e-15, "R formula");
    CHECK_NEAR(clark_evans_r(1.0, 0.25), 1.0, 1e-15, "R formula, density 1/4");
    CHECK(isnan(clark_evans_r(1.0, 0.0)) && isnan(clark_evans_r(1.0, -1.0)), "bad density: NaN");

    /* Poisson points, n = 20000 at density 1 / mm^2 in a square (side 141.4 mm). The plain
     * ratio is biased upwards by the edge (points near it miss neighbours outside); Donnelly's
     * approximation puts the mean NN at 0.5/sqrt(rho) + (0.0514 + 0.041/sqrt(n)) P / n, about
     * +0.3% here, and the standard error of the mean is 0.26136/sqrt(n rho), about 0.37%.
     * So plain R is asserted in a wide 0.95..1.07, and the edge-free (toroidal) R, from the
     * same points repeated in a 3x3 tiling and measured on the middle copy, within 0.02. */
    size_t n = 20000;
    double side = sqrt((double)n);
    float *p = uniform_square(n, side, 81);
    double r_plain = clark_evans_r(mean_nn(p, n, n, 1.0), 1.0);
    CHECK(r_plain > 0.95 && r_plain < 1.07, "Poisson plain R = %g", r_plain);
    float *t = alloc_pts(9 * n);
    size_t k = 0;
    static const int off[9][2] = {{0, 0}, {-1, -1}, {0, -1}, {1, -1}, {-1, 0},
                                  {1, 0},  {-1, 1},  {0, 1},  {1, 1}}; /* centre first */
    for (int tile = 0; tile < 9; tile++) {
        int ox = off[tile][0], oy = off[tile][1];
        for (size_t i = 0; i < n; i++, k++) {
            t[3 * k] = (float)(p[3 * i] + ox * side);
            t[3 * k + 1] = (float)(p[3 * i + 1] + oy * side);
            t[3 * k + 2] = 0.0f;
        }
    }
    double r_torus = clark_evans_r(mean_nn(t, 9 * n, n, 1.0), 1.0);
    CHECK(fabs(r_torus - 1.0) < 0.02, "Poisson toroidal R = %g", r_torus);
    CHECK(r_plain >= r_torus, "edge effect raises plain R: plain %g, toroidal %g", r_plain,
          r_torus);
    printf("clark-evans: Poisson n=%zu plain R = %.4f, toroidal R = %.4f\n", n, r_plain, r_torus);
    free(t);
    free(p);

    /* triangular lattice, spacing s: every point's NN is at s; density 2 / (sqrt(3) s^2), so
     * R = s / (0.5 / sqrt(rho)) = 2 sqrt(2 / sqrt(3)) = 2.1491. Density measured as the count
     * in an interior window, as one would on a real patch. */
    const double s = 1.2;
    const int cols = 400, rows = 460;
    size_t nl = (size_t)cols * (size_t)rows;
    float *l = alloc_pts(nl);
    k = 0;
    for (int row = 0; row < rows; row++)
        for (int col = 0; col < cols; col++, k++) {
            l[3 * k] = (float)((col + 0.5 * (row & 1)) * s);
            l[3 * k + 1] = (float)(row * s * sqrt(3.0) / 2.0);
            l[3 * k + 2] = 0.0f;
        }
    double w0 = 60.0, w1 = 420.0; /* window [60, 420)^2 mm inside a 480 x 478 mm patch */
    size_t inside = 0;
    for (size_t i = 0; i < nl; i++)
        if (l[3 * i] >= w0 && l[3 * i] < w1 && l[3 * i + 1] >= w0 && l[3 * i + 1] < w1)
            inside++;
    double rho = (double)inside / ((w1 - w0) * (w1 - w0));
    double mn = mean_nn(l, nl, nl, s);
    double r_lat = clark_evans_r(mn, rho);
    double r_want = 2.0 * sqrt(2.0 / sqrt(3.0));
    CHECK_NEAR(mn, s, 2e-4, "triangular lattice mean NN");
    CHECK_NEAR(rho, 2.0 / (sqrt(3.0) * s * s), 0.01 * rho, "triangular lattice interior density");
    CHECK_NEAR(r_lat, r_want, 0.015, "triangular lattice R");
    CHECK_NEAR(r_want, 2.1491, 1e-4, "analytic lattice R");
    printf("clark-evans: triangular lattice R = %.4f (analytic %.4f)\n", r_lat, r_want);
    free(l);

    /* clumped: 200 tight clusters of 20 in a 100 x 100 mm square */
    size_t nc = 4000;
    float *c = clusters(nc, 200, 100.0, 0.1, 1, 91);
    double r_clump = clark_evans_r(mean_nn(c, nc, nc, 1.0), (double)nc / 1.0e4);
    CHECK(r_clump < 0.5, "clumped R = %g", r_clump);
    printf("clark-evans: clumped R = %.4f\n", r_clump);
    free(c);
}

int main(void)
{
    test_against_brute();
    test_hostile();
    test_determinism();
    test_clark_evans();
    return check_summary("test_spatial");
}
