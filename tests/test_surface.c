/* test_surface.c: the practice skin, the generated head, its chart, regions and ray casts.
 * Every expectation is computed here (brute-force intersections, analytic planes, mesh
 * slices), not typed in from a previous run. */
#include "surface.h"
#include "vec3.h"
#include "check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PI_ 3.14159265358979323846

/* ---- a local, explicitly seeded generator (64-bit LCG, top bits) ---- */
static uint64_t lcg_state;
static void lcg_seed(uint64_t s) { lcg_state = s * 2862933555777941757ULL + 3037000493ULL; }
static double lcg_uniform(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg_state >> 11) * (1.0 / 9007199254740992.0);
}
static double lcg_range(double lo, double hi) { return lo + (hi - lo) * lcg_uniform(); }
static void lcg_unit(double d[3])
{
    double z = lcg_range(-1.0, 1.0), a = lcg_range(0.0, 2.0 * PI_), r = sqrt(1.0 - z * z);
    vec3_set(r * cos(a), r * sin(a), z, d);
}

/* ---- brute-force nearest intersection over every triangle (float positions widened) ---- */
static int brute_raycast(const surface *s, const double o[3], const double d[3], double *t_out, size_t *tri_out)
{
    const float *P = surface_positions(s);
    const uint32_t *I = surface_indices(s);
    size_t nt = surface_triangle_count(s);
    double best = INFINITY;
    size_t bt = SIZE_MAX;
    for (size_t t = 0; t < nt; t++) {
        double p[3][3];
        for (int k = 0; k < 3; k++)
            for (int a = 0; a < 3; a++)
                p[k][a] = (double)P[3 * (size_t)I[3 * t + (size_t)k] + (size_t)a];
        double e1[3], e2[3], pv[3], tv[3], qv[3];
        vec3_sub(p[1], p[0], e1);
        vec3_sub(p[2], p[0], e2);
        vec3_cross(d, e2, pv);
        double det = vec3_dot(e1, pv);
        if (det == 0.0)
            continue;
        vec3_sub(o, p[0], tv);
        double u = vec3_dot(tv, pv) / det;
        if (u < 0.0 || u > 1.0)
            continue;
        vec3_cross(tv, e1, qv);
        double v = vec3_dot(d, qv) / det;
        if (v < 0.0 || u + v > 1.0)
            continue;
        double tt = vec3_dot(e2, qv) / det;
        if (tt > 1e-9 && tt < best) {
            best = tt;
            bt = t;
        }
    }
    if (bt == SIZE_MAX)
        return 0;
    *t_out = best;
    if (tri_out)
        *tri_out = bt;
    return 1;
}

/* ====================================================================================== */
static void test_names(void)
{
    static const char *const want[] = {
        "practice", "frontal", "mid_scalp", "vertex", "temporal_l", "temporal_r", "parietal_l",
        "parietal_r", "occipital", "forehead", "face", "ear", "neck",
    };
    for (int r = REGION_PRACTICE; r < REGION_COUNT; r++) {
        const char *n = region_name((region_id)r);
        CHECK(n && strcmp(n, want[r - REGION_PRACTICE]) == 0, "region %d name %s", r, n ? n : "(null)");
        CHECK(region_from_name(n) == (region_id)r, "region_from_name(%s)", n);
        int scalp = r >= REGION_PRACTICE && r <= REGION_OCCIPITAL;
        CHECK(region_is_scalp((region_id)r) == scalp, "region_is_scalp(%s)", n);
    }
    CHECK(region_from_name("crown") == REGION_NONE, "unknown name");
    CHECK(region_from_name(NULL) == REGION_NONE, "NULL name");
    CHECK(region_from_name("") == REGION_NONE, "empty name");
    CHECK(!region_is_scalp(REGION_NONE), "none is not scalp");
    CHECK(region_name(REGION_COUNT) != NULL, "out-of-range name is not NULL");
}

