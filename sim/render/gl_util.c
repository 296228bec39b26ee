/* gl_util.c: see gl_util.h. */
#include "gl_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
        buf[n] = 0;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static GLuint compile(GLenum type, const char *path, const char *defines, char *err, size_t errlen)
{
    char *src = read_text(path);
    if (!src) {
        snprintf(err, errlen, "cannot read shader %s", path);
        return 0;
    }
    GLuint sh = glCreateShader(type);
    /* the #version line first, then the defines, then the rest */
    char *nl = strchr(src, '\n');
    const char *parts[3] = { src, defines ? defines : "", nl ? nl + 1 : "" };
    GLint lens[3] = { nl ? (GLint)(nl + 1 - src) : (GLint)strlen(src), -1, -1 };
    glShaderSource(sh, 3, parts, lens);
    glCompileShader(sh);
    free(src);
    GLint ok = 0;
    glGetShaderiv(sh, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        char log[1024];
        glGetShaderInfoLog(sh, sizeof log, NULL, log);
        snprintf(err, errlen, "%s: %s", path, log);
        glDeleteShader(sh);
        return 0;
    }
    return sh;
}

GLuint glu_program(const char *name, const char *defines, char *err, size_t errlen)
{
    char vp[1024], fp[1024];
    snprintf(vp, sizeof vp, "%s/%s.vert", STIPPLE_SHADER_DIR, name);
    snprintf(fp, sizeof fp, "%s/%s.frag", STIPPLE_SHADER_DIR, name);
    GLuint vs = compile(GL_VERTEX_SHADER, vp, defines, err, errlen);
    if (!vs)
        return 0;
    GLuint fs = compile(GL_FRAGMENT_SHADER, fp, defines, err, errlen);
    if (!fs) {
        glDeleteShader(vs);
        return 0;
    }
    GLuint prog = glCreateProgram();
    glAttachShader(prog, vs);
    glAttachShader(prog, fs);
    glLinkProgram(prog);
    glDeleteShader(vs);
    glDeleteShader(fs);
    GLint ok = 0;
    glGetProgramiv(prog, GL_LINK_STATUS, &ok);
    if (!ok) {
        char log[1024];
        glGetProgramInfoLog(prog, sizeof log, NULL, log);
        snprintf(err, errlen, "linking %s: %s", name, log);
        glDeleteProgram(prog);
        return 0;
    }
    return prog;
}

void glu_texture_clamp_clear(GLint min_filter, GLint mag_filter)
{
    static const float border[4] = { 0, 0, 0, 0 };
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, min_filter);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, mag_filter);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_BORDER);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_BORDER);
    glTexParameterfv(GL_TEXTURE_2D, GL_TEXTURE_BORDER_COLOR, border);
}
