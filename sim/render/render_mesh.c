/* render_mesh.c: see render_mesh.h. */
#include "render_mesh.h"

#include "head_shape.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- decimation -----------------------------------------------------------------------
 * The core's head mesh (~135k triangles, 2-3 mm edges) is made for ray casts. Drawing it
 * costs llvmpipe ~10 ms of vertex and set-up work a frame, and the dots do not need it: they
 * live in a chart-space texture. So the skin is drawn from a coarser copy made by vertex
 * clustering: vertices of one connected part that fall in the same RENDER_CELL_MM cube
 * become one, at their mean; scalp vertices are then put back on the true surface at their
 * mean chart point (surface_chart_point), so the texture and the crisp dots stay aligned.
 * The face's and the ears' parts are clustered finer (their relief is small: lids, lips,
 * the helix): most of the ~40k triangles drawn; the chunks below leave them out of views
 * that do not see them. Each part is meshed whole by the core, so the face's back, the
 * ears' roots and the neck's top lie buried in the cranium: those are not drawn at all
 * (~30k triangles; see "buried skin").
 * Surfaces already coarse (the practice skin) are drawn as they are. */
#define RENDER_CELL_MM 5.0
#define RENDER_DECIMATE_ABOVE 20000      /* triangles */
#define RENDER_FINE_FACTOR 0.4            /* cell of the face and ears, over RENDER_CELL_MM */

void render_mesh_free(render_mesh *m)
{
    free(m->pos);
    free(m->nrm);
    free(m->chart);
    free(m->idx);
    memset(m, 0, sizeof *m);
}

