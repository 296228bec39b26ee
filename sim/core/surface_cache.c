/* surface_cache.c: see surface_cache.h.
 *
 * File layout (native byte order):
 *   "STPSURF1"  key[32]  u32 kind  u32 0  f64 width  f64 height
 *   u64 nv  u64 nt  u64 nnodes  u64 nstab  f64 bmin[3]  f64 bmax[3]          (HEADER_BYTES)
 *   f64 pos[3 nv]  f64 nrm[3 nv]  f64 chart[2 nv]  u32 idx[3 nt]  u8 treg[nt]
 *   u8 charted[nt]  bvh_node nodes[nnodes]  u32 tri_order[nt]  f64 stab[nstab]
 *   BLAKE2b-256 of all of the above
 * The float copies the renderer reads are made again from the doubles on loading. */
#include "surface_cache.h"
#include "surface_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "session_store.h"
#include "xdg.h"

#define MAGIC "STPSURF1"
#define HEADER_BYTES (8 + SURFACE_CACHE_KEY_BYTES + 8 + 16 + 32 + 48)
#define MAX_COUNT ((uint64_t)1 << 28)   /* vertices, triangles or nodes: far above the head's */
#define HEAD_STAB ((uint64_t)(TAB_NA + 1) * (TAB_NT + 1))

_Static_assert(sizeof(bvh_node) == 56, "bvh_node is written as it is in memory");

/* One array of the surface: where its pointer lives, the size of an element, how many. */
typedef struct slab {
    void **ptr;
    size_t elem;
    uint64_t count;
} slab;

enum { SLABS = 9 };

static void slabs_of(surface *s, uint64_t nstab, slab out[SLABS])
{
    slab t[SLABS] = {
        { (void **)&s->pos, sizeof(double), 3 * (uint64_t)s->nv },
        { (void **)&s->nrm, sizeof(double), 3 * (uint64_t)s->nv },
        { (void **)&s->chart, sizeof(double), 2 * (uint64_t)s->nv },
        { (void **)&s->idx, sizeof(uint32_t), 3 * (uint64_t)s->nt },
        { (void **)&s->treg, 1, (uint64_t)s->nt },
        { (void **)&s->tcharted, 1, (uint64_t)s->nt },
        { (void **)&s->nodes, sizeof(bvh_node), (uint64_t)s->nnodes },
        { (void **)&s->tri_order, sizeof(uint32_t), (uint64_t)s->nt },
        { (void **)&s->stab, sizeof(double), nstab },
    };
    memcpy(out, t, sizeof t);
}

static void put(uint8_t **p, const void *v, size_t n)
{
    memcpy(*p, v, n);
    *p += n;
}

static void get(const uint8_t **p, void *v, size_t n)
{
    memcpy(v, *p, n);
    *p += n;
}

static void header_of(const surface *s, const uint8_t key[SURFACE_CACHE_KEY_BYTES], uint64_t nstab,
                      uint8_t h[HEADER_BYTES])
{
    uint8_t *p = h;
    uint32_t kind = (uint32_t)s->kind, zero = 0;
    uint64_t nv = s->nv, nt = s->nt, nn = s->nnodes;
    put(&p, MAGIC, 8);
    put(&p, key, SURFACE_CACHE_KEY_BYTES);
    put(&p, &kind, 4);
    put(&p, &zero, 4);
    put(&p, &s->width, 8);
    put(&p, &s->height, 8);
    put(&p, &nv, 8);
    put(&p, &nt, 8);
    put(&p, &nn, 8);
    put(&p, &nstab, 8);
    put(&p, s->bmin, 24);
    put(&p, s->bmax, 24);
}

static uint64_t stab_count(const surface *s)
{
    return s->stab ? HEAD_STAB : 0;
}

void surface_digest(const surface *s, uint8_t out[32])
{
    static const uint8_t no_key[SURFACE_CACHE_KEY_BYTES];
    uint8_t h[HEADER_BYTES];
    surface *m = (surface *)s;   /* slabs_of takes the pointers' addresses; nothing is written */
    uint64_t nstab = stab_count(s);
    header_of(s, no_key, nstab, h);
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, h, sizeof h);
    slab sl[SLABS];
    slabs_of(m, nstab, sl);
    for (int i = 0; i < SLABS; i++)
        if (sl[i].count)
            crypto_generichash_update(&st, (const uint8_t *)*sl[i].ptr, sl[i].elem * sl[i].count);
    crypto_generichash_final(&st, out, 32);
}

