/* gl_util.h: shader programs from shaders/ (STIPPLE_SHADER_DIR), with errors a person can
 * act on (file name and the driver's log). */
#ifndef STIPPLE_GL_UTIL_H
#define STIPPLE_GL_UTIL_H

#include <stddef.h>

#include <glad/gl.h>

/* Compiles and links shaders/<name>.vert + shaders/<name>.frag; `defines` (may be NULL) is
 * inserted after the #version line of both, e.g. "#define OVERLAY\n". 0 with err set on
 * failure. */
GLuint glu_program(const char *name, const char *defines, char *err, size_t errlen);

/* Filters of the bound 2D texture, clamped to a transparent border (chart-space textures:
 * nothing outside their box). */
void glu_texture_clamp_clear(GLint min_filter, GLint mag_filter);

#endif
