/* session_store.c: see session_store.h. */
#include "session_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xdg.h"

int make_dirs_0700(const char *path)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

int session_store_dir(char *out, size_t n, int make, char *err, size_t errlen)
{
    const char *over = getenv("STIPPLE_SESSIONS");
    int rc;
    if (over && *over) {
        int len = snprintf(out, n, "%s", over);
        rc = len > 0 && (size_t)len < n ? 0 : XDG_TOO_LONG;
    } else {
        rc = xdg_stipple_path(XDG_DATA, "sessions", out, n);
    }
    if (rc == XDG_NO_HOME) {
        snprintf(err, errlen, "neither XDG_DATA_HOME nor HOME is set: nowhere to keep sessions");
        return -1;
    }
    if (rc != 0) {
        snprintf(err, errlen, "the sessions folder's name is too long");
        return -1;
    }
    if (make && make_dirs_0700(out) != 0) {
        snprintf(err, errlen, "%s: %s", out, strerror(errno));
        return -1;
    }
    return 0;
}

FILE *session_store_create(const char *dir, const char *lesson_id, time_t when, char *path, size_t pathlen,
                           char *err, size_t errlen)
{
    /* the lesson id as a file name: letters, digits, '.', '-', '_' */
    char id[64];
    size_t k = 0;
    for (const char *p = lesson_id; *p && k + 1 < sizeof id; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                 (c == '.' && k > 0);
        id[k++] = ok ? c : '_';
    }
    id[k] = 0;
    if (!k)
        snprintf(id, sizeof id, "session");
    struct tm tmv;
    char stamp[32];
    localtime_r(&when, &tmv);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tmv);
    for (int n = 1; n < 1000; n++) {
        int len = n == 1 ? snprintf(path, pathlen, "%s/%s-%s.stp", dir, id, stamp)
                         : snprintf(path, pathlen, "%s/%s-%s-%d.stp", dir, id, stamp, n);
        if (len < 0 || (size_t)len >= pathlen) {
            snprintf(err, errlen, "%s: the session file's name is too long", dir);
            return NULL;
        }
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) {
            if (errno == EEXIST)
                continue;   /* taken (another session this second): the next name */
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            return NULL;
        }
        FILE *f = fdopen(fd, "wb");
        if (!f) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            close(fd);
            unlink(path);
            return NULL;
        }
        return f;
    }
    snprintf(err, errlen, "%s: 999 sessions of lesson '%s' started in the same second", dir, id);
    return NULL;
}

static int by_name(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

int session_store_list(const char *dir, char ***paths, size_t *count)
{
    *paths = NULL;
    *count = 0;
    DIR *dp = opendir(dir);
    if (!dp)
        return -1;
    char **v = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 4, ".stp") != 0 || de->d_name[0] == '.')
            continue;
        size_t need = strlen(dir) + len + 2;
        char *p = malloc(need);
        char **nv = p ? realloc(v, (n + 1) * sizeof *nv) : NULL;
        if (!nv) {
            free(p);
            break;
        }
        snprintf(p, need, "%s/%s", dir, de->d_name);
        v = nv;
        v[n++] = p;
    }
    closedir(dp);
    if (n)
        qsort(v, n, sizeof *v, by_name);
    *paths = v;
    *count = n;
    return 0;
}
