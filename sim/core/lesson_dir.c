/* lesson_dir.c: see lesson_dir.h. */
#include "lesson_dir.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int has_json_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

static int by_path(const void *x, const void *y)
{
    return strcmp(((const lesson_dir_entry *)x)->path, ((const lesson_dir_entry *)y)->path);
}

int lesson_dir_scan(const char *dir, lesson_dir_entry **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    DIR *dp = dir ? opendir(dir) : NULL;
    if (!dp)
        return -1;
    lesson_dir_entry *v = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        if (!has_json_suffix(de->d_name))
            continue;
        lesson_dir_entry e;
        memset(&e, 0, sizeof e);
        if ((size_t)snprintf(e.path, sizeof e.path, "%s/%s", dir, de->d_name) >= sizeof e.path)
            continue;
        lesson l;
        char err[512];
        if (lesson_load_file(e.path, &l, err, sizeof err) != 0)
            continue;
        snprintf(e.id, sizeof e.id, "%s", l.id);
        snprintf(e.title, sizeof e.title, "%s", l.title);
        e.surface = (int)l.surface;
        memcpy(e.content_hash, l.content_hash, 32);
        lesson_free(&l);
        lesson_dir_entry *nv = realloc(v, (n + 1) * sizeof *nv);
        if (!nv)
            break;
        v = nv;
        v[n++] = e;
    }
    closedir(dp);
    if (n)
        qsort(v, n, sizeof *v, by_path);
    *out = v;
    *count = n;
    return 0;
}

const lesson_dir_entry *lesson_dir_find(const lesson_dir_entry *e, size_t n, const char *id, const uint8_t *hash,
                                        int *id_seen)
{
    int seen = 0;
    const lesson_dir_entry *found = NULL;
    for (size_t i = 0; i < n && !found; i++) {
        if (strcmp(e[i].id, id) != 0)
            continue;
        seen = 1;
        if (!hash || memcmp(e[i].content_hash, hash, 32) == 0)
            found = &e[i];
    }
    if (id_seen)
        *id_seen = seen;
    return found;
}
