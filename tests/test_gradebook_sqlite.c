/* test_gradebook_sqlite.c: the gradebook suite on the SQLite engine, plus what only a file
 * has: its mode (0600, and the WAL's files too) and the default location. */
#include <sys/stat.h>

#include "gb_import.h"
#include "gb_progress.h"
#include "lesson.h"
#include "surface.h"
#include "trainee.h"
#include "gradebook_suite.h"

static char dir[] = "/tmp/stipple-gb-XXXXXX";

static const char *fresh_db(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s.db", dir, name);
    return path;
}

static void test_file_modes(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/modes.db", dir);
    mode_t old = umask(0);   /* the most permissive umask: the file must still be private */
    gradebook *g = suite_open(path);
    umask(old);
    if (!g)
        return;
    gb_person p = { .id = "t", .name = "t" };
    char err[256];
    gradebook_person_add(g, GB_TRAINEE, &p, err, sizeof err);
    const char *suffix[] = { "", "-wal", "-shm" };
    for (int i = 0; i < 3; i++) {
        char f[4200];
        snprintf(f, sizeof f, "%s%s", path, suffix[i]);
        struct stat st;
        if (stat(f, &st) == 0)
            CHECK((st.st_mode & 0777) == 0600, "%s is mode %04o", f, (unsigned)(st.st_mode & 0777));
        else
            CHECK(i > 0, "%s exists", f);
    }
    gradebook_close(g);
    /* an existing database readable by others is made private when opened */
    chmod(path, 0644);
    g = suite_open(path);
    gradebook_close(g);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "tightened to 0600");

    char def[4096], xdg[4096];
    snprintf(xdg, sizeof xdg, "%s/xdg-data", dir);
    setenv("XDG_DATA_HOME", xdg, 1);
    CHECK(gradebook_default_path(def, sizeof def) == 0 && strcmp(def + strlen(xdg), "/stipple/gradebook.db") == 0,
          "default path %s", def);
    g = suite_open(NULL);
    gradebook_close(g);
    CHECK(stat(def, &st) == 0 && (st.st_mode & 0777) == 0600, "default file made 0600");
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/stipple", xdg);
    CHECK(stat(sub, &st) == 0 && (st.st_mode & 0777) == 0700, "its folder 0700");
}

/* Running averages and trends from totals whose answers are computed here, not typed. */
static void test_progress(void)
{
    const double t[] = { 50, 60, 70, 90, 91 };
    gb_session s[6];
    for (int i = 0; i < 5; i++)
        make_session(i, "amy", "b-lesson", t[i], &s[i]);
    make_session(9, "amy", "c-lesson", 40, &s[5]);
    gb_lesson_progress *p = NULL;
    size_t n = 0;
    CHECK(gb_progress(s, 6, &p, &n) == 0 && n == 2, "two lessons");
    if (n == 2) {
        CHECK(p[0].attempts == 5 && p[0].best == 91 && p[0].running_complete, "lesson b counts");
        CHECK_NEAR(p[0].running_avg, (t[2] + t[3] + t[4]) / 3, 1e-12, "running average of the last 3");
        CHECK_NEAR(p[0].trend, (t[2] + t[3] + t[4]) / 3 - (t[1] + t[2] + t[3]) / 3, 1e-12, "trend");
        CHECK(strcmp(gb_trend_word(&p[0]), "improving") == 0, "improving");
        CHECK(p[1].attempts == 1 && !p[1].running_complete && !p[1].has_trend, "one attempt: incomplete");
    }
    free(p);
}

static int sink(void *ctx, const session_event *ev)
{
    return session_writer_add(ctx, ev) == 0 ? 0 : -1;
}

/* The limits hold: a file over the size limit and a session over the dot limit are refused
 * with the reason; within them the same file is graded. */
static void test_limits(void)
{
    const char *lpath = STIPPLE_SOURCE_DIR "/lessons/01-spacing-drill.json";
    lesson l;
    char err[512];
    if (lesson_load_file(lpath, &l, err, sizeof err) != 0) {
        CHECK(0, "%s", err);
        return;
    }
    surface *sf = surface_create(l.surface, l.skin_width_mm, l.skin_height_mm);
    session_header h;
    trainee_session_header(&l, TRAINEE_EXPERT, 7, &h);
    char path[4096];
    snprintf(path, sizeof path, "%s/limits.stp", dir);
    session_writer *w = session_writer_open(path, &h, err, sizeof err);
    int64_t end_us = 0;
    CHECK(w && trainee_run(&l, sf, TRAINEE_EXPERT, 7, &h.device, &h.calibration, sink, w, &end_us) == 0
          && session_writer_close(w, end_us) == 0, "simulate a session");
    surface_free(sf);
    lesson_free(&l);

    gb_lessons *ls = gb_lessons_load(STIPPLE_SOURCE_DIR "/lessons", err, sizeof err);
    CHECK(ls != NULL, "lessons: %s", err);
    if (!ls)
        return;
    gb_limits lim;
    gb_limits_default(&lim);
    gb_session s;
    char reason[256] = "";
    CHECK(gb_grade_file(path, ls, &lim, NULL, "amy", &s, reason, sizeof reason) == 0, "graded within the limits: %s", reason);
    CHECK(s.dots > 10 && !s.evidence && strstr(s.refusal, "unsigned") && s.synthetic, "a synthetic, unsigned session: %s",
          s.refusal);
    gb_limits small = lim;
    small.max_file_bytes = 1000;
    CHECK(gb_grade_file(path, ls, &small, NULL, "amy", &s, reason, sizeof reason) != 0 && strstr(reason, "over the 1000-byte limit"),
          "size limit: %s", reason);
    small = lim;
    small.max_dots = 10;
    CHECK(gb_grade_file(path, ls, &small, NULL, "amy", &s, reason, sizeof reason) != 0 && strstr(reason, "over the limit of 10"),
          "dot limit: %s", reason);
    small = lim;
    small.max_files = 2;
    const char *many[] = { path, path, path };
    char **files = NULL;
    size_t n = 0;
    CHECK(gb_expand_paths(many, 3, &small, &files, &n, err, sizeof err) != 0 && strstr(err, "more than 2"),
          "count limit: %s", err);
    gb_lessons_free(ls);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    run_suite(fresh_db);
    test_file_modes();
    test_progress();
    test_limits();
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_summary("test_gradebook_sqlite");
}