/* ====================================================================================== */
static void test_practice(void)
{
    const double W = 120.0, H = 80.0;
    CHECK(surface_create(SURFACE_PRACTICE_SKIN, 0.0, 50.0) == NULL, "zero width refused");
    CHECK(surface_create(SURFACE_PRACTICE_SKIN, 50.0, NAN) == NULL, "NaN height refused");
    surface *s = surface_create(SURFACE_PRACTICE_SKIN, W, H);
    CHECK(s != NULL, "practice skin created");
    if (!s)
        return;
    CHECK(surface_get_kind(s) == SURFACE_PRACTICE_SKIN, "kind");
    double lo[3], hi[3];
    surface_bounds(s, lo, hi);
    CHECK(lo[0] == 0.0 && lo[1] == 0.0 && lo[2] == 0.0 && hi[0] == W && hi[1] == H && hi[2] == 0.0,
          "bounds %g %g %g .. %g %g %g", lo[0], lo[1], lo[2], hi[0], hi[1], hi[2]);
    size_t nt = surface_triangle_count(s), nv = surface_vertex_count(s);
    CHECK(nt >= 2 && nt <= 20000 && nv >= 4, "practice mesh %zu triangles", nt);
    const uint8_t *tr = surface_triangle_regions(s);
    const float *N = surface_normals(s);
    int all_practice = 1, all_up = 1;
    for (size_t t = 0; t < nt; t++)
        all_practice &= tr[t] == REGION_PRACTICE;
    for (size_t v = 0; v < nv; v++)
        all_up &= N[3 * v] == 0.0f && N[3 * v + 1] == 0.0f && N[3 * v + 2] == 1.0f;
    CHECK(all_practice, "every practice triangle is REGION_PRACTICE");
    CHECK(all_up, "every practice normal is +z");

    /* rays from above at random slants: the analytic plane z = 0 */
    lcg_seed(11);
    int n_bad = 0, n_miss_bad = 0;
    double worst = 0.0;
    for (int i = 0; i < 500; i++) {
        double o[3] = { lcg_range(-40.0, W + 40.0), lcg_range(-40.0, H + 40.0), lcg_range(1.0, 100.0) };
        double d[3] = { lcg_range(-0.5, 0.5), lcg_range(-0.5, 0.5), -1.0 };
        vec3_normalize(d);
        double t = -o[2] / d[2], p[3];
        vec3_muladds(o, d, t, p);
        int inside = p[0] >= 0.0 && p[0] <= W && p[1] >= 0.0 && p[1] <= H;
        int interior = p[0] > 1e-6 && p[0] < W - 1e-6 && p[1] > 1e-6 && p[1] < H - 1e-6;
        surface_hit h;
        int hit = surface_raycast(s, o, d, &h);
        if (interior) {
            double e = hit ? fmax(fabs(h.t_mm - t), vec3_distance(h.pos_mm, p)) : INFINITY;
            e = fmax(e, hit ? fmax(fabs(h.chart_mm[0] - p[0]), fabs(h.chart_mm[1] - p[1])) : 0.0);
            if (e > worst) worst = e;
            if (!hit || e > 1e-9 || h.normal[2] != 1.0 || h.region != REGION_PRACTICE)
                n_bad++;
        } else if (!inside && hit) {
            n_miss_bad++;
        }
        /* from below, going up: the plane is hit too (a surface has no inside here) */
    }
    CHECK(n_bad == 0, "practice hits off the analytic plane: %d (worst %.3g mm)", n_bad, worst);
    CHECK(n_miss_bad == 0, "rays beside the practice skin hit it: %d", n_miss_bad);

    surface_hit h;
    CHECK(surface_chart_point(s, 30.0, 20.0, &h) && h.pos_mm[0] == 30.0 && h.pos_mm[1] == 20.0
          && h.pos_mm[2] == 0.0 && h.normal[2] == 1.0 && h.region == REGION_PRACTICE, "chart point");
    CHECK(!surface_chart_point(s, -1.0, 20.0, &h), "chart point left of the skin");
    CHECK(!surface_chart_point(s, 10.0, H + 0.5, &h), "chart point above the skin");
    CHECK(surface_region_at_chart(s, W, H) == REGION_PRACTICE, "corner is practice");
    CHECK(surface_region_at_chart(s, W + 1.0, 0.0) == REGION_NONE, "outside is none");
    CHECK_NEAR(surface_chart_area_scale(s, 50.0, 50.0), 1.0, 0.0, "practice area scale");
    double box[4];
    surface_chart_bounds(s, box);
    CHECK(box[0] == 0.0 && box[1] == 0.0 && box[2] == W && box[3] == H, "practice chart bounds are the skin");
    double zero[3] = { 0.0, 0.0, 0.0 }, o[3] = { 10.0, 10.0, 5.0 };
    CHECK(!surface_raycast(s, o, zero, &h), "zero direction misses");
    surface_free(s);
    surface_free(NULL);
}

