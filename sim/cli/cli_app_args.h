/* cli_app_args.h: the options `practice` and `review` share (the window's size, a moment of
 * session time, --exit-after and --screenshot-at), parsed one way for both. Each returns 0,
 * or prints one usage line (cli_usage_error) and returns 2. */
#ifndef CLI_APP_ARGS_H
#define CLI_APP_ARGS_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "cli_args.h"

/* A named moment a screenshot can be taken at instead of seconds ("end", "score", "here"). */
typedef struct cli_shot_word {
    const char *word;
    int kind;          /* enum app_shot_kind */
} cli_shot_word;

/* "12.5" seconds of session time (0 .. 1e7 s) -> microseconds, rounded; -1 when not a time. */
int cli_session_time_us(const char *s, int64_t *us);
/* --size WxH, 320x240 .. 8192x8192 */
int cli_app_size(const cli_command *cmd, const char *v, app_options *o);
/* --exit-after T: seconds, or `word` (the end of the input; exit_after = 2) */
int cli_app_exit_after(const cli_command *cmd, const char *v, const char *word, app_options *o);
/* --screenshot-at T:FILE: T is seconds or one of `words`; at most APP_MAX_SHOTS */
int cli_app_screenshot_at(const cli_command *cmd, const char *v, const cli_shot_word *words, size_t nwords,
                          app_options *o);

#endif
