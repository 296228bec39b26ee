/* test_session_store.c: the sessions folder (XDG data home, its default, the override) and
 * exclusive creates: two writers started in the same second, at the same moment, in separate
 * processes, each get a file of their own that loads back intact, never one mixed file. */
#include "session_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "session.h"

#define EVENTS 20000

/* One writer: waits for the go byte, creates its file, writes EVENTS pen samples whose x
 * carries the writer's mark, closes. Exit 0 on success. */
static int writer_child(const char *dir, int go_fd, int mark, time_t when)
{
    char c;
    if (read(go_fd, &c, 1) != 1)
        return 2;
    char path[1024], err[256];
    FILE *f = session_store_create(dir, "drill-1", when, path, sizeof path, err, sizeof err);
    if (!f) {
        fprintf(stderr, "writer %d: %s\n", mark, err);
        return 3;
    }
    session_header h;
    memset(&h, 0, sizeof h);
    h.format_version = SESSION_FORMAT_VERSION;
    snprintf(h.lesson_id, sizeof h.lesson_id, "drill-1");
    snprintf(h.source, sizeof h.source, "writer-%d", mark);
    h.device.pressure.max = 1023;
    pen_calibration_default(&h.calibration);
    session_writer *w = session_writer_open_stream(f, &h, err, sizeof err);
    if (!w)
        return 4;
    for (int i = 0; i < EVENTS; i++) {
        session_event ev;
        memset(&ev, 0, sizeof ev);
        ev.kind = SEV_PEN;
        ev.t_us = ev.u.pen.t_us = (int64_t)i * 1000;
        ev.u.pen.x = mark * 100000 + i;
        ev.u.pen.flags = PEN_IN_PROXIMITY;
        if (session_writer_add(w, &ev) != 0)
            return 5;
    }
    if (session_writer_close(w, (int64_t)EVENTS * 1000) != 0 || fclose(f) != 0)
        return 6;
    return 0;
}

static void test_concurrent_writers(const char *dir)
{
    int go[2];
    if (pipe(go) != 0) {
        CHECK(0, "pipe");
        return;
    }
    time_t when = time(NULL);   /* the same second for both: the same first name */
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            close(go[1]);
            _exit(writer_child(dir, go[0], k + 1, when));
        }
    }
    close(go[0]);
    CHECK(write(go[1], "gg", 2) == 2, "release both writers at once");
    close(go[1]);
    for (int k = 0; k < 2; k++) {
        int st = 0;
        waitpid(kids[k], &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer %d exit status %d", k + 1, WEXITSTATUS(st));
    }
    char **paths;
    size_t n;
    CHECK(session_store_list(dir, &paths, &n) == 0, "list %s", dir);
    CHECK(n == 2, "two writers, two files (got %zu)", n);
    int seen[3] = { 0, 0, 0 };
    for (size_t i = 0; i < n; i++) {
        session_data d;
        char err[256];
        int rc = session_load_file(paths[i], &d, err, sizeof err);
        CHECK(rc == 0 && d.complete && !d.recovered, "%s loads whole: %s", paths[i], rc ? err : d.warning);
        if (rc != 0)
            continue;
        int mark = 0;
        sscanf(d.header.source, "writer-%d", &mark);
        CHECK(mark == 1 || mark == 2, "%s: source '%s'", paths[i], d.header.source);
        size_t own = 0;
        for (size_t e = 0; e < d.event_count; e++)
            if (d.events[e].kind == SEV_PEN && d.events[e].u.pen.x / 100000 == mark &&
                d.events[e].u.pen.x % 100000 == (int32_t)e)
                own++;
        CHECK(d.event_count == EVENTS && own == EVENTS, "%s: %zu events, %zu of them its own writer's in order",
              paths[i], d.event_count, own);
        if (mark == 1 || mark == 2)
            seen[mark]++;
        session_data_free(&d);
    }
    CHECK(seen[1] == 1 && seen[2] == 1, "one file per writer (%d, %d)", seen[1], seen[2]);
    if (n == 2)
        CHECK(strstr(paths[1], "-2.stp") != NULL || strstr(paths[0], "-2.stp") != NULL,
              "the second of the same second is named -2 (%s, %s)", paths[0], paths[1]);
    for (size_t i = 0; i < n; i++) {
        unlink(paths[i]);
        free(paths[i]);
    }
    free(paths);
}

static void test_dir(const char *base)
{
    char out[1024], err[256], want[1024];
    unsetenv("STIPPLE_SESSIONS");
    setenv("XDG_DATA_HOME", base, 1);
    CHECK(session_store_dir(out, sizeof out, 1, err, sizeof err) == 0, "XDG dir: %s", err);
    snprintf(want, sizeof want, "%s/stipple/sessions", base);
    CHECK(strcmp(out, want) == 0, "XDG_DATA_HOME/stipple/sessions: %s", out);
    struct stat st;
    CHECK(stat(out, &st) == 0 && S_ISDIR(st.st_mode), "made %s", out);
    setenv("XDG_DATA_HOME", "relative/path", 1);   /* the spec says: ignore it */
    setenv("HOME", base, 1);
    CHECK(session_store_dir(out, sizeof out, 0, err, sizeof err) == 0, "HOME dir");
    snprintf(want, sizeof want, "%s/.local/share/stipple/sessions", base);
    CHECK(strcmp(out, want) == 0, "default ~/.local/share/stipple/sessions: %s", out);
    unsetenv("XDG_DATA_HOME");
    CHECK(session_store_dir(out, sizeof out, 0, err, sizeof err) == 0 && strcmp(out, want) == 0, "no XDG: %s", out);
    setenv("STIPPLE_SESSIONS", "/tmp/over", 1);
    CHECK(session_store_dir(out, sizeof out, 0, err, sizeof err) == 0 && strcmp(out, "/tmp/over") == 0, "override");
    unsetenv("STIPPLE_SESSIONS");
    unsetenv("HOME");
    CHECK(session_store_dir(out, sizeof out, 0, err, sizeof err) == -1 && err[0], "nowhere: %s", err);
}

static void test_names(const char *dir)
{
    char path[1024], err[256];
    FILE *f = session_store_create(dir, "../../etc/x y", 0, path, sizeof path, err, sizeof err);
    CHECK(f != NULL, "odd lesson id: %s", err);
    if (f) {
        fclose(f);
        CHECK(strncmp(path, dir, strlen(dir)) == 0 && strchr(path + strlen(dir) + 1, '/') == NULL,
              "the file stays in the folder: %s", path);
        unlink(path);
    }
}

int main(void)
{
    char base[] = "/tmp/stipple-store-XXXXXX";
    if (!mkdtemp(base)) {
        perror("mkdtemp");
        return 1;
    }
    test_dir(base);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/stipple/sessions", base);
    test_concurrent_writers(dir);
    test_names(dir);
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", base);
    return check_summary("test_session_store");
}