/* ====================================================================================== */
static void test_determinism(const surface *a)
{
    surface *b = surface_create(SURFACE_HEAD, 0.0, 0.0);
    CHECK(b != NULL, "second head");
    if (!b)
        return;
    size_t nv = surface_vertex_count(a), nt = surface_triangle_count(a);
    CHECK(surface_vertex_count(b) == nv && surface_triangle_count(b) == nt, "same counts");
    if (surface_vertex_count(b) == nv && surface_triangle_count(b) == nt) {
        CHECK(memcmp(surface_positions(a), surface_positions(b), nv * 3 * sizeof(float)) == 0, "positions identical");
        CHECK(memcmp(surface_normals(a), surface_normals(b), nv * 3 * sizeof(float)) == 0, "normals identical");
        CHECK(memcmp(surface_charts(a), surface_charts(b), nv * 2 * sizeof(float)) == 0, "charts identical");
        CHECK(memcmp(surface_indices(a), surface_indices(b), nt * 3 * sizeof(uint32_t)) == 0, "indices identical");
        CHECK(memcmp(surface_triangle_regions(a), surface_triangle_regions(b), nt) == 0, "regions identical");
    }
    surface_free(b);
}

static void test_mesh_sanity(const surface *s)
{
    size_t nv = surface_vertex_count(s), nt = surface_triangle_count(s);
    printf("head mesh: %zu vertices, %zu triangles\n", nv, nt);
    CHECK(nt > 20000 && nt < 300000, "triangle count %zu", nt);
    const uint32_t *I = surface_indices(s);
    const float *P = surface_positions(s), *N = surface_normals(s), *C = surface_charts(s);
    const uint8_t *R = surface_triangle_regions(s);
    int idx_ok = 1, finite_ok = 1, reg_ok = 1, unit_ok = 1;
    for (size_t t = 0; t < 3 * nt; t++)
        idx_ok &= I[t] < nv;
    for (size_t v = 0; v < nv; v++) {
        for (int a = 0; a < 3; a++)
            finite_ok &= isfinite(P[3 * v + (size_t)a]) && isfinite(N[3 * v + (size_t)a]);
        finite_ok &= isfinite(C[2 * v]) && isfinite(C[2 * v + 1]);
        double n2 = (double)N[3 * v] * N[3 * v] + (double)N[3 * v + 1] * N[3 * v + 1] + (double)N[3 * v + 2] * N[3 * v + 2];
        unit_ok &= fabs(n2 - 1.0) < 1e-5;
    }
    int present[REGION_COUNT] = { 0 };
    for (size_t t = 0; t < nt; t++) {
        reg_ok &= R[t] > REGION_PRACTICE && R[t] < REGION_COUNT;
        if (R[t] < REGION_COUNT) present[R[t]] = 1;
    }
    CHECK(idx_ok, "indices in range");
    CHECK(finite_ok, "positions, normals and charts finite");
    CHECK(unit_ok, "vertex normals unit");
    CHECK(reg_ok, "triangle regions are head regions");
    for (int r = REGION_FRONTAL; r < REGION_COUNT; r++)
        CHECK(present[r], "some triangle is %s", region_name((region_id)r));

    double lo[3], hi[3];
    surface_bounds(s, lo, hi);
    double top = -INFINITY;
    for (size_t v = 0; v < nv; v++)
        if (P[3 * v + 1] > top) top = P[3 * v + 1];
    CHECK_NEAR(hi[1], top, 1e-3, "bounds top is the highest vertex");
    surface_hit vx;
    CHECK(surface_chart_point(s, 0.0, 0.0, &vx), "chart origin");
    printf("vertex (chart origin) at (%.1f, %.1f, %.1f) mm, top of mesh %.1f mm\n",
           vx.pos_mm[0], vx.pos_mm[1], vx.pos_mm[2], top);
    CHECK(vx.pos_mm[1] >= 125.0 && vx.pos_mm[1] <= 135.0, "vertex height %.1f", vx.pos_mm[1]);
    CHECK(top - vx.pos_mm[1] < 3.0, "the chart origin is near the top (%.2f mm below)", top - vx.pos_mm[1]);
    CHECK(fabs(vx.pos_mm[0]) < 1e-9, "vertex on the midline");
    /* the ears stick out on both sides near y = 0 */
    double ear_l = -INFINITY, ear_r = INFINITY;
    for (size_t t = 0; t < nt; t++) {
        if (R[t] != REGION_EAR) continue;
        for (int k = 0; k < 3; k++) {
            const float *p = P + 3 * (size_t)I[3 * t + (size_t)k];
            if (p[0] > ear_l) ear_l = p[0];
            if (p[0] < ear_r) ear_r = p[0];
        }
    }
    CHECK(ear_l > 75.0 && ear_r < -75.0, "ears at x %.1f and %.1f", ear_l, ear_r);
    CHECK(lo[1] < -100.0, "a neck goes down (lowest y %.1f)", lo[1]);
    /* the neck leans: the head sits forward on it, so going down the back of the neck from
     * under the skull the skin runs back (seen from the side), and the throat too */
    double from_back[3] = { 0.0, 0.0, 1.0 }, from_front[3] = { 0.0, 0.0, -1.0 };
    surface_hit nape_hi, nape_lo, throat_hi, throat_lo;
    double o[3] = { 0.0, -60.0, -400.0 }, o2[3] = { 0.0, -170.0, -400.0 };
    double o3[3] = { 0.0, -140.0, 400.0 }, o4[3] = { 0.0, -175.0, 400.0 };
    if (surface_raycast(s, o, from_back, &nape_hi) && surface_raycast(s, o2, from_back, &nape_lo) &&
        surface_raycast(s, o3, from_front, &throat_hi) && surface_raycast(s, o4, from_front, &throat_lo)) {
        CHECK(nape_lo.pos_mm[2] < nape_hi.pos_mm[2] - 8.0, "the back of the neck runs back going down: z %.1f at y -60, %.1f at -170",
              nape_hi.pos_mm[2], nape_lo.pos_mm[2]);
        CHECK(throat_lo.pos_mm[2] < throat_hi.pos_mm[2] - 6.0, "the throat runs back going down: z %.1f at y -140, %.1f at -175",
              throat_hi.pos_mm[2], throat_lo.pos_mm[2]);
    } else {
        CHECK(0, "rays along the neck's midline meet the skin");
    }
}