int surface_cache_save(const surface *s, const char *path, const uint8_t key[SURFACE_CACHE_KEY_BYTES], char *err,
                       size_t errlen)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof tmp) {
        snprintf(err, errlen, "%s: path too long", path);
        return -1;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    uint64_t nstab = stab_count(s);
    uint8_t h[HEADER_BYTES];
    header_of(s, key, nstab, h);
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, h, sizeof h);
    int ok = fwrite(h, 1, sizeof h, f) == sizeof h;
    slab sl[SLABS];
    slabs_of((surface *)s, nstab, sl);
    for (int i = 0; ok && i < SLABS; i++) {
        size_t n = sl[i].elem * (size_t)sl[i].count;
        if (!n)
            continue;
        crypto_generichash_update(&st, (const uint8_t *)*sl[i].ptr, n);
        ok = fwrite(*sl[i].ptr, 1, n, f) == n;
    }
    uint8_t sum[32];
    crypto_generichash_final(&st, sum, sizeof sum);
    ok = ok && fwrite(sum, 1, sizeof sum, f) == sizeof sum;
    int e = errno;
    if (fclose(f) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = 0;
        e = errno;
    }
    if (!ok) {
        snprintf(err, errlen, "%s: %s", path, strerror(e ? e : EIO));
        unlink(tmp);
        return -1;
    }
    return 0;
}

static int all_finite(const double *x, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return 0;
    return 1;
}

/* Every index in range, and the BVH a tree whose children come after their parent and
 * whose depth fits the ray cast's stack (surface.c: 2 * BVH_MAXDEPTH + 8 entries). */
static const char *invalid(const surface *s, uint64_t nstab)
{
    if (!all_finite(s->pos, 3 * (uint64_t)s->nv) || !all_finite(s->nrm, 3 * (uint64_t)s->nv) ||
        !all_finite(s->chart, 2 * (uint64_t)s->nv) || !all_finite(s->stab, nstab) || !all_finite(s->bmin, 3) ||
        !all_finite(s->bmax, 3))
        return "a coordinate that is not a finite number";
    for (uint64_t i = 0; i < 3 * (uint64_t)s->nt; i++)
        if (s->idx[i] >= s->nv)
            return "a triangle corner past the last vertex";
    for (uint64_t i = 0; i < s->nt; i++) {
        if (s->treg[i] >= REGION_COUNT || s->tcharted[i] > 1)
            return "a triangle region that does not exist";
        if (s->tri_order[i] >= s->nt)
            return "a triangle order entry past the last triangle";
    }
    uint8_t *depth = calloc(s->nnodes, 1);
    if (!depth)
        return "out of memory";
    const char *why = NULL;
    for (uint64_t i = 0; i < s->nnodes && !why; i++) {
        const bvh_node *n = &s->nodes[i];
        if (!all_finite(n->lo, 3) || !all_finite(n->hi, 3))
            why = "a bounding box that is not finite";
        else if (n->count > 0) {
            if ((uint64_t)n->first + n->count > s->nt)
                why = "a BVH leaf past the last triangle";
        } else if ((uint64_t)n->first <= i || (uint64_t)n->first + 1 >= s->nnodes) {
            why = "a BVH node whose children are out of order";
        } else if (depth[i] >= BVH_MAXDEPTH) {
            why = "a BVH deeper than the ray cast allows";
        } else {
            uint8_t d = (uint8_t)(depth[i] + 1);
            if (depth[n->first] < d) depth[n->first] = d;
            if (depth[n->first + 1] < d) depth[n->first + 1] = d;
        }
    }
    free(depth);
    return why;
}

