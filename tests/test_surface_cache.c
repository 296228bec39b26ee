/* test_surface_cache.c: the head written to a file and read back is the head, bit for bit;
 * a file from another build, for another surface, damaged, cut short, or hand-made with
 * a right hash and a wrong index is refused with a message; surface_open() reads the
 * cache when it can, builds and saves when it cannot, and keeps the folder small. */
#include "surface.h"
#include "surface_cache.h"
#include "surface_internal.h"
#include "check.h"

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static char dir[256];

static void path_in(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

static long file_size(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 ? (long)sb.st_size : -1;
}

static void flip_byte(const char *p, long at)
{
    FILE *f = fopen(p, "r+b");
    fseek(f, at, SEEK_SET);
    int c = fgetc(f);
    fseek(f, at, SEEK_SET);
    fputc(c ^ 0x10, f);
    fclose(f);
}

/* the same rays hit the same points, normals, charts and regions, bit for bit */
static int same_hits(const surface *a, const surface *b, int rays)
{
    uint64_t x = 12345;
    for (int i = 0; i < rays; i++) {
        double o[3], d[3], len = 0.0;
        for (int k = 0; k < 3; k++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            d[k] = (double)(x >> 11) / 9007199254740992.0 - 0.5;
            len += d[k] * d[k];
        }
        len = sqrt(len);
        for (int k = 0; k < 3; k++) {
            d[k] /= len;
            o[k] = -400.0 * d[k];
        }
        surface_hit ha, hb;
        memset(&ha, 0, sizeof ha);
        memset(&hb, 0, sizeof hb);
        int ra = surface_raycast(a, o, d, &ha), rb = surface_raycast(b, o, d, &hb);
        if (ra != rb || memcmp(&ha, &hb, sizeof ha) != 0)
            return 0;
    }
    return 1;
}

static int count_files(const char *suffix)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name), ls = strlen(suffix);
        n += l > ls && strcmp(e->d_name + l - ls, suffix) == 0;
    }
    if (d)
        closedir(d);
    return n;
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/stipple-surface-cache-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    surface *s = surface_create(SURFACE_HEAD, 0.0, 0.0);
    CHECK(s != NULL, "the head builds");
    if (!s)
        return check_summary("test_surface_cache");
    uint8_t d0[32], d1[32], key[32], other[32];
    surface_digest(s, d0);
    memset(key, 7, sizeof key);
    memset(other, 8, sizeof other);
    char p[512], err[1024];
    path_in(p, sizeof p, "head.surface");

    /* round trip */
    CHECK(surface_cache_save(s, p, key, err, sizeof err) == 0, "save: %s", err);
    surface *l = surface_cache_load(p, SURFACE_HEAD, 0.0, 0.0, key, err, sizeof err);
    CHECK(l != NULL, "load: %s", err);
    if (l) {
        surface_digest(l, d1);
        CHECK(memcmp(d0, d1, 32) == 0, "the loaded head's content equals the built one's");
        size_t nv = surface_vertex_count(s);
        CHECK(nv == surface_vertex_count(l) && surface_triangle_count(s) == surface_triangle_count(l),
              "same vertex and triangle counts");
        CHECK(memcmp(surface_positions(s), surface_positions(l), 3 * nv * sizeof(float)) == 0 &&
                  memcmp(surface_normals(s), surface_normals(l), 3 * nv * sizeof(float)) == 0 &&
                  memcmp(surface_charts(s), surface_charts(l), 2 * nv * sizeof(float)) == 0,
              "the renderer's float copies are the same");
        CHECK(same_hits(s, l, 3000), "3000 rays hit both the same, bit for bit");
        surface_hit ca, cb;
        memset(&ca, 0, sizeof ca);
        memset(&cb, 0, sizeof cb);
        int ra = surface_chart_point(s, 20.0, 60.0, &ca), rb = surface_chart_point(l, 20.0, 60.0, &cb);
        CHECK(ra && ra == rb && memcmp(&ca, &cb, sizeof ca) == 0, "a chart point (arc table) is the same");
        surface_free(l);
    }
    /* the digest sees a one-bit change */
    s->pos[3 * (s->nv / 2)] += 1e-9;
    surface_digest(s, d1);
    CHECK(memcmp(d0, d1, 32) != 0, "the digest changes with one coordinate");
    s->pos[3 * (s->nv / 2)] -= 1e-9;

    /* refusals */
    l = surface_cache_load(p, SURFACE_HEAD, 0.0, 0.0, other, err, sizeof err);
    CHECK(!l && strstr(err, "another build"), "another key: %s", err);
    l = surface_cache_load(p, SURFACE_PRACTICE_SKIN, 100.0, 100.0, key, err, sizeof err);
    CHECK(!l && strstr(err, "another surface"), "another surface: %s", err);
    char q[512];
    path_in(q, sizeof q, "none.surface");
    l = surface_cache_load(q, SURFACE_HEAD, 0.0, 0.0, key, err, sizeof err);
    CHECK(!l && err[0] == 0, "a missing file is no error: '%s'", err);
    long size = file_size(p);
    flip_byte(p, size / 2);
    l = surface_cache_load(p, SURFACE_HEAD, 0.0, 0.0, key, err, sizeof err);
    CHECK(!l && strstr(err, "damaged") && strstr(err, p), "one byte changed: %s", err);
    CHECK(truncate(p, size - 1) == 0, "truncate");
    l = surface_cache_load(p, SURFACE_HEAD, 0.0, 0.0, key, err, sizeof err);
    CHECK(!l && strstr(err, "cut short"), "one byte short: %s", err);
    FILE *f = fopen(p, "wb");
    fputs("not a surface at all", f);
    fclose(f);
    l = surface_cache_load(p, SURFACE_HEAD, 0.0, 0.0, key, err, sizeof err);
    CHECK(!l && strstr(err, "not a Stipple surface"), "text: %s", err);

    /* hand-made files with right hashes: each bad index is found */
    uint32_t keep_idx = s->idx[5];
    s->idx[5] = (uint32_t)s->nv;
    CHECK(surface_cache_save(s, p, key, err, sizeof err) == 0, "save: %s", err);
    s->idx[5] = keep_idx;
    l = surface_cache_load(p, SURFACE_HEAD, 0.0, 0.0, key, err, sizeof err);
    CHECK(!l && strstr(err, "past the last vertex"), "a corner out of range: %s", err);
    uint32_t keep_first = s->nodes[0].first;
    s->nodes[0].first = 0;   /* the root its own child: a ray cast would loop */
    surface_cache_save(s, p, key, err, sizeof err);
    s->nodes[0].first = keep_first;
    l = surface_cache_load(p, SURFACE_HEAD, 0.0, 0.0, key, err, sizeof err);
    CHECK(!l && strstr(err, "out of order"), "a BVH cycle: %s", err);
    uint8_t keep_reg = s->treg[3];
    s->treg[3] = REGION_COUNT;
    surface_cache_save(s, p, key, err, sizeof err);
    s->treg[3] = keep_reg;
    l = surface_cache_load(p, SURFACE_HEAD, 0.0, 0.0, key, err, sizeof err);
    CHECK(!l && strstr(err, "region"), "a region that does not exist: %s", err);
    double keep_pos = s->pos[10];
    s->pos[10] = NAN;
    surface_cache_save(s, p, key, err, sizeof err);
    s->pos[10] = keep_pos;
    l = surface_cache_load(p, SURFACE_HEAD, 0.0, 0.0, key, err, sizeof err);
    CHECK(!l && strstr(err, "finite"), "a NaN: %s", err);
    unlink(p);

    /* surface_open: built and saved, then read; a damaged file is built again */
    setenv("XDG_CACHE_HOME", dir, 1);
    unsetenv("STIPPLE_SURFACE_CACHE");
    int cached = -1;
    l = surface_open(SURFACE_HEAD, 0.0, 0.0, &cached);
    CHECK(l && cached == 0, "first open builds (cached %d)", cached);
    surface_free(l);
    snprintf(q, sizeof q, "%s/stipple", dir);
    char *save_dir = strdup(q);
    strcpy(dir, save_dir);   /* count_files looks in the cache folder from here on */
    CHECK(count_files(".surface") == 1, "one file saved (%d)", count_files(".surface"));
    l = surface_open(SURFACE_HEAD, 0.0, 0.0, &cached);
    CHECK(l && cached == 1, "second open reads it (cached %d)", cached);
    if (l) {
        surface_digest(l, d1);
        CHECK(memcmp(d0, d1, 32) == 0, "and it is the head");
        surface_free(l);
    }
    DIR *dd = opendir(dir);
    struct dirent *e;
    char saved[512] = "";
    while (dd && (e = readdir(dd)) != NULL)
        if (strstr(e->d_name, ".surface"))
            path_in(saved, sizeof saved, e->d_name);
    if (dd)
        closedir(dd);
    flip_byte(saved, file_size(saved) / 3);
    l = surface_open(SURFACE_HEAD, 0.0, 0.0, &cached);
    CHECK(l && cached == 0, "a damaged cache is built again (cached %d)", cached);
    if (l) {
        surface_digest(l, d1);
        CHECK(memcmp(d0, d1, 32) == 0, "and it is the head");
        surface_free(l);
    }
    l = surface_open(SURFACE_HEAD, 0.0, 0.0, &cached);
    CHECK(l && cached == 1, "and saved again (cached %d)", cached);
    surface_free(l);
    setenv("STIPPLE_SURFACE_CACHE", "0", 1);
    l = surface_open(SURFACE_HEAD, 0.0, 0.0, &cached);
    CHECK(l && cached == 0, "STIPPLE_SURFACE_CACHE=0 builds (cached %d)", cached);
    surface_free(l);
    unsetenv("STIPPLE_SURFACE_CACHE");
    l = surface_open(SURFACE_PRACTICE_SKIN, 120.0, 80.0, &cached);
    CHECK(l && cached == 0 && surface_get_kind(l) == SURFACE_PRACTICE_SKIN, "the practice skin is built");
    surface_free(l);

    /* other builds' files: the ones used last are kept, SURFACE_CACHE_KEEP in all */
    time_t now = time(NULL);
    for (int i = 0; i < 5; i++) {
        char name[64];
        snprintf(name, sizeof name, "head-old%d.surface", i);
        path_in(q, sizeof q, name);
        f = fopen(q, "wb");
        fputs("old", f);
        fclose(f);
        struct timeval tv[2] = { { now - 1000 * (i + 1), 0 }, { now - 1000 * (i + 1), 0 } };
        utimes(q, tv);
    }
    path_in(q, sizeof q, "head-x.surface.tmp.abc123");   /* a save killed two hours ago */
    f = fopen(q, "wb");
    fclose(f);
    struct timeval tv2[2] = { { now - 7200, 0 }, { now - 7200, 0 } };
    utimes(q, tv2);
    unlink(saved);
    l = surface_open(SURFACE_HEAD, 0.0, 0.0, &cached);
    surface_free(l);
    CHECK(count_files(".surface") == SURFACE_CACHE_KEEP, "%d surface files kept (%d there)", SURFACE_CACHE_KEEP,
          count_files(".surface"));
    CHECK(file_size(saved) > 0, "this build's file is one of them");
    path_in(q, sizeof q, "head-old0.surface");
    CHECK(file_size(q) > 0, "the other build's file used last is kept");
    path_in(q, sizeof q, "head-old4.surface");
    CHECK(file_size(q) < 0, "the one used longest ago is removed");
    CHECK(count_files(".abc123") == 0, "an old temporary file is removed");

    surface_free(s);
    free(save_dir);
    char cmd[600];
    *strrchr(dir, '/') = 0;
    snprintf(cmd, sizeof cmd, "rm -rf '%.300s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_summary("test_surface_cache");
}