/* ====================================================================================== */
static void test_raycast_vs_brute(const surface *s)
{
    double lo[3], hi[3];
    surface_bounds(s, lo, hi);
    lcg_seed(2024);
    int n = 0, n_hit = 0, mism = 0;
    double worst = 0.0;
    for (int i = 0; i < 300; i++) {
        double o[3], target[3], d[3];
        if (i % 5 == 4) {
            /* from inside the skull, any direction */
            vec3_set(lcg_range(-20.0, 20.0), lcg_range(20.0, 60.0), lcg_range(-20.0, 20.0), o);
            lcg_unit(d);
        } else {
            double u[3];
            lcg_unit(u);
            vec3_scale(u, 320.0, o);
            for (int a = 0; a < 3; a++)
                target[a] = lcg_range(lo[a] - 10.0, hi[a] + 10.0);
            vec3_sub(target, o, d);
            vec3_normalize(d);
        }
        double tb;
        size_t tri;
        int hb = brute_raycast(s, o, d, &tb, &tri);
        surface_hit h;
        int hs = surface_raycast(s, o, d, &h);
        n++;
        if (hb != hs) {
            mism++;
            continue;
        }
        if (!hb)
            continue;
        n_hit++;
        double p[3];
        vec3_muladds(o, d, tb, p);
        double e = fmax(fabs(h.t_mm - tb), vec3_distance(p, h.pos_mm));
        if (e > worst) worst = e;
        if (e > 1e-4)
            mism++;
        if (fabs(vec3_norm(h.normal) - 1.0) > 1e-9)
            mism++;
    }
    printf("raycast vs brute force: %d rays, %d hits, worst |dt| %.2g mm\n", n, n_hit, worst);
    CHECK(mism == 0, "BVH raycast disagrees with brute force on %d of %d rays", mism, n);
    CHECK(n_hit > 100, "enough hits to mean something (%d)", n_hit);
}

static void test_closed_and_outward(const surface *s)
{
    const double centre[3] = { 0.0, 40.0, -5.0 };
    const int N = 4000;
    int misses = 0, inward = 0, cranium_hits = 0, from_inside_miss = 0;
    for (int i = 0; i < N; i++) {
        /* Fibonacci sphere of directions */
        double z = 1.0 - (2.0 * i + 1.0) / N, r = sqrt(1.0 - z * z), a = i * 2.39996322972865332;
        double u[3] = { r * cos(a), z, r * sin(a) }, o[3], d[3];
        vec3_muladds(centre, u, 400.0, o);
        vec3_scale(u, -1.0, d);
        surface_hit h;
        if (!surface_raycast(s, o, d, &h)) {
            misses++;
            continue;
        }
        if (region_is_scalp(h.region) || h.region == REGION_FOREHEAD) {
            double g[3];
            vec3_sub(h.pos_mm, centre, g);
            cranium_hits++;
            if (vec3_dot(h.normal, g) <= 0.0)
                inward++;
        }
        if (vec3_dot(h.normal, d) >= 0.0 && (region_is_scalp(h.region) || h.region == REGION_FOREHEAD))
            inward++;
        /* and from the centre outwards: something is always in the way */
        if (!surface_raycast(s, centre, u, &h))
            from_inside_miss++;
    }
    printf("closed: %d rays from all around, %d misses, %d cranium hits\n", N, misses, cranium_hits);
    CHECK(misses == 0, "rays from outside towards the centre missed: %d", misses);
    CHECK(from_inside_miss == 0, "rays from the centre outwards escaped: %d", from_inside_miss);
    CHECK(cranium_hits > N / 3, "cranium hits %d", cranium_hits);
    CHECK(inward == 0, "cranium normals pointing in: %d", inward);
}

