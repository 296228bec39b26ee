/* cli_common.c: finding lessons, loading and re-simulating sessions. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sign.h"
#include "text_escape.h"
#include "lesson_dir.h"
#include "trainee.h"

const char *cli_lessons_dir(const char *given)
{
    if (given)
        return given;
    const char *env = getenv("STIPPLE_LESSONS");
    if (env && *env)
        return env;
    return STIPPLE_SOURCE_DIR "/lessons";
}

void cli_file_error(const char *path, const char *reason)
{
    size_t n = strlen(path);
    if (strncmp(reason, path, n) == 0 && reason[n] == ':' && reason[n + 1] == ' ')
        reason += n + 2;
    /* the session reader's own prefix names no file: drop it, the path says more */
    if (strncmp(reason, "session: ", 9) == 0)
        reason += 9;
    fprintf(stderr, "stipple: %s: %s\n", path, reason);
}

void cli_lesson_error(const char *path, const char *err)
{
    size_t n = strlen(path);
    if (strncmp(err, path, n) == 0 && err[n] == ':' && err[n + 1] >= '0' && err[n + 1] <= '9')
        fprintf(stderr, "%s\n", err);   /* file:line:column: what */
    else
        cli_file_error(path, err);
}

FILE *cli_open_output(const char *path)
{
    if (!strcmp(path, "-"))
        return stdout;
    FILE *f = fopen(path, "wb");
    if (!f)
        fprintf(stderr, "stipple: %s: cannot create: %s\n", path, strerror(errno));
    return f;
}

int cli_close_output(FILE *f, const char *path)
{
    int bad = ferror(f);
    if (f == stdout)
        bad |= fflush(f) != 0;
    else
        bad |= fclose(f) != 0;
    if (bad) {
        fprintf(stderr, "stipple: %s: write error: %s\n", strcmp(path, "-") ? path : "(standard output)",
                strerror(errno));
        return -1;
    }
    return 0;
}