static uint32_t uf_find(uint32_t *parent, uint32_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static uint64_t hash64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Open-addressing map from a non-zero 64-bit key to an index; cap a power of two. */
static uint32_t map_get(uint64_t *keys, uint32_t *vals, size_t cap, uint64_t key, uint32_t fresh, int *added)
{
    size_t i = (size_t)hash64(key) & (cap - 1);
    while (keys[i] && keys[i] != key)
        i = (i + 1) & (cap - 1);
    *added = !keys[i];
    if (!keys[i]) {
        keys[i] = key;
        vals[i] = fresh;
    }
    return vals[i];
}

/* ---- the occluder ----------------------------------------------------------------------
 * An ellipsoid inside the charted part (the cranium): its bounding box's, shrunk until every
 * vertex of the part (the core's and the drawn mesh's) lies outside it, less a margin for
 * the chords between vertices. Made for the head only, whose parts are closed (each is meshed
 * whole, pole to pole: test_render_mesh checks): then a line of sight from outside that
 * reaches the ellipsoid has crossed the drawn skin first. */
#define OCCLUDER_MARGIN_MM 1.5
#define OCCLUDER_MIN_AXIS_MM 20.0

static double ellipsoid_radius(const double c[3], const double a[3], const float *p)
{
    double q = 0.0;
    for (int k = 0; k < 3; k++) {
        double d = ((double)p[k] - c[k]) / a[k];
        q += d * d;
    }
    return sqrt(q);
}

/* in_part: the core's vertices of the charted part; drawn_in_part: the drawn mesh's. */
static mesh_occluder make_occluder(const surface *s, const uint8_t *vert_in_part, const render_mesh *drawn,
                                   const uint8_t *drawn_in_part)
{
    mesh_occluder o = { 0 };
    size_t nv = surface_vertex_count(s);
    const float *P = surface_positions(s);
    double lo[3] = { INFINITY, INFINITY, INFINITY }, hi[3] = { -INFINITY, -INFINITY, -INFINITY };
    for (size_t i = 0; i < nv; i++)
        for (int k = 0; k < 3 && vert_in_part[i]; k++) {
            lo[k] = fmin(lo[k], (double)P[3 * i + (size_t)k]);
            hi[k] = fmax(hi[k], (double)P[3 * i + (size_t)k]);
        }
    /* the bounding box's ellipsoid, its centre moved and its axes stretched over a coarse
     * grid (on a sample of the vertices), the one that can grow the largest kept */
    double c[3], a[3], best = -1.0;
    size_t nin = 0;
    for (size_t i = 0; i < nv; i++)
        nin += vert_in_part[i];
    size_t step = nin / 2000 + 1, ns = 0;
    float *sample = malloc((nin / step + 1) * 3 * sizeof *sample);
    if (!sample)
        return o;
    for (size_t i = 0, n = 0; i < nv; i++)
        if (vert_in_part[i] && n++ % step == 0)
            memcpy(sample + 3 * ns++, P + 3 * i, 3 * sizeof *sample);
    for (int iy = -4; iy <= 4; iy++)
        for (int iz = -2; iz <= 2; iz++)
            for (int sy = 0; sy < 5; sy++)
                for (int sz = 0; sz < 3; sz++) {
                    double cc[3] = { 0.5 * (lo[0] + hi[0]), 0.5 * (lo[1] + hi[1]) + iy * 0.08 * (hi[1] - lo[1]),
                                     0.5 * (lo[2] + hi[2]) + iz * 0.05 * (hi[2] - lo[2]) };
                    double aa[3] = { 0.5 * (hi[0] - lo[0]), 0.5 * (hi[1] - lo[1]) * (0.6 + 0.1 * sy),
                                     0.5 * (hi[2] - lo[2]) * (0.9 + 0.05 * sz) };
                    double sc = INFINITY;
                    for (size_t i = 0; i < ns; i++)
                        sc = fmin(sc, ellipsoid_radius(cc, aa, sample + 3 * i));
                    double vol = sc * sc * sc * aa[0] * aa[1] * aa[2];
                    if (vol > best) {
                        best = vol;
                        memcpy(c, cc, sizeof c);
                        memcpy(a, aa, sizeof a);
                    }
                }
    free(sample);
    double scale = INFINITY;
    for (size_t i = 0; i < nv; i++)
        if (vert_in_part[i])
            scale = fmin(scale, ellipsoid_radius(c, a, P + 3 * i));
    for (size_t i = 0; i < drawn->nv; i++)
        if (drawn_in_part[i])
            scale = fmin(scale, ellipsoid_radius(c, a, drawn->pos + 3 * i));
    for (int k = 0; k < 3; k++) {
        double axis = a[k] * scale - OCCLUDER_MARGIN_MM;
        if (!(axis > OCCLUDER_MIN_AXIS_MM))
            return o;
        o.center[k] = (float)c[k];
        o.axes[k] = (float)axis;
    }
    o.valid = 1;
    return o;
}

int mesh_occluder_hides(const mesh_occluder *o, const double eye[3], const double center[3], double radius)
{
    if (!o || !o->valid)
        return 0;
    /* in the ellipsoid's own space it is the unit sphere; lines stay lines, so what it hides
     * stays hidden; the sphere becomes an ellipsoid inside a sphere of radius / least axis */
    double e[3], w[3], L2 = 0.0, amin = INFINITY;
    for (int k = 0; k < 3; k++) {
        e[k] = (eye[k] - (double)o->center[k]) / (double)o->axes[k];
        w[k] = (center[k] - (double)o->center[k]) / (double)o->axes[k] - e[k];
        L2 += e[k] * e[k];
        amin = fmin(amin, (double)o->axes[k]);
    }
    double rho = radius / amin, L = sqrt(L2);
    double dw = sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
    if (L <= 1.0 + 1e-9 || dw <= rho)
        return 0;
    /* the sphere must lie inside the unit sphere's shadow cone (apex the eye, half-angle
     * asin(1/L)) and wholly beyond the plane of the circle where the cone touches it: then
     * every line of sight to it enters the unit sphere first */
    double t = -(w[0] * e[0] + w[1] * e[1] + w[2] * e[2]) / L;      /* along the axis, eye -> centre */
    if (t - rho < L - 1.0 / L)
        return 0;
    double ang = acos(fmax(-1.0, fmin(1.0, t / dw)));
    return ang + asin(rho / dw) <= asin(1.0 / L);
}

/* ---- buried skin -------------------------------------------------------------------------
 * The head's parts are meshed whole, each closed: the face's back, the ears' roots and the
 * neck's top lie inside the cranium, where no line of sight reaches them. A drawn triangle
 * whose three vertices all lie inside one other part (deeper than BURIED_MARGIN_MM, more
 * than a triangle bows off its vertices) is left out. */
#define BURIED_MARGIN_MM 0.5

/* How far p lies inside part q's skin (mm; negative outside), or -INFINITY when p is at its
 * centre or farther from it than beyond (no need to look: outside). */
static double depth_in_part(const part *q, const float p[3], double beyond)
{
    double d[3] = { (double)p[0] - q->c[0], (double)p[1] - q->c[1], (double)p[2] - q->c[2] };
    double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    if (r < 1e-9 || r >= beyond)
        return -INFINITY;
    for (int a = 0; a < 3; a++)
        d[a] /= r;
    return part_radius(q, d) - r;
}

/* Which of the parts (bits) hold p deeper than the margin, its own part left out; reach[k]:
 * the farthest of part k's skin from its centre. */
static unsigned buried_in(const part *parts, const double reach[HEAD_PART_COUNT], int own, const float p[3])
{
    unsigned mask = 0;
    for (int k = 0; k < HEAD_PART_COUNT; k++)
        if (k != own && depth_in_part(&parts[k], p, reach[k]) > BURIED_MARGIN_MM)
            mask |= 1u << k;
    return mask;
}

/* The part whose skin p (a vertex of the core's mesh) lies on. */
static int part_of_vertex(const part *parts, const float p[3])
{
    int best = 0;
    double err = INFINITY;
    for (int k = 0; k < HEAD_PART_COUNT; k++) {
        double e = fabs(depth_in_part(&parts[k], p, INFINITY));
        if (e < err) {
            err = e;
            best = k;
        }
    }
    return best;
}

/* 0 on success; -1 when out of memory or the surface cannot be clustered (then the caller
 * draws the surface's own mesh). */
static int render_mesh_build(const surface *s, double cell_mm, render_mesh *out)
{
    size_t nv = surface_vertex_count(s), nt = surface_triangle_count(s);
    const float *P = surface_positions(s), *N = surface_normals(s), *C = surface_charts(s);
    const uint32_t *I = surface_indices(s);
    const uint8_t *R = surface_triangle_regions(s);
    double lo[3], hi[3];
    surface_bounds(s, lo, hi);
    for (int a = 0; a < 3; a++)
        if ((hi[a] - lo[a]) / (cell_mm * RENDER_FINE_FACTOR) > 2000.0)
            return -1;
    memset(out, 0, sizeof *out);
    size_t cap = 1;
    while (cap < 2 * (nv > nt ? nv : nt) + 16)
        cap *= 2;
    int rc = -1;
    uint32_t *parent = malloc(nv * sizeof *parent), *cl = malloc(nv * sizeof *cl);
    uint64_t *keys = calloc(cap, sizeof *keys);
    uint32_t *vals = malloc(cap * sizeof *vals);
    double *acc = calloc(nv * 8, sizeof *acc);      /* pos 3, nrm 3, chart 2 per cluster */
    uint32_t *cnt = calloc(nv, sizeof *cnt);
    out->idx = malloc(nt * 3 * sizeof *out->idx);
    if (!parent || !cl || !keys || !vals || !acc || !cnt || !out->idx)
        goto done;
    /* connected parts, so that parts that intersect (ears, nose, neck) never merge */
    for (uint32_t i = 0; i < (uint32_t)nv; i++)
        parent[i] = i;
    uint32_t scalp_root = UINT32_MAX;
    for (size_t t = 0; t < nt; t++) {
        uint32_t a = uf_find(parent, I[3 * t]);
        for (int k = 1; k < 3; k++) {
            uint32_t b = uf_find(parent, I[3 * t + (size_t)k]);
            if (a != b)
                parent[b] = a;
        }
    }
    for (size_t t = 0; t < nt && scalp_root == UINT32_MAX; t++)
        if (R && region_is_scalp((region_id)R[t]))
            scalp_root = uf_find(parent, I[3 * t]);
    /* the face and the ears keep their relief (brows, lids, lips, helix): finer cells for
     * the vertices of their triangles (a bit of the key keeps the two grids apart) */
    uint8_t *fine = calloc(nv, 1);
    if (!fine)
        goto done;
    for (size_t t = 0; t < nt; t++)
        if (R && (R[t] == REGION_FACE || R[t] == REGION_EAR))
            for (int k = 0; k < 3; k++)
                fine[I[3 * t + (size_t)k]] = 1;
    /* clusters */
    size_t ncl = 0;
    for (size_t i = 0; i < nv; i++) {
        uint32_t root = uf_find(parent, (uint32_t)i);
        uint64_t key = ((uint64_t)root << 33) | ((uint64_t)fine[i] << 62);
        double cell_here = fine[i] ? cell_mm * RENDER_FINE_FACTOR : cell_mm;
        for (int a = 0; a < 3; a++)
            key |= (uint64_t)(floor(((double)P[3 * i + (size_t)a] - lo[a]) / cell_here) + 1.0) << (22 - 11 * a);
        key |= 1ULL << 63;
        int added;
        cl[i] = map_get(keys, vals, cap, key, (uint32_t)ncl, &added);
        if (added)
            ncl++;
        double *q = acc + 8 * (size_t)cl[i];
        for (int a = 0; a < 3; a++) {
            q[a] += (double)P[3 * i + (size_t)a];
            q[3 + a] += (double)N[3 * i + (size_t)a];
        }
        q[6] += (double)C[2 * i];
        q[7] += (double)C[2 * i + 1];
        cnt[cl[i]]++;
    }
    free(fine);
    out->pos = malloc(ncl * 3 * sizeof(float));
    out->nrm = malloc(ncl * 3 * sizeof(float));
    out->chart = malloc(ncl * 2 * sizeof(float));
    if (!out->pos || !out->nrm || !out->chart)
        goto done;
    /* which clusters are on the scalp's part (charted: put back on the true surface) */
    uint8_t *on_scalp = calloc(ncl, 1);
    if (!on_scalp)
        goto done;
    for (size_t i = 0; i < nv; i++)
        if (scalp_root != UINT32_MAX && uf_find(parent, (uint32_t)i) == scalp_root)
            on_scalp[cl[i]] = 1;
    for (size_t c = 0; c < ncl; c++) {
        double *q = acc + 8 * c, k = 1.0 / (double)cnt[c];
        double p[3] = { q[0] * k, q[1] * k, q[2] * k }, n[3] = { q[3], q[4], q[5] };
        double u = q[6] * k, v = q[7] * k;
        surface_hit h;
        if (on_scalp[c] && surface_chart_point(s, u, v, &h) &&
            hypot(hypot(h.pos_mm[0] - p[0], h.pos_mm[1] - p[1]), h.pos_mm[2] - p[2]) < cell_mm) {
            memcpy(p, h.pos_mm, sizeof p);
            memcpy(n, h.normal, sizeof n);
        }
        double nl = sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
        for (int a = 0; a < 3; a++) {
            out->pos[3 * c + (size_t)a] = (float)p[a];
            out->nrm[3 * c + (size_t)a] = (float)(nl > 0.0 ? n[a] / nl : 0.0);
        }
        out->chart[2 * c] = (float)u;
        out->chart[2 * c + 1] = (float)v;
    }
    out->nv = ncl;
    if (scalp_root != UINT32_MAX && surface_get_kind(s) == SURFACE_HEAD) {
        uint8_t *vin = malloc(nv);
        if (vin) {
            for (size_t i = 0; i < nv; i++)
                vin[i] = uf_find(parent, (uint32_t)i) == scalp_root;
            out->occluder = make_occluder(s, vin, out, on_scalp);
        }
        free(vin);
    }
    free(on_scalp);
    /* which clusters lie buried in another part (the head only) */
    unsigned *buried = NULL;
    if (surface_get_kind(s) == SURFACE_HEAD) {
        part parts[HEAD_PART_COUNT];
        head_parts(parts);
        buried = calloc(ncl ? ncl : 1, sizeof *buried);
        int *root_part = malloc(nv * sizeof *root_part);
        if (!buried || !root_part) {
            free(buried);
            free(root_part);
            goto done;
        }
        for (size_t i = 0; i < nv; i++)
            root_part[i] = -1;
        double reach[HEAD_PART_COUNT] = { 0 };
        for (size_t i = 0; i < nv; i++) {
            uint32_t root = uf_find(parent, (uint32_t)i);
            if (root_part[root] < 0)
                root_part[root] = part_of_vertex(parts, P + 3 * (size_t)root);
            const part *q = &parts[root_part[root]];
            reach[root_part[root]] = fmax(reach[root_part[root]],
                                          hypot(hypot((double)P[3 * i] - q->c[0], (double)P[3 * i + 1] - q->c[1]),
                                                (double)P[3 * i + 2] - q->c[2]));
        }
        int *per_cluster = malloc((ncl ? ncl : 1) * sizeof *per_cluster);
        if (!per_cluster) {
            free(buried);
            free(root_part);
            goto done;
        }
        for (size_t i = 0; i < nv; i++)
            per_cluster[cl[i]] = root_part[uf_find(parent, (uint32_t)i)];
        for (size_t c = 0; c < ncl; c++)
            buried[c] = buried_in(parts, reach, per_cluster[c], out->pos + 3 * c);
        free(per_cluster);
        free(root_part);
    }
    /* triangles: drop the collapsed ones, the buried ones and the duplicates */
    memset(keys, 0, cap * sizeof *keys);
    for (size_t t = 0; t < nt; t++) {
        uint32_t a = cl[I[3 * t]], b = cl[I[3 * t + 1]], c = cl[I[3 * t + 2]];
        if (a == b || b == c || a == c)
            continue;
        if (buried && (buried[a] & buried[b] & buried[c]))
            continue;
        uint32_t lo3 = a < b ? (a < c ? a : c) : (b < c ? b : c);
        uint32_t hi3 = a > b ? (a > c ? a : c) : (b > c ? b : c);
        uint32_t mid = a ^ b ^ c ^ lo3 ^ hi3;
        int added;
        map_get(keys, vals, cap, (1ULL << 63) | ((uint64_t)lo3 << 42) | ((uint64_t)mid << 21) | hi3, 0, &added);
        if (!added)
            continue;
        /* clustering can fold a triangle over; turn it to face the way its vertices'
         * normals do, or back-face culling leaves a hole */
        const float *pa = out->pos + 3 * (size_t)a, *pb = out->pos + 3 * (size_t)b, *pc = out->pos + 3 * (size_t)c;
        float e1[3], e2[3], fn[3], vn = 0.0f;
        for (int k = 0; k < 3; k++) {
            e1[k] = pb[k] - pa[k];
            e2[k] = pc[k] - pa[k];
        }
        fn[0] = e1[1] * e2[2] - e1[2] * e2[1];
        fn[1] = e1[2] * e2[0] - e1[0] * e2[2];
        fn[2] = e1[0] * e2[1] - e1[1] * e2[0];
        for (int k = 0; k < 3; k++)
            vn += fn[k] * (out->nrm[3 * (size_t)a + (size_t)k] + out->nrm[3 * (size_t)b + (size_t)k]
                           + out->nrm[3 * (size_t)c + (size_t)k]);
        out->idx[3 * out->nt] = a;
        out->idx[3 * out->nt + 1] = vn < 0.0f ? c : b;
        out->idx[3 * out->nt + 2] = vn < 0.0f ? b : c;
        out->nt++;
    }
    free(buried);
    rc = 0;
done:
    free(parent);
    free(cl);
    free(keys);
    free(vals);
    free(acc);
    free(cnt);
    if (rc != 0)
        render_mesh_free(out);
    return rc;
}


/* ---- chunks ----------------------------------------------------------------------------
 * Triangles are binned by the way they face (24 bins: the cube's 6 faces, each cut in 2 x 2,
 * so a bin's normals lie within ~40 degrees of its mean) and by where they are (cubes of
 * CHUNK_MM): about 1,400 chunks on the head, drawn nearest first in one call. */
#define CHUNK_MM 24.0
#define NORMAL_BINS 25                  /* 24, and one for degenerate triangles */

static int normal_bin(const double n[3])
{
    double ax = fabs(n[0]), ay = fabs(n[1]), az = fabs(n[2]);
    int k = ax >= ay && ax >= az ? 0 : ay >= az ? 1 : 2;
    double m = fabs(n[k]);
    if (!(m > 0.0))
        return NORMAL_BINS - 1;
    double s = n[(k + 1) % 3] / m, t = n[(k + 2) % 3] / m;
    return (2 * k + (n[k] < 0.0)) * 4 + (s >= 0.0) * 2 + (t >= 0.0);
}

static void face_normal(const float *pos, const uint32_t *tri, double n[3])
{
    const float *a = pos + 3 * (size_t)tri[0], *b = pos + 3 * (size_t)tri[1], *c = pos + 3 * (size_t)tri[2];
    double e1[3] = { b[0] - a[0], b[1] - a[1], b[2] - a[2] }, e2[3] = { c[0] - a[0], c[1] - a[1], c[2] - a[2] };
    n[0] = e1[1] * e2[2] - e1[2] * e2[1];
    n[1] = e1[2] * e2[0] - e1[0] * e2[2];
    n[2] = e1[0] * e2[1] - e1[1] * e2[0];
    double l = sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
    for (int k = 0; k < 3; k++)
        n[k] = l > 0.0 ? n[k] / l : 0.0;
}

/* Orders m's triangles by chunk and describes each chunk. 0, or -1 out of memory. */
static int make_chunks(render_mesh *m, mesh_chunk **out, size_t *nout)
{
    double lo[3] = { INFINITY, INFINITY, INFINITY }, hi[3] = { -INFINITY, -INFINITY, -INFINITY };
    for (size_t i = 0; i < m->nv; i++)
        for (int k = 0; k < 3; k++) {
            lo[k] = fmin(lo[k], (double)m->pos[3 * i + (size_t)k]);
            hi[k] = fmax(hi[k], (double)m->pos[3 * i + (size_t)k]);
        }
    int g[3];
    for (int k = 0; k < 3; k++)
        g[k] = m->nv ? (int)((hi[k] - lo[k]) / CHUNK_MM) + 1 : 1;
    size_t ncell = (size_t)g[0] * (size_t)g[1] * (size_t)g[2], nkey = ncell * NORMAL_BINS;
    uint32_t *key = malloc((m->nt ? m->nt : 1) * sizeof *key), *start = calloc(nkey + 1, sizeof *start);
    uint32_t *idx = malloc((m->nt ? m->nt : 1) * 3 * sizeof *idx);
    if (!key || !start || !idx)
        goto fail;
    for (size_t t = 0; t < m->nt; t++) {
        const uint32_t *tri = m->idx + 3 * t;
        double n[3], c[3];
        face_normal(m->pos, tri, n);
        size_t cell = 0;
        for (int k = 2; k >= 0; k--) {
            c[k] = ((double)m->pos[3 * (size_t)tri[0] + (size_t)k] + (double)m->pos[3 * (size_t)tri[1] + (size_t)k] +
                    (double)m->pos[3 * (size_t)tri[2] + (size_t)k]) / 3.0;
            int ck = (int)((c[k] - lo[k]) / CHUNK_MM);
            ck = ck < 0 ? 0 : ck >= g[k] ? g[k] - 1 : ck;
            cell = cell * (size_t)g[k] + (size_t)ck;
        }
        key[t] = (uint32_t)((size_t)normal_bin(n) * ncell + cell);
        start[key[t] + 1]++;
    }
    size_t nchunks = 0;
    for (size_t k = 0; k < nkey; k++) {
        nchunks += start[k + 1] != 0;
        start[k + 1] += start[k];
    }
    mesh_chunk *ch = calloc(nchunks ? nchunks : 1, sizeof *ch);
    if (!ch)
        goto fail;
    /* triangles in key order (stable: each chunk keeps the mesh's order) */
    for (size_t t = 0; t < m->nt; t++)
        memcpy(idx + 3 * (size_t)start[key[t]]++, m->idx + 3 * t, 3 * sizeof *idx);
    memcpy(m->idx, idx, m->nt * 3 * sizeof *idx);
    /* start[k] is now the end of key k's triangles */
    size_t c = 0;
    for (size_t k = 0, begin = 0; k < nkey; k++) {
        size_t end = start[k];
        if (end == begin)
            continue;
        mesh_chunk *q = &ch[c++];
        q->first = (uint32_t)(begin * 3);
        q->count = (uint32_t)((end - begin) * 3);
        double blo[3] = { INFINITY, INFINITY, INFINITY }, bhi[3] = { -INFINITY, -INFINITY, -INFINITY }, ax[3] = { 0, 0, 0 };
        for (size_t i = q->first; i < q->first + q->count; i++)
            for (int a = 0; a < 3; a++) {
                blo[a] = fmin(blo[a], (double)m->pos[3 * (size_t)m->idx[i] + (size_t)a]);
                bhi[a] = fmax(bhi[a], (double)m->pos[3 * (size_t)m->idx[i] + (size_t)a]);
            }
        double r2 = 0.0;
        for (size_t i = q->first; i < q->first + q->count; i++) {
            double d2 = 0.0;
            for (int a = 0; a < 3; a++) {
                double d = (double)m->pos[3 * (size_t)m->idx[i] + (size_t)a] - 0.5 * (blo[a] + bhi[a]);
                d2 += d * d;
            }
            r2 = fmax(r2, d2);
        }
        for (int a = 0; a < 3; a++)
            q->center[a] = (float)(0.5 * (blo[a] + bhi[a]));
        /* a little over, for the float rounding of the centre */
        q->radius = (float)(sqrt(r2) * 1.0001 + 1e-3);
        int degenerate = k / ncell == NORMAL_BINS - 1;
        for (size_t t = q->first / 3; t < (q->first + q->count) / 3; t++) {
            double n[3];
            face_normal(m->pos, m->idx + 3 * t, n);
            for (int a = 0; a < 3; a++)
                ax[a] += n[a];
        }
        double al = sqrt(ax[0] * ax[0] + ax[1] * ax[1] + ax[2] * ax[2]);
        double cone = 4.0;   /* over pi/2: never culled as facing away */
        if (!degenerate && al > 1e-9) {
            cone = 0.0;
            for (size_t t = q->first / 3; t < (q->first + q->count) / 3; t++) {
                double n[3];
                face_normal(m->pos, m->idx + 3 * t, n);
                double d = (n[0] * ax[0] + n[1] * ax[1] + n[2] * ax[2]) / al;
                cone = fmax(cone, acos(fmax(-1.0, fmin(1.0, d))));
            }
            cone += 1e-3;
        }
        for (int a = 0; a < 3; a++)
            q->axis[a] = (float)(al > 1e-9 ? ax[a] / al : 0.0);
        q->cone_rad = (float)cone;
        begin = end;
    }
    free(key);
    free(start);
    free(idx);
    *out = ch;
    *nout = c;
    return 0;
fail:
    free(key);
    free(start);
    free(idx);
    return -1;
}

/* Vertices renumbered in the order the (chunk-ordered) triangles first use them, so that a
 * chunk's vertices lie together: a range drawn fetches and shades its own vertices, not a
 * span across the whole buffer. 0, or -1 out of memory. */
static int order_vertices(render_mesh *m)
{
    uint32_t *map = malloc((m->nv ? m->nv : 1) * sizeof *map);
    float *pos = malloc((m->nv ? m->nv : 1) * 3 * sizeof *pos), *nrm = malloc((m->nv ? m->nv : 1) * 3 * sizeof *nrm);
    float *chart = malloc((m->nv ? m->nv : 1) * 2 * sizeof *chart);
    if (!map || !pos || !nrm || !chart) {
        free(map);
        free(pos);
        free(nrm);
        free(chart);
        return -1;
    }
    memset(map, 0xff, m->nv * sizeof *map);
    uint32_t n = 0;
    for (size_t i = 0; i < m->nt * 3; i++) {
        uint32_t v = m->idx[i];
        if (map[v] == UINT32_MAX) {
            map[v] = n;
            memcpy(pos + 3 * (size_t)n, m->pos + 3 * (size_t)v, 3 * sizeof *pos);
            memcpy(nrm + 3 * (size_t)n, m->nrm + 3 * (size_t)v, 3 * sizeof *nrm);
            memcpy(chart + 2 * (size_t)n, m->chart + 2 * (size_t)v, 2 * sizeof *chart);
            n++;
        }
        m->idx[i] = map[v];
    }
    free(map);
    free(m->pos);
    free(m->nrm);
    free(m->chart);
    m->pos = pos;
    m->nrm = nrm;
    m->chart = chart;
    m->nv = n;    /* vertices no triangle uses are dropped */
    return 0;
}

int render_mesh_make(const surface *s, render_mesh *out, mesh_chunk **chunks, size_t *nchunks)
{
    *chunks = NULL;
    *nchunks = 0;
    if (surface_triangle_count(s) <= RENDER_DECIMATE_ABOVE || render_mesh_build(s, RENDER_CELL_MM, out) != 0) {
        size_t nv = surface_vertex_count(s), nt = surface_triangle_count(s);
        memset(out, 0, sizeof *out);
        out->pos = malloc((nv ? nv : 1) * 3 * sizeof(float));
        out->nrm = malloc((nv ? nv : 1) * 3 * sizeof(float));
        out->chart = malloc((nv ? nv : 1) * 2 * sizeof(float));
        out->idx = malloc((nt ? nt : 1) * 3 * sizeof(uint32_t));
        if (!out->pos || !out->nrm || !out->chart || !out->idx) {
            render_mesh_free(out);
            return -1;
        }
        memcpy(out->pos, surface_positions(s), nv * 3 * sizeof(float));
        memcpy(out->nrm, surface_normals(s), nv * 3 * sizeof(float));
        memcpy(out->chart, surface_charts(s), nv * 2 * sizeof(float));
        memcpy(out->idx, surface_indices(s), nt * 3 * sizeof(uint32_t));
        out->nv = nv;
        out->nt = nt;
    }
    if (make_chunks(out, chunks, nchunks) != 0 || order_vertices(out) != 0) {
        free(*chunks);
        *chunks = NULL;
        render_mesh_free(out);
        return -1;
    }
    return 0;
}

render_mesh_prepared *render_mesh_prepare(const surface *s)
{
    render_mesh_prepared *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    if (render_mesh_make(s, &p->mesh, &p->chunks, &p->nchunks) != 0) {
        free(p);
        return NULL;
    }
    p->surface = s;
    return p;
}

void render_mesh_prepared_free(render_mesh_prepared *p)
{
    if (!p)
        return;
    render_mesh_free(&p->mesh);
    free(p->chunks);
    free(p);
}

typedef struct near_chunk { double d; uint32_t i; } near_chunk;

static int cmp_near(const void *x, const void *y)
{
    const near_chunk *a = x, *b = y;
    return a->d < b->d ? -1 : a->d > b->d ? 1 : (a->i > b->i) - (a->i < b->i);
}

/* ---- per frame -------------------------------------------------------------------------- */

size_t render_mesh_visible(const mesh_chunk *chunks, size_t nchunks, const mesh_occluder *occ, const float mvp[16],
                           const double eye[3], int32_t *counts, uint32_t *firsts, void *scratch)
{
    near_chunk *order = scratch;
    /* the view's six planes (Gribb and Hartmann): row 3 of the matrix plus or minus rows 0-2 */
    double pl[6][4];
    for (int p = 0; p < 6; p++) {
        int row = p / 2;
        double sign = p % 2 ? -1.0 : 1.0;
        for (int c = 0; c < 4; c++)
            pl[p][c] = (double)mvp[4 * c + 3] + sign * (double)mvp[4 * c + row];
        double l = sqrt(pl[p][0] * pl[p][0] + pl[p][1] * pl[p][1] + pl[p][2] * pl[p][2]);
        for (int c = 0; c < 4 && l > 0.0; c++)
            pl[p][c] /= l;
    }
    size_t n = 0;
    for (size_t i = 0; i < nchunks; i++) {
        const mesh_chunk *q = &chunks[i];
        double c[3] = { q->center[0], q->center[1], q->center[2] }, r = q->radius;
        double v[3] = { c[0] - eye[0], c[1] - eye[1], c[2] - eye[2] };
        double d = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        int seen = 1;
        for (int p = 0; p < 6 && seen; p++)
            seen = pl[p][0] * c[0] + pl[p][1] * c[1] + pl[p][2] * c[2] + pl[p][3] >= -r;
        if (seen && q->cone_rad < 1.5707963) {
            /* facing away: the angle between any face normal and the direction from the eye
             * to any of its points is under 90 degrees (cone + the sphere's angular radius +
             * the angle between the axis and the direction to the centre) */
            if (d > r) {
                double spread = (double)q->cone_rad + asin(r / d);
                double cosang = ((double)q->axis[0] * v[0] + (double)q->axis[1] * v[1] + (double)q->axis[2] * v[2]) / d;
                if (spread < 1.5707963 && cosang > sin(spread))
                    seen = 0;
            }
        }
        if (seen)
            seen = !mesh_occluder_hides(occ, eye, c, r);
        if (!seen)
            continue;
        order[n].d = d - r;
        order[n].i = (uint32_t)i;
        n++;
    }
    /* nearest first: what a near chunk hides fails the depth test before it is shaded
     * (drawn in the mesh's order, hidden skin was shaded and then covered) */
    qsort(order, n, sizeof *order, cmp_near);
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        const mesh_chunk *q = &chunks[order[k].i];
        if (m && firsts[m - 1] + (uint32_t)counts[m - 1] == q->first) {
            counts[m - 1] += (int32_t)q->count;
        } else {
            firsts[m] = q->first;
            counts[m] = (int32_t)q->count;
            m++;
        }
    }
    return m;
}