/* ====================================================================================== */
static void test_chart_round_trip(const surface *s)
{
    int n = 0, bad = 0, region_bad = 0;
    double worst = 0.0, worst_pos = 0.0;
    for (double v = -200.0; v <= 200.0; v += 4.0) {
        for (double u = -200.0; u <= 200.0; u += 4.0) {
            surface_hit c, h;
            double uu = u + 0.37, vv = v + 0.61;   /* off the grid of the mesh rings */
            if (!surface_chart_point(s, uu, vv, &c))
                continue;
            n++;
            CHECK(c.region == surface_region_at_chart(s, uu, vv), "chart point region at (%g, %g)", uu, vv);
            double o[3], d[3];
            vec3_muladds(c.pos_mm, c.normal, 60.0, o);
            vec3_scale(c.normal, -1.0, d);
            if (!surface_raycast(s, o, d, &h)) {
                bad++;
                continue;
            }
            double e = hypot(h.chart_mm[0] - uu, h.chart_mm[1] - vv);
            double ep = vec3_distance(h.pos_mm, c.pos_mm);
            if (e > worst) worst = e;
            if (ep > worst_pos) worst_pos = ep;
            if (e > 0.3 || ep > 0.3) {
                if (bad < 5)
                    fprintf(stderr, "round trip (%g, %g): chart error %.3f mm, position %.3f mm (hit %s)\n",
                            uu, vv, e, ep, region_name(h.region));
                bad++;
            }
            if (h.region != surface_region_at_chart(s, h.chart_mm[0], h.chart_mm[1]))
                region_bad++;
        }
    }
    printf("chart round trip: %d points, worst chart error %.3f mm, worst position error %.3f mm\n",
           n, worst, worst_pos);
    CHECK(n > 2000, "round-trip points %d", n);
    CHECK(bad == 0, "round trips off by more than 0.3 mm: %d", bad);
    CHECK(region_bad == 0, "hit regions disagreeing with the chart: %d", region_bad);
    CHECK(!surface_chart_point(s, 0.0, 175.0, NULL), "below the brows is off the chart");
    CHECK(!surface_chart_point(s, NAN, 0.0, NULL), "NaN is off the chart");
    CHECK(surface_chart_point(s, 0.0, 137.0, NULL), "forehead just above the brows is on the chart");
}

/* ====================================================================================== */
#define GSTEP 2.0
#define GN 201   /* grid -200 .. 200 */

