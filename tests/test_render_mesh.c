/* test_render_mesh.c: the skin mesh the renderer draws leaves out only skin no one can see.
 * - The occluder (an ellipsoid inside the cranium): every vertex of every chunk it hides,
 *   from eyes all round the head and near and far, has skin in front of it on the line of
 *   sight (a ray cast on the core's surface), and from above it hides the chin and the neck.
 * - The buried triangles (the face's back, the ears' roots, the neck's top inside the
 *   cranium) are gone: no drawn triangle lies deep inside another part; yet rays from all
 *   round meet the drawn mesh where they meet the true skin (no holes).
 * - Made ahead on a worker thread (render_mesh_prepare, as the app does at start), the mesh
 *   is the same, bit for bit.
 * Needs no GL. The occluder relies on the head's mesh being closed: checked here. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "rng.h"

#ifndef STIPPLE_HAVE_APP
int main(void)
{
    printf("SKIP: built without the app (no renderer)\n");
    return 77;
}
#else
#include "head_shape.h"
#include "render_mesh.h"
#include "surface.h"

typedef struct prep_job {
    const surface        *s;
    render_mesh_prepared *out;
} prep_job;

static void *prepare_main(void *arg)
{
    prep_job *j = arg;
    j->out = render_mesh_prepare(j->s);
    return NULL;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* Edges of the core's mesh used by other than two triangles (a closed mesh has none). */
static size_t open_edges(const surface *s)
{
    size_t nt = surface_triangle_count(s), n = 0, bad = 0;
    const uint32_t *I = surface_indices(s);
    uint64_t *e = malloc(nt * 3 * sizeof *e);
    if (!e)
        return SIZE_MAX;
    for (size_t t = 0; t < nt; t++)
        for (int k = 0; k < 3; k++) {
            uint64_t a = I[3 * t + (size_t)k], b = I[3 * t + (size_t)(k + 1) % 3];
            e[n++] = a < b ? a << 32 | b : b << 32 | a;
        }
    qsort(e, n, sizeof *e, cmp_u64);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && e[j] == e[i])
            j++;
        bad += j - i != 2;
        i = j;
    }
    free(e);
    return bad;
}

