/* cli.h: shared pieces of the `stipple` subcommands. */
#ifndef STIPPLE_CLI_H
#define STIPPLE_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "cli_args.h"
#include "engine.h"
#include "lesson.h"
#include "session.h"
#include "surface.h"

/* The folder of lessons: --lessons, $STIPPLE_LESSONS, the source tree's lessons/. */
const char *cli_lessons_dir(const char *given);

/* Finds the lesson a session names (by id, checking its content hash) in dir, or loads
 * `explicit_path` when given. 0 on success, -1 with a message on stderr. */
int cli_lesson_for_session(const session_data *d, const char *explicit_path, const char *dir, lesson *out);

/* A session loaded and re-simulated: the lesson, its surface and the engine's dots. */
typedef struct replayed {
    session_data data;
    lesson       lesson;
    const surface *surface;     /* cli_surface_shared's, or own_surface when none could be shared */
    surface     *own_surface;
    engine      *engine;
    const dot   *dots;
    size_t       dot_count;
} replayed;

/* The skin a lesson names, made once per process and shared by every session (and worker
 * thread) that needs the same kind and size: a surface is read-only once made, and making
 * the head costs more than re-simulating most sessions. NULL when out of memory, or when
 * SHARED_SURFACES_MAX sizes are held already (then make your own). */
const surface *cli_surface_shared(surface_kind kind, double width_mm, double height_mm);

int  cli_replay(const char *session_path, const char *lesson_path, const char *lessons_dir, replayed *out);
void cli_replayed_free(replayed *r);

/* Simulates a lesson with a trainee into a session file. 0 or -1 (message printed). */
int cli_simulate_to_file(const char *lesson_path, int profile, uint64_t seed, const char *out_path);

/* ---- grading (cmd_grade.c, cli_batch.c, grade_csv.c) ---- */
typedef struct cli_grade_options {
    const char *lesson_path;   /* --lesson, or NULL */
    const char *lessons_dir;   /* --lessons, or NULL */
    int want_text, want_json;
    int rules;                 /* --rules N: score under these scoring rules (0: the latest) */
} cli_grade_options;

typedef struct cli_graded {
    char  *text;     /* the readable report, when asked for */
    char  *json;     /* the JSON report, when asked for */
    int    passed;
    double total;
} cli_graded;

/* Re-simulates and grades one session. 0, or -1 after a message on stderr. Thread-safe. */
int  cli_grade_one(const char *session, const cli_grade_options *o, cli_graded *out);
void cli_graded_free(cli_graded *g);
/* Grades paths[0..n-1] on `jobs` threads (0: one per core), a progress bar on stderr when it
 * is a terminal. out[i] and rc[i] (0 or -1) belong to paths[i]. */
void cli_grade_batch(const char *const *paths, size_t n, const cli_grade_options *o, int jobs, cli_graded *out,
                     int *rc);
int  cli_default_jobs(void);
/* The text report of one session on `out`: 1 passed, 0 failed, -1 not graded. */
int  cli_grade_text(const char *session, const char *lesson_path, const char *lessons_dir, FILE *out);
/* grade --csv: a header and one row per graded session. 0 or -1. */
int  cli_write_grade_csv(FILE *f, const char *const *paths, const cli_graded *g, const int *rc, size_t n);

/* cmd_annotate.c: an instructor's grade overrides from the session's notes, each beside the
 * computed score (both kept); a warning instead when the notes belong to another session. */
struct score_result;
void cli_write_overrides(FILE *f, const char *session_path, const struct score_result *sc);
/* grade --json: the report with an "instructor" object added when the session has notes
 * (the report unchanged when it has none). Takes report (free()d); NULL when out of memory. */
char *cli_json_add_instructor(char *report, const char *session_path, const struct score_result *sc);

/* ---- the PDF report (cmd_report.c) ---- */
typedef struct cli_report_options {
    const char *out_path;      /* "-" is stdout */
    const char *lesson_path, *lessons_dir;
    int paper;                 /* report_paper */
    int views;                 /* render the views */
} cli_report_options;
/* 0, or 1 after a message on stderr. */
int cli_report_pdf(const char *session, const cli_report_options *o);

/* Errors about a file, printed once as "stipple: FILE: reason" (a reason that already
 * starts with "FILE: " is not given the name twice). */
void cli_file_error(const char *path, const char *reason);
/* A lesson loader's message: "FILE:LINE:COLUMN: what" as it is, otherwise as cli_file_error. */
void cli_lesson_error(const char *path, const char *err);

/* An output named on the command line: "-" is stdout. NULL after an error message. */
FILE *cli_open_output(const char *path);
/* Closes what cli_open_output gave (flushing stdout); 0, or -1 after an error message. */
int   cli_close_output(FILE *f, const char *path);

/* `lesson check` of a .curriculum file (cmd_certify.c): 0 ok, 1 bad (message printed). */
int cli_curriculum_check(const char *path);

#endif