static void test_regions_and_areas(const surface *s)
{
    static uint8_t grid[GN][GN];
    static int label[GN][GN];
    double area[REGION_COUNT] = { 0 };
    int bad = 0;
    for (int j = 0; j < GN; j++) {
        for (int i = 0; i < GN; i++) {
            double u = -200.0 + GSTEP * i, v = -200.0 + GSTEP * j;
            region_id r = surface_region_at_chart(s, u, v);
            int on = surface_chart_point(s, u, v, NULL);
            grid[j][i] = (uint8_t)r;
            if ((r != REGION_NONE) != on || r == REGION_PRACTICE || r == REGION_FACE || r == REGION_EAR
                || r == REGION_NECK || (int)r >= REGION_COUNT)
                bad++;
            if (r != REGION_NONE)
                area[r] += surface_chart_area_scale(s, u, v) * GSTEP * GSTEP / 100.0;   /* cm^2 */
        }
    }
    CHECK(bad == 0, "chart points with no or a wrong region: %d", bad);
    /* connected components per region (4-neighbour flood fill) */
    memset(label, 0, sizeof label);
    int comps[REGION_COUNT] = { 0 };
    static int stack[GN * GN];
    int next = 0;
    for (int j = 0; j < GN; j++) {
        for (int i = 0; i < GN; i++) {
            if (grid[j][i] == REGION_NONE || label[j][i])
                continue;
            uint8_t r = grid[j][i];
            comps[r]++;
            label[j][i] = ++next;
            int sp = 0;
            stack[sp++] = j * GN + i;
            while (sp > 0) {
                int c = stack[--sp], cj = c / GN, ci = c % GN;
                const int dj[4] = { 1, -1, 0, 0 }, di[4] = { 0, 0, 1, -1 };
                for (int k = 0; k < 4; k++) {
                    int nj = cj + dj[k], ni = ci + di[k];
                    if (nj < 0 || nj >= GN || ni < 0 || ni >= GN) continue;
                    if (grid[nj][ni] != r || label[nj][ni]) continue;
                    label[nj][ni] = next;
                    stack[sp++] = nj * GN + ni;
                }
            }
        }
    }
    double scalp = 0.0;
    printf("region areas (cm^2):");
    for (int r = REGION_FRONTAL; r <= REGION_FOREHEAD; r++) {
        printf(" %s %.0f", region_name((region_id)r), area[r]);
        if (region_is_scalp((region_id)r)) {
            scalp += area[r];
            CHECK(area[r] > 5.0, "scalp region %s present (%.1f cm^2)", region_name((region_id)r), area[r]);
        }
        CHECK(comps[r] == 1, "region %s in %d pieces", region_name((region_id)r), comps[r]);
    }
    printf("; scalp total %.0f cm^2\n", scalp);
    /* the chart stops ~2 cm above the ears and over the occiput (a full scalp is ~500 cm^2,
     * model-defaults.md), so its scalp is most of that but not all */
    CHECK(scalp >= 380.0 && scalp <= 700.0, "scalp area %.0f cm^2", scalp);
    for (int r = REGION_FRONTAL; r <= REGION_VERTEX; r++)
        CHECK(area[r] >= 20.0 && area[r] <= 120.0, "%s area %.0f cm^2", region_name((region_id)r), area[r]);
    CHECK(fabs(area[REGION_TEMPORAL_L] - area[REGION_TEMPORAL_R]) < 0.02 * area[REGION_TEMPORAL_L] + 0.5,
          "temporal sides symmetric");
    CHECK(fabs(area[REGION_PARIETAL_L] - area[REGION_PARIETAL_R]) < 0.02 * area[REGION_PARIETAL_L] + 0.5,
          "parietal sides symmetric");

    /* the documented layout */
    struct { double u, v; region_id r; } probe[] = {
        { 0.0, 105.0, REGION_FOREHEAD }, { 0.0, 95.0, REGION_FRONTAL }, { 0.0, 138.0, REGION_FOREHEAD },
        { 50.0, 89.0, REGION_FOREHEAD }, { 50.0, 80.0, REGION_FRONTAL }, { -50.0, 80.0, REGION_FRONTAL },
        { 0.0, 60.0, REGION_FRONTAL }, { 0.0, 50.0, REGION_MID_SCALP }, { 30.0, 30.0, REGION_MID_SCALP },
        { 0.0, -30.0, REGION_VERTEX }, { 40.0, -30.0, REGION_VERTEX }, { 0.0, -100.0, REGION_OCCIPITAL },
        { 70.0, -20.0, REGION_PARIETAL_L }, { -70.0, -20.0, REGION_PARIETAL_R },
        { 100.0, 10.0, REGION_TEMPORAL_L }, { -100.0, 10.0, REGION_TEMPORAL_R },
    };
    for (size_t k = 0; k < sizeof probe / sizeof probe[0]; k++) {
        region_id r = surface_region_at_chart(s, probe[k].u, probe[k].v);
        CHECK(r == probe[k].r, "region at (%g, %g) is %s, want %s", probe[k].u, probe[k].v,
              region_name(r), region_name(probe[k].r));
    }
    /* the hairline on the midline is at v ~ 100, at |u| = 50 at v ~ 85 */
    double vh0 = 0.0, vh50 = 0.0;
    for (double v = 60.0; v < 160.0; v += 0.05) {
        if (vh0 == 0.0 && surface_region_at_chart(s, 0.0, v) == REGION_FOREHEAD) vh0 = v;
        if (vh50 == 0.0 && surface_region_at_chart(s, 50.0, v) == REGION_FOREHEAD) vh50 = v;
    }
    printf("hairline: v %.1f at u = 0, v %.1f at u = 50\n", vh0, vh50);
    CHECK(fabs(vh0 - 100.0) < 3.0, "midline hairline at v %.1f", vh0);
    CHECK(fabs(vh50 - 85.0) < 4.0, "hairline at u = 50 at v %.1f", vh50);
    CHECK_NEAR(surface_chart_area_scale(s, 0.0, 0.0), 1.0, 0.02, "area scale at the vertex");
    /* the per-axis scales: each is a length of a chart step, so their product bounds the
     * area scale from above (equal where the chart's axes meet square) */
    size_t odd = 0, n = 0;
    for (double v = -120.0; v <= 90.0; v += 15.0)
        for (double u = -90.0; u <= 90.0; u += 15.0) {
            if (!region_is_scalp(surface_region_at_chart(s, u, v)))
                continue;
            double su, sv, a = surface_chart_area_scale(s, u, v);
            surface_chart_scales(s, u, v, &su, &sv);
            odd += !(su * sv >= a * (1.0 - 1e-9) && su * sv <= 1.5 * a && su > 0.5 && sv > 0.5 && su < 1.5 && sv < 1.5);
            n++;
        }
    CHECK(n > 50 && odd == 0, "chart scales: %zu of %zu points inconsistent with the area scale", odd, n);
}