static void hex32(const uint8_t h[32], char out[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

int cli_lesson_for_session(const session_data *d, const char *explicit_path, const char *dir, lesson *out)
{
    char err[512];
    const char *want = d->header.lesson_id;
    if (explicit_path) {
        if (lesson_load_file(explicit_path, out, err, sizeof err) != 0) {
            cli_lesson_error(explicit_path, err);
            return -1;
        }
        if (strcmp(out->id, want) != 0) {
            fprintf(stderr, "stipple: %s: this is lesson '%s', but the session was recorded on '%s'\n",
                    explicit_path, text_escaped(out->id), text_escaped(want));
            lesson_free(out);
            return -1;
        }
        if (memcmp(out->content_hash, d->header.lesson_hash, 32) != 0)
            fprintf(stderr, "stipple: %s: warning: the lesson has changed since the session was recorded; "
                            "grading against the file as it is now\n", explicit_path);
        return 0;
    }
    lesson_dir_entry *entries;
    size_t n;
    if (lesson_dir_scan(dir, &entries, &n) != 0) {
        fprintf(stderr, "stipple: %s: cannot open the lessons folder: %s (use --lessons DIR or --lesson FILE)\n", dir,
                strerror(errno));
        return -1;
    }
    int found = -1, id_seen = 0;
    const lesson_dir_entry *e = lesson_dir_find(entries, n, want, d->header.lesson_hash, &id_seen);
    if (e && lesson_load_file(e->path, out, err, sizeof err) == 0) {
        if (memcmp(out->content_hash, d->header.lesson_hash, 32) == 0)
            found = 0;
        else
            lesson_free(out);   /* changed since the folder was read a moment ago */
    }
    free(entries);
    if (found != 0) {
        char hx[65];
        hex32(d->header.lesson_hash, hx);
        if (id_seen)
            fprintf(stderr, "stipple: %s: lesson '%s' has changed since the session was recorded "
                            "(recorded hash %.16s...); pass --lesson FILE to grade against it anyway\n",
                    dir, text_escaped(want), hx);
        else
            fprintf(stderr, "stipple: %s: no lesson with id '%s' (use --lesson FILE or --lessons DIR)\n", dir,
                    text_escaped(want));
    }
    return found;
}

int cli_replay(const char *session_path, const char *lesson_path, const char *lessons_dir, replayed *out)
{
    char err[512];
    memset(out, 0, sizeof *out);
    if (session_open_file(session_path, &out->data, err, sizeof err) != 0) {   /* events stay in the file's bytes */
        cli_file_error(session_path, err);
        return -1;
    }
    if (out->data.warning[0])
        fprintf(stderr, "stipple: %s: warning: %s\n", session_path, out->data.warning);
    /* damage that left nothing: an error, not a report of 0 dots scoring 0 (a session that
     * is whole but empty still grades) */
    if (out->data.event_count == 0 && (out->data.recovered || !out->data.complete)) {
        cli_file_error(session_path, "nothing could be recovered from this session (damaged or cut short before "
                                     "its first events)");
        session_data_free(&out->data);
        return -1;
    }
    if (cli_lesson_for_session(&out->data, lesson_path, cli_lessons_dir(lessons_dir), &out->lesson) != 0) {
        session_data_free(&out->data);
        return -1;
    }
    out->surface = cli_surface_shared(out->lesson.surface, out->lesson.skin_width_mm, out->lesson.skin_height_mm);
    if (!out->surface)   /* every shared place taken: this session's own */
        out->surface = out->own_surface =
            surface_create(out->lesson.surface, out->lesson.skin_width_mm, out->lesson.skin_height_mm);
    if (out->surface)
        out->engine = engine_replay(&out->lesson, out->surface, &out->data);
    if (!out->surface || !out->engine) {
        fprintf(stderr, "stipple: %s: out of memory re-simulating\n", session_path);
        cli_replayed_free(out);
        return -1;
    }
    out->dots = engine_dots(out->engine, &out->dot_count);
    return 0;
}

/* A few skins at most (the head, and the practice skins' sizes the lessons use), held until
 * the process exits; a batch names few lessons. */
#define SHARED_SURFACES_MAX 16
static struct {
    surface_kind kind;
    double       width_mm, height_mm;
    surface     *s;
} shared_surfaces[SHARED_SURFACES_MAX];
static size_t          shared_surface_count;
static pthread_mutex_t shared_surface_lock = PTHREAD_MUTEX_INITIALIZER;

const surface *cli_surface_shared(surface_kind kind, double width_mm, double height_mm)
{
    if (kind == SURFACE_HEAD)
        width_mm = height_mm = 0.0;   /* the head's size is its own */
    surface *found = NULL;
    pthread_mutex_lock(&shared_surface_lock);
    for (size_t i = 0; i < shared_surface_count && !found; i++)
        if (shared_surfaces[i].kind == kind && shared_surfaces[i].width_mm == width_mm
            && shared_surfaces[i].height_mm == height_mm)
            found = shared_surfaces[i].s;
    /* made under the lock: workers that want the same skin wait for one making, not make it twice */
    if (!found && shared_surface_count < SHARED_SURFACES_MAX) {
        found = surface_create(kind, width_mm, height_mm);
        if (found) {
            shared_surfaces[shared_surface_count].kind = kind;
            shared_surfaces[shared_surface_count].width_mm = width_mm;
            shared_surfaces[shared_surface_count].height_mm = height_mm;
            shared_surfaces[shared_surface_count].s = found;
            shared_surface_count++;
        }
    }
    pthread_mutex_unlock(&shared_surface_lock);
    return found;
}

void cli_replayed_free(replayed *r)
{
    engine_free(r->engine);
    surface_free(r->own_surface);
    lesson_free(&r->lesson);
    session_data_free(&r->data);
    memset(r, 0, sizeof *r);
}

static int sink_to_writer(void *ctx, const session_event *ev)
{
    return session_writer_add(ctx, ev) == 0 ? 0 : -1;
}

int cli_simulate_to_file(const char *lesson_path, int profile, uint64_t seed, const char *out_path)
{
    char err[512];
    lesson l;
    if (lesson_load_file(lesson_path, &l, err, sizeof err) != 0) {
        cli_lesson_error(lesson_path, err);
        return -1;
    }
    surface *s = surface_create(l.surface, l.skin_width_mm, l.skin_height_mm);
    if (!s) {
        lesson_free(&l);
        fprintf(stderr, "stipple: out of memory\n");
        return -1;
    }
    session_header h;
    trainee_session_header(&l, profile, seed, &h);

    int rc = -1;
    int to_stdout = !strcmp(out_path, "-");
    /* Signed by this station (synthetic: the header says so inside the signed data). */
    station_key key;
    char kerr[1024];
    const station_key *k = station_key_load_or_create(NULL, &key, NULL, kerr, sizeof kerr) == 0 ? &key : NULL;
    if (!k)
        fprintf(stderr, "stipple: warning: %s; the session is written unsigned\n", kerr);
    session_writer *w = to_stdout ? session_writer_open_stream_signed(stdout, &h, k, err, sizeof err)
                                  : session_writer_open_signed(out_path, &h, k, err, sizeof err);
    memset(&key, 0, sizeof key);
    if (!w) {
        cli_file_error(out_path, err);
        goto done;
    }
    int64_t end_us = 0;
    if (trainee_run(&l, s, profile, seed, &h.device, &h.calibration, sink_to_writer, w, &end_us) != 0) {
        fprintf(stderr, "stipple: %s: simulating failed (out of memory or a write error)\n", out_path);
        session_writer_abandon(w);
        if (!to_stdout)
            unlink(out_path);   /* a half-written simulated session is worth nothing */
        goto done;
    }
    if (session_writer_close(w, end_us) != 0 || (to_stdout && fflush(stdout) != 0)) {
        fprintf(stderr, "stipple: %s: write error: %s\n", out_path, strerror(errno));
        goto done;
    }
    rc = 0;
done:
    surface_free(s);
    lesson_free(&l);
    return rc;
}
