/* lesson_fields.h: the lesson validator's tools, shared by its section loaders (lesson.c):
 * the path being checked, errors that name file:line:column, and typed getters that check
 * a key's type and range. Internal to the core's lesson loading. */
#ifndef STIPPLE_LESSON_FIELDS_H
#define STIPPLE_LESSON_FIELDS_H

#include <jansson.h>
#include <stddef.h>

#include "json_locate.h"
#include "lesson.h"

#define LESSON_PATH_MAX_DEPTH 8

typedef struct lesson_ctx {
    const char *text;
    size_t      len;
    const char *name;
    char       *err;
    size_t      errlen;
    json_path_step path[LESSON_PATH_MAX_DEPTH];
    int         depth;
    lesson     *l;
} lesson_ctx;

void lf_push_key(lesson_ctx *c, const char *key);
void lf_push_index(lesson_ctx *c, size_t index);
void lf_pop(lesson_ctx *c);
const char *lf_quoted(char *buf, size_t cap, const char *s);
const char *lf_path_str(const lesson_ctx *c, char *buf, size_t cap);
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int lf_fail(lesson_ctx *c, int at_key, const char *fmt, ...);
const char *lf_hint(const char *got, const char *const *cands, size_t count, char *buf, size_t cap);
void lf_region_names(const char **names, size_t *count);
int lf_check_keys(lesson_ctx *c, json_t *obj, const char *const *allowed);
int lf_member(lesson_ctx *c, json_t *obj, const char *key, int required, json_t **out);
int lf_want_type(lesson_ctx *c, json_t *v, json_type type, const char *what);
int lf_want_number(lesson_ctx *c, json_t *v, double lo, double hi, double *out);
int lf_want_int(lesson_ctx *c, json_t *v, int lo, int hi, int *out);
int lf_num_in(lesson_ctx *c, json_t *obj, const char *key, int required, double def, double lo, double hi, double *out);
int lf_int_in(lesson_ctx *c, json_t *obj, const char *key, int required, int def, int lo, int hi, int *out);
int lf_str_in(lesson_ctx *c, json_t *obj, const char *key, int required, size_t maxlen, const char **out);
int lf_obj_in(lesson_ctx *c, json_t *obj, const char *key, int required, json_t **out);
int lf_want_array(lesson_ctx *c, json_t *v, size_t min, size_t max, const char *what);
int lf_pair_in(lesson_ctx *c, json_t *obj, const char *key, int required, const double def[2], double lo, double hi,
               double out[2]);
int lf_want_point(lesson_ctx *c, json_t *v, chart_point *out);

#endif