/* ====================================================================================== */
/* 3D distance between chart points 1 mm apart (in u and in v) over the scalp regions. The
 * top of the head (frontal, mid-scalp, crown, parietal) must stay within +-25 %; the low
 * sides and the back (temporal, occipital) within -30 % .. +25 %: no vertex-centred
 * azimuthal chart can go round a 160 mm wide head at a chart radius above ~110 mm
 * without squeezing it sideways (see surface.c). */
static void test_distortion(const surface *s)
{
    double lo[2] = { INFINITY, INFINITY }, hi[2] = { -INFINITY, -INFINITY };
    double lo_at[2][2] = { { 0 } }, hi_at[2][2] = { { 0 } };
    int n = 0;
    for (double v = -200.0; v <= 200.0; v += 1.0) {
        for (double u = -200.0; u <= 200.0; u += 1.0) {
            region_id r = surface_region_at_chart(s, u, v);
            if (!region_is_scalp(r))
                continue;
            int low = r == REGION_TEMPORAL_L || r == REGION_TEMPORAL_R || r == REGION_OCCIPITAL;
            surface_hit p, q;
            if (!surface_chart_point(s, u, v, &p))
                continue;
            for (int k = 0; k < 2; k++) {
                double u2 = u + (k == 0 ? 1.0 : 0.0), v2 = v + (k == 1 ? 1.0 : 0.0);
                if (!region_is_scalp(surface_region_at_chart(s, u2, v2)) || !surface_chart_point(s, u2, v2, &q))
                    continue;
                double d = vec3_distance(p.pos_mm, q.pos_mm);
                n++;
                if (d < lo[low]) { lo[low] = d; lo_at[low][0] = u; lo_at[low][1] = v; }
                if (d > hi[low]) { hi[low] = d; hi_at[low][0] = u; hi_at[low][1] = v; }
            }
        }
    }
    printf("chart distortion, 1 chart mm on the skin (%d pairs):\n"
           "  top (frontal, mid-scalp, vertex, parietal): %.3f .. %.3f mm (min at (%g, %g), max at (%g, %g))\n"
           "  low sides and back (temporal, occipital):   %.3f .. %.3f mm (min at (%g, %g), max at (%g, %g))\n",
           n, lo[0], hi[0], lo_at[0][0], lo_at[0][1], hi_at[0][0], hi_at[0][1],
           lo[1], hi[1], lo_at[1][0], lo_at[1][1], hi_at[1][0], hi_at[1][1]);
    CHECK(lo[0] >= 0.75 && hi[0] <= 1.25, "top-of-head chart distortion %.3f .. %.3f", lo[0], hi[0]);
    CHECK(lo[1] >= 0.70 && hi[1] <= 1.25, "low-side chart distortion %.3f .. %.3f", lo[1], hi[1]);
}

/* ====================================================================================== */
typedef struct pt2 { double x, z; } pt2;
static int cmp_pt2(const void *a, const void *b)
{
    const pt2 *p = a, *q = b;
    if (p->x != q->x) return p->x < q->x ? -1 : 1;
    if (p->z != q->z) return p->z < q->z ? -1 : 1;
    return 0;
}
static double cross2(pt2 o, pt2 a, pt2 b) { return (a.x - o.x) * (b.z - o.z) - (a.z - o.z) * (b.x - o.x); }

/* Slices the mesh (ears left out) with the plane y = Y and returns the perimeter of the
 * slice's convex hull: what a tape measure pulled round the head at that height reads. */