surface *surface_cache_load(const char *path, surface_kind kind, double width_mm, double height_mm,
                            const uint8_t key[SURFACE_CACHE_KEY_BYTES], char *err, size_t errlen)
{
    err[0] = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno != ENOENT)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > SURFACE_CACHE_MAX_BYTES) {
        snprintf(err, errlen, "%s: not a regular file of at most %llu bytes", path,
                 (unsigned long long)SURFACE_CACHE_MAX_BYTES);
        fclose(f);
        return NULL;
    }
    uint8_t h[HEADER_BYTES];
    if (fread(h, 1, sizeof h, f) != sizeof h || memcmp(h, MAGIC, 8) != 0) {
        snprintf(err, errlen, "%s: not a Stipple surface file", path);
        fclose(f);
        return NULL;
    }
    const uint8_t *p = h + 8;
    uint8_t fkey[SURFACE_CACHE_KEY_BYTES];
    uint32_t fkind, zero;
    double fw, fh;
    uint64_t nv, nt, nn, nstab;
    get(&p, fkey, sizeof fkey);
    get(&p, &fkind, 4);
    get(&p, &zero, 4);
    get(&p, &fw, 8);
    get(&p, &fh, 8);
    get(&p, &nv, 8);
    get(&p, &nt, 8);
    get(&p, &nn, 8);
    get(&p, &nstab, 8);
    if (sodium_memcmp(fkey, key, SURFACE_CACHE_KEY_BYTES) != 0) {
        snprintf(err, errlen, "%s: made by another build of Stipple", path);
        fclose(f);
        return NULL;
    }
    if (fkind != (uint32_t)kind || memcmp(&fw, &width_mm, 8) != 0 || memcmp(&fh, &height_mm, 8) != 0) {
        snprintf(err, errlen, "%s: made for another surface", path);
        fclose(f);
        return NULL;
    }
    if (nv == 0 || nt == 0 || nn == 0 || nv > MAX_COUNT || nt > MAX_COUNT || nn > 2 * MAX_COUNT ||
        nstab != (kind == SURFACE_HEAD ? HEAD_STAB : 0)) {
        snprintf(err, errlen, "%s: counts out of range", path);
        fclose(f);
        return NULL;
    }
    uint64_t want = HEADER_BYTES + 8 * 8 * nv + (12 + 1 + 1 + 4) * nt + sizeof(bvh_node) * nn + 8 * nstab + 32;
    if ((uint64_t)sb.st_size != want) {
        snprintf(err, errlen, "%s: %llu bytes where its header says %llu (cut short?)", path,
                 (unsigned long long)sb.st_size, (unsigned long long)want);
        fclose(f);
        return NULL;
    }
    surface *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        fclose(f);
        return NULL;
    }
    s->kind = kind;
    s->width = fw;
    s->height = fh;
    s->nv = (size_t)nv;
    s->nt = (size_t)nt;
    s->nnodes = (size_t)nn;
    p = h + HEADER_BYTES - 48;
    get(&p, s->bmin, 24);
    get(&p, s->bmax, 24);
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, h, sizeof h);
    slab sl[SLABS];
    slabs_of(s, nstab, sl);
    const char *why = NULL;
    for (int i = 0; i < SLABS && !why; i++) {
        size_t n = sl[i].elem * (size_t)sl[i].count;
        if (!n)
            continue;
        *sl[i].ptr = malloc(n);
        if (!*sl[i].ptr)
            why = "out of memory";
        else if (fread(*sl[i].ptr, 1, n, f) != n)
            why = "cut short while reading";
        else
            crypto_generichash_update(&st, (const uint8_t *)*sl[i].ptr, n);
    }
    uint8_t sum[32], stored[32];
    crypto_generichash_final(&st, sum, sizeof sum);
    if (!why && (fread(stored, 1, sizeof stored, f) != sizeof stored || sodium_memcmp(sum, stored, 32) != 0))
        why = "damaged: its hash does not match its content";
    fclose(f);
    if (!why)
        why = invalid(s, nstab);
    if (!why) {
        s->pos_f = malloc(sizeof(float) * 3 * s->nv);
        s->nrm_f = malloc(sizeof(float) * 3 * s->nv);
        s->chart_f = malloc(sizeof(float) * 2 * s->nv);
        if (!s->pos_f || !s->nrm_f || !s->chart_f)
            why = "out of memory";
    }
    if (why) {
        snprintf(err, errlen, "%s: %s", path, why);
        surface_free(s);
        return NULL;
    }
    for (size_t i = 0; i < 3 * s->nv; i++) {
        s->pos_f[i] = (float)s->pos[i];
        s->nrm_f[i] = (float)s->nrm[i];
    }
    for (size_t i = 0; i < 2 * s->nv; i++)
        s->chart_f[i] = (float)s->chart[i];
    return s;
}