static double dist3(const double a[3], const double b[3])
{
    return sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

static void random_dir(rng_state *g, double d[3])
{
    double l;
    do {
        for (int k = 0; k < 3; k++)
            d[k] = 2.0 * rng_uniform(g) - 1.0;
        l = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    } while (l < 0.1 || l > 1.0);
    for (int k = 0; k < 3; k++)
        d[k] /= l;
}

/* Nearest hit of a ray on the drawn mesh (Moller-Trumbore over every triangle), or INFINITY. */
static double ray_mesh(const render_mesh *m, const double o[3], const double d[3])
{
    double best = INFINITY;
    for (size_t t = 0; t < m->nt; t++) {
        const float *a = m->pos + 3 * (size_t)m->idx[3 * t], *b = m->pos + 3 * (size_t)m->idx[3 * t + 1],
                    *c = m->pos + 3 * (size_t)m->idx[3 * t + 2];
        double e1[3], e2[3], p[3], s[3], q[3];
        for (int k = 0; k < 3; k++) {
            e1[k] = (double)b[k] - (double)a[k];
            e2[k] = (double)c[k] - (double)a[k];
            s[k] = o[k] - (double)a[k];
        }
        p[0] = d[1] * e2[2] - d[2] * e2[1];
        p[1] = d[2] * e2[0] - d[0] * e2[2];
        p[2] = d[0] * e2[1] - d[1] * e2[0];
        double det = e1[0] * p[0] + e1[1] * p[1] + e1[2] * p[2];
        if (fabs(det) < 1e-12)
            continue;
        double u = (s[0] * p[0] + s[1] * p[1] + s[2] * p[2]) / det;
        if (u < 0.0 || u > 1.0)
            continue;
        q[0] = s[1] * e1[2] - s[2] * e1[1];
        q[1] = s[2] * e1[0] - s[0] * e1[2];
        q[2] = s[0] * e1[1] - s[1] * e1[0];
        double v = (d[0] * q[0] + d[1] * q[1] + d[2] * q[2]) / det;
        if (v < 0.0 || u + v > 1.0)
            continue;
        double tt = (e2[0] * q[0] + e2[1] * q[1] + e2[2] * q[2]) / det;
        if (tt > 0.0 && tt < best)
            best = tt;
    }
    return best;
}

/* The parts (bits) that hold p deeper than 1 mm, the part whose skin is nearest it left out. */
static unsigned parts_holding(const part *parts, const float pf[3])
{
    double p[3] = { pf[0], pf[1], pf[2] }, depth[HEAD_PART_COUNT];
    int own = 0;
    for (int k = 0; k < HEAD_PART_COUNT; k++) {
        double d[3] = { p[0] - parts[k].c[0], p[1] - parts[k].c[1], p[2] - parts[k].c[2] };
        double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        for (int a = 0; a < 3; a++)
            d[a] /= r;
        depth[k] = part_radius(&parts[k], d) - r;
        if (fabs(depth[k]) < fabs(depth[own]))
            own = k;
    }
    unsigned mask = 0;
    for (int k = 0; k < HEAD_PART_COUNT; k++)
        if (k != own && depth[k] > 1.0)
            mask |= 1u << k;
    return mask;
}

int main(void)
{
    surface *s = surface_create(SURFACE_HEAD, 0.0, 0.0);
    CHECK(s != NULL, "head surface");
    if (!s)
        return check_summary("test_render_mesh");
    /* the occluder needs the head's parts closed (each meshed whole, pole to pole) */
    size_t open = open_edges(s);
    CHECK(open == 0, "the head's mesh has %zu edges not shared by exactly two triangles", open);
    render_mesh m;
    mesh_chunk *chunks;
    size_t nchunks;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(render_mesh_make(s, &m, &chunks, &nchunks) == 0, "render mesh");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("render_mesh_make: %.1f ms\n", (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-6);
    CHECK(m.occluder.valid, "the head has an occluder");
    printf("drawn mesh: %zu triangles (the core's %zu), %zu chunks; occluder centre (%.1f, %.1f, %.1f) axes "
           "(%.1f, %.1f, %.1f) mm\n", m.nt, surface_triangle_count(s), nchunks, (double)m.occluder.center[0],
           (double)m.occluder.center[1], (double)m.occluder.center[2], (double)m.occluder.axes[0],
           (double)m.occluder.axes[1], (double)m.occluder.axes[2]);

    /* hidden means hidden: eyes all round, 60-800 mm from the cranium's centre */
    rng_state g;
    rng_seed(20261205, &g);
    size_t hidden_chunks = 0, checked = 0, wrong = 0;
    for (int e = 0; e < 120; e++) {
        double dir[3], eye[3];
        random_dir(&g, dir);
        double r = 140.0 + 660.0 * rng_uniform(&g) * rng_uniform(&g);
        for (int k = 0; k < 3; k++)
            eye[k] = HEAD_CRANIUM_CENTRE[k] + r * dir[k];
        /* an eye inside the skin sees nothing: skip those */
        surface_hit h;
        double back[3] = { -dir[0], -dir[1], -dir[2] };
        if (!surface_raycast(s, eye, back, &h))
            continue;
        for (size_t c = 0; c < nchunks; c++) {
            double centre[3] = { chunks[c].center[0], chunks[c].center[1], chunks[c].center[2] };
            if (!mesh_occluder_hides(&m.occluder, eye, centre, (double)chunks[c].radius))
                continue;
            hidden_chunks++;
            for (uint32_t i = chunks[c].first; i < chunks[c].first + chunks[c].count; i += 7) {
                const float *v = m.pos + 3 * (size_t)m.idx[i];
                double p[3] = { v[0], v[1], v[2] }, d[3];
                double len = dist3(p, eye);
                for (int k = 0; k < 3; k++)
                    d[k] = (p[k] - eye[k]) / len;
                checked++;
                /* something in front of it: a hit well short of it */
                if (!surface_raycast(s, eye, d, &h) || h.t_mm > len - 1.0)
                    wrong++;
            }
        }
    }
    printf("occluder: %zu chunk views hidden, %zu vertices checked, %zu in plain sight\n", hidden_chunks, checked,
           wrong);
    CHECK(hidden_chunks > 1000, "the occluder hides chunks (%zu)", hidden_chunks);
    CHECK(wrong == 0, "%zu vertices of hidden chunks are in plain sight", wrong);

    /* from above the crown, 150 mm up: the chin and the neck's front are hidden */
    double above[3] = { HEAD_CRANIUM_CENTRE[0], HEAD_CRANIUM_CENTRE[1] + 250.0, HEAD_CRANIUM_CENTRE[2] };
    size_t low = 0, low_hidden = 0;
    for (size_t c = 0; c < nchunks; c++) {
        if (chunks[c].center[1] > -60.0f)
            continue;
        low++;
        double centre[3] = { chunks[c].center[0], chunks[c].center[1], chunks[c].center[2] };
        low_hidden += mesh_occluder_hides(&m.occluder, above, centre, (double)chunks[c].radius) != 0;
    }
    CHECK(low > 0 && low_hidden * 2 > low, "from above, %zu of %zu chunks below the jaw hidden", low_hidden, low);

    /* buried skin: no drawn triangle lies wholly inside another part (its three corners over
     * 1 mm deep in one) */
    part parts[HEAD_PART_COUNT];
    head_parts(parts);
    size_t deep = 0;
    for (size_t t = 0; t < m.nt; t++) {
        unsigned mask = ~0u;
        for (int k = 0; k < 3; k++)
            mask &= parts_holding(parts, m.pos + 3 * (size_t)m.idx[3 * t + (size_t)k]);
        deep += mask != 0;
    }
    CHECK(deep == 0, "%zu drawn triangles lie inside another part", deep);

    /* and no holes: rays from all round meet the drawn mesh where they meet the skin */
    size_t rays = 0, holes = 0;
    for (int i = 0; i < 1500; i++) {
        double dir[3], o[3], d[3], aim[3];
        random_dir(&g, dir);
        random_dir(&g, aim);
        for (int k = 0; k < 3; k++) {
            o[k] = HEAD_CRANIUM_CENTRE[k] + 400.0 * dir[k];
            /* towards a point round the head, so that rays graze it too */
            d[k] = HEAD_CRANIUM_CENTRE[k] + 70.0 * aim[k] - o[k];
        }
        double l = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        for (int k = 0; k < 3; k++)
            d[k] /= l;
        surface_hit h;
        if (!surface_raycast(s, o, d, &h))
            continue;
        rays++;
        double t = ray_mesh(&m, o, d);
        /* the drawn mesh is coarser (5 mm cells; 2 mm on the face): near the true skin */
        if (!(fabs(t - h.t_mm) < 4.0))
            holes++;
    }
    printf("rays: %zu met the skin; %zu met the drawn mesh more than 4 mm away or not at all\n", rays, holes);
    CHECK(rays > 500, "rays meet the head (%zu)", rays);
    CHECK(holes * 100 <= rays, "%zu of %zu rays see no drawn skin where the skin is", holes, rays);

    /* made ahead on a worker thread (the app's start: render_mesh_prepare while the window
     * opens), the mesh is the very one render_mesh_make gives: same arrays, bit for bit */
    prep_job job = { s, NULL };
    pthread_t th;
    CHECK(pthread_create(&th, NULL, prepare_main, &job) == 0, "worker thread");
    pthread_join(th, NULL);
    const render_mesh_prepared *p = job.out;
    CHECK(p && p->surface == s, "render_mesh_prepare on a worker thread");
    if (p) {
        int same = p->mesh.nv == m.nv && p->mesh.nt == m.nt && p->nchunks == nchunks &&
                   !memcmp(p->mesh.pos, m.pos, m.nv * 3 * sizeof(float)) &&
                   !memcmp(p->mesh.nrm, m.nrm, m.nv * 3 * sizeof(float)) &&
                   !memcmp(p->mesh.chart, m.chart, m.nv * 2 * sizeof(float)) &&
                   !memcmp(p->mesh.idx, m.idx, m.nt * 3 * sizeof(uint32_t)) &&
                   !memcmp(p->chunks, chunks, nchunks * sizeof *chunks) &&
                   !memcmp(&p->mesh.occluder, &m.occluder, sizeof m.occluder);
        CHECK(same, "the mesh made ahead differs from render_mesh_make's (%zu/%zu vertices, %zu/%zu triangles, "
              "%zu/%zu chunks)", p->mesh.nv, m.nv, p->mesh.nt, m.nt, p->nchunks, nchunks);
    }
    render_mesh_prepared_free(job.out);
    render_mesh_prepared_free(NULL);

    free(chunks);
    render_mesh_free(&m);
    surface_free(s);
    return check_summary("test_render_mesh");
}
#endif