static double slice_circumference(const surface *s, double Y, double *length, double *breadth)
{
    const float *P = surface_positions(s);
    const uint32_t *I = surface_indices(s);
    const uint8_t *R = surface_triangle_regions(s);
    size_t nt = surface_triangle_count(s), n = 0, cap = 4096;
    pt2 *pts = malloc(cap * sizeof *pts);
    if (!pts)
        return 0.0;
    for (size_t t = 0; t < nt; t++) {
        if (R[t] == REGION_EAR)
            continue;
        for (int k = 0; k < 3; k++) {
            const float *a = P + 3 * (size_t)I[3 * t + (size_t)k];
            const float *b = P + 3 * (size_t)I[3 * t + (size_t)((k + 1) % 3)];
            double ya = (double)a[1] - Y, yb = (double)b[1] - Y;
            if ((ya < 0.0) == (yb < 0.0))
                continue;
            double f = ya / (ya - yb);
            if (n == cap) {
                cap *= 2;
                pt2 *np = realloc(pts, cap * sizeof *pts);
                if (!np) { free(pts); return 0.0; }
                pts = np;
            }
            pts[n].x = (double)a[0] + f * ((double)b[0] - (double)a[0]);
            pts[n].z = (double)a[2] + f * ((double)b[2] - (double)a[2]);
            n++;
        }
    }
    double per = 0.0;
    if (n >= 3) {
        qsort(pts, n, sizeof *pts, cmp_pt2);
        pt2 *hull = malloc(2 * n * sizeof *hull);
        size_t k = 0;
        if (hull) {
            for (size_t i = 0; i < n; i++) {
                while (k >= 2 && cross2(hull[k - 2], hull[k - 1], pts[i]) <= 0.0) k--;
                hull[k++] = pts[i];
            }
            for (size_t i = n - 1, lower = k + 1; i-- > 0;) {
                while (k >= lower && cross2(hull[k - 2], hull[k - 1], pts[i]) <= 0.0) k--;
                hull[k++] = pts[i];
            }
            double xmin = INFINITY, xmax = -INFINITY, zmin = INFINITY, zmax = -INFINITY;
            for (size_t i = 0; i + 1 < k; i++) {
                per += hypot(hull[i + 1].x - hull[i].x, hull[i + 1].z - hull[i].z);
                xmin = fmin(xmin, hull[i].x); xmax = fmax(xmax, hull[i].x);
                zmin = fmin(zmin, hull[i].z); zmax = fmax(zmax, hull[i].z);
            }
            *length = zmax - zmin;
            *breadth = xmax - xmin;
            free(hull);
        }
    }
    free(pts);
    return per;
}

static void test_circumference(const surface *s)
{
    surface_hit brow;
    CHECK(surface_chart_point(s, 0.0, 138.0, &brow), "the brows (0, 138) are on the chart");
    double Y = brow.pos_mm[1] + 10.0, len = 0.0, br = 0.0;
    double c = slice_circumference(s, Y, &len, &br);
    printf("circumference at y = %.1f mm (10 mm above the brows): %.1f mm; length %.1f, breadth %.1f mm\n",
           Y, c, len, br);
    CHECK(c >= 550.0 && c <= 590.0, "head circumference %.1f mm", c);
    CHECK(len >= 185.0 && len <= 210.0, "head length %.1f mm", len);
    /* the greatest breadth, anywhere above the ears */
    double maxbr = 0.0;
    for (double y = Y; y < 120.0; y += 5.0) {
        double l2, b2;
        slice_circumference(s, y, &l2, &b2);
        if (b2 > maxbr) maxbr = b2;
    }
    printf("greatest breadth %.1f mm\n", maxbr);
    CHECK(maxbr >= 150.0 && maxbr <= 165.0, "head breadth %.1f mm", maxbr);
}

/* ====================================================================================== */
static void bench(const surface *s)
{
    const int N = 200000;
    lcg_seed(77);
    double (*rays)[6] = malloc(sizeof(double[6]) * (size_t)N);
    if (!rays)
        return;
    for (int i = 0; i < N; i++) {
        double u[3], d[3], tgt[3] = { lcg_range(-60.0, 60.0), lcg_range(-40.0, 110.0), lcg_range(-80.0, 80.0) };
        lcg_unit(u);
        vec3_scale(u, 300.0, rays[i]);
        vec3_sub(tgt, rays[i], d);
        vec3_normalize(d);
        vec3_copy(d, rays[i] + 3);
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int hits = 0;
    for (int i = 0; i < N; i++) {
        surface_hit h;
        hits += surface_raycast(s, rays[i], rays[i] + 3, &h);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double sec = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    printf("bench: %d ray casts (%d hits) in %.3f s: %.0f rays/s\n", N, hits, sec, sec > 0.0 ? N / sec : 0.0);
    free(rays);
}

int main(void)
{
    test_names();
    test_practice();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    surface *head = surface_create(SURFACE_HEAD, 0.0, 0.0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(head != NULL, "head created");
    if (head) {
        printf("head created in %.3f s\n",
               (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
        CHECK(surface_get_kind(head) == SURFACE_HEAD, "kind");
        test_mesh_sanity(head);
        test_determinism(head);
        test_raycast_vs_brute(head);
        test_closed_and_outward(head);
        test_chart_round_trip(head);
        test_regions_and_areas(head);
        test_distortion(head);
        test_circumference(head);
        bench(head);
        surface_free(head);
    }
    return check_summary("test_surface");
}