/* ---- the cache folder ------------------------------------------------------------------ */

/* The key: BLAKE2b of the running executable, so a rebuilt program never reads a surface an
 * older one made. 0, or -1 when the executable cannot be read. */
static int exe_key(uint8_t key[SURFACE_CACHE_KEY_BYTES])
{
    FILE *f = fopen("/proc/self/exe", "rb");
    if (!f)
        return -1;
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, SURFACE_CACHE_KEY_BYTES);
    static const char domain[] = "stipple surface cache 1";
    crypto_generichash_update(&st, (const uint8_t *)domain, sizeof domain);
    uint8_t buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        crypto_generichash_update(&st, buf, n);
    int bad = ferror(f);
    fclose(f);
    crypto_generichash_final(&st, key, SURFACE_CACHE_KEY_BYTES);
    return bad ? -1 : 0;
}

static int cache_dir(char *out, size_t n)
{
    return xdg_stipple_path(XDG_CACHE, NULL, out, n) == 0 ? 0 : -1;
}

/* Keeps the SURFACE_CACHE_KEEP surface files touched last (a read touches its file), and
 * removes temporary files more than an hour old (a save that was killed). */
static void prune(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct { char name[256]; time_t mtime; } keep[SURFACE_CACHE_KEEP + 1];
    int nkeep = 0;
    time_t now = time(NULL);
    struct dirent *e;
    char path[4400];
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        int surf = len > 8 && len < 256 && strcmp(e->d_name + len - 8, ".surface") == 0;
        int tmp = strstr(e->d_name, ".surface.tmp.") != NULL;
        if (!surf && !tmp)
            continue;
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        if (tmp) {
            if (now - sb.st_mtime > 3600)
                unlink(path);
            continue;
        }
        /* insert by mtime, newest first; the one pushed past the end is removed */
        int i = nkeep;
        while (i > 0 && keep[i - 1].mtime < sb.st_mtime) {
            keep[i] = keep[i - 1];
            i--;
        }
        snprintf(keep[i].name, sizeof keep[i].name, "%s", e->d_name);
        keep[i].mtime = sb.st_mtime;
        if (++nkeep > SURFACE_CACHE_KEEP) {
            snprintf(path, sizeof path, "%s/%s", dir, keep[SURFACE_CACHE_KEEP].name);
            unlink(path);
            nkeep = SURFACE_CACHE_KEEP;
        }
    }
    closedir(d);
}

surface *surface_open(surface_kind kind, double width_mm, double height_mm, int *from_cache)
{
    if (from_cache)
        *from_cache = 0;
    const char *off = getenv("STIPPLE_SURFACE_CACHE");
    char dir[4096], path[4400], err[4600];
    uint8_t key[SURFACE_CACHE_KEY_BYTES];
    if (kind != SURFACE_HEAD || (off && strcmp(off, "0") == 0) || cache_dir(dir, sizeof dir) != 0 || exe_key(key) != 0)
        return surface_create(kind, width_mm, height_mm);
    char hex[2 * 8 + 1];
    sodium_bin2hex(hex, sizeof hex, key, 8);
    snprintf(path, sizeof path, "%s/head-%s.surface", dir, hex);
    surface *s = surface_cache_load(path, kind, width_mm, height_mm, key, err, sizeof err);
    if (s) {
        utimensat(AT_FDCWD, path, NULL, 0);   /* used: pruned last */
        if (from_cache)
            *from_cache = 1;
        return s;
    }
    if (err[0])
        fprintf(stderr, "stipple: warning: the saved head %s; building it again\n", err);
    s = surface_create(kind, width_mm, height_mm);
    if (!s)
        return NULL;
    if (make_dirs_0700(dir) != 0)
        fprintf(stderr, "stipple: warning: %s: %s (the head is built at every start)\n", dir, strerror(errno));
    else if (surface_cache_save(s, path, key, err, sizeof err) != 0)
        fprintf(stderr, "stipple: warning: %s (the head is built at every start)\n", err);
    else
        prune(dir);
    return s;
}
