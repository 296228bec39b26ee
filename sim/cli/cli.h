/* cli.h: shared pieces of the `stipple` subcommands. */
#ifndef STIPPLE_CLI_H
#define STIPPLE_CLI_H

#include <stddef.h>
#include <stdint.h>

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
    surface     *surface;
    engine      *engine;
    const dot   *dots;
    size_t       dot_count;
} replayed;

int  cli_replay(const char *session_path, const char *lesson_path, const char *lessons_dir, replayed *out);
void cli_replayed_free(replayed *r);

/* Simulates a lesson with a trainee into a session file. 0 or -1 (message printed). */
int cli_simulate_to_file(const char *lesson_path, int profile, uint64_t seed, const char *out_path);

int cmd_lesson(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_grade(int argc, char **argv);
int cmd_dots(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_practice(int argc, char **argv);   /* cmd_practice.c: the 3D app */
int cmd_devices(int argc, char **argv);    /* cmd_devices.c: list and test input devices */
int cmd_calibrate(int argc, char **argv);  /* cmd_devices.c: per-device pressure calibration */
int cmd_sessions(int argc, char **argv);   /* cmd_sessions.c: the saved sessions */

#endif
