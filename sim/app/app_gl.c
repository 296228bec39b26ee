/* app_gl.c: the window and its OpenGL 3.3 core context. With no display it says so and
 * returns APP_NO_DISPLAY, so the caller can fall back to the headless demo. */
#include <SDL.h>
#include <glad/gl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "surface.h"
#include "surface_cache.h"
#include "hud.h"
#include "render_mesh.h"

static SDL_Thread *prefetch_thread;
static surface *prefetch_surface;
static int prefetch_from_cache;
static render_mesh_prepared *prefetch_mesh;   /* the renderer's skin mesh of prefetch_surface */

static int prefetch_main(void *arg)
{
    (void)arg;
    prefetch_surface = surface_open(SURFACE_HEAD, 0.0, 0.0, &prefetch_from_cache);
    /* the renderer's coarser copy of it too (~0.1-0.15 s): no GL needed */
    if (prefetch_surface)
        prefetch_mesh = render_mesh_prepare(prefetch_surface);
    return 0;
}

static void prefetch_join(void)
{
    if (prefetch_thread) {
        SDL_WaitThread(prefetch_thread, NULL);
        prefetch_thread = NULL;
    }
}

void app_head_prefetch_start(void)
{
    if (!prefetch_thread && !prefetch_surface)
        prefetch_thread = SDL_CreateThread(prefetch_main, "head-surface", NULL);
}

surface *app_head_prefetch_take(int *from_cache)
{
    prefetch_join();
    surface *s = prefetch_surface;
    prefetch_surface = NULL;
    if (from_cache)
        *from_cache = s && prefetch_from_cache;
    return s;
}

render_mesh_prepared *app_head_mesh_take(const surface *s)
{
    prefetch_join();
    render_mesh_prepared *m = prefetch_mesh;
    prefetch_mesh = NULL;
    if (m && (!s || m->surface != s)) {
        render_mesh_prepared_free(m);
        m = NULL;
    }
    return m;
}

/* The HUD's glyph atlas, rasterised on its own thread while SDL opens the window. */
static SDL_Thread *glyph_thread;
static hud_glyphs *glyphs;
static char glyph_err[512];

static int glyph_main(void *font_path)
{
    glyphs = hud_glyphs_make(font_path, glyph_err, sizeof glyph_err);
    return 0;
}

void app_hud_prefetch_start(const char *font_path)
{
    if (!glyph_thread && !glyphs)
        glyph_thread = SDL_CreateThread(glyph_main, "hud-glyphs", (void *)font_path);
}

static hud_glyphs *glyphs_take(int *started)
{
    *started = glyph_thread != NULL || glyphs != NULL;
    if (glyph_thread) {
        SDL_WaitThread(glyph_thread, NULL);
        glyph_thread = NULL;
    }
    hud_glyphs *g = glyphs;
    glyphs = NULL;
    return g;
}

hud *app_hud_take(const char *font_path, char *err, size_t errlen)
{
    int started;
    hud_glyphs *g = glyphs_take(&started);
    if (g)
        return hud_create_from(g, err, errlen);
    if (started) {
        snprintf(err, errlen, "%s", glyph_err);
        return NULL;
    }
    return hud_create(font_path, err, errlen);
}

void app_hud_prefetch_drop(void)
{
    int started;
    hud_glyphs_free(glyphs_take(&started));
}

double app_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int app_gl_open(app_gl *g, int width, int height, const char *title)
{
    memset(g, 0, sizeof *g);
    const char *drv = getenv("SDL_VIDEODRIVER");
    int offscreen = drv && strcmp(drv, "offscreen") == 0;
    if (!offscreen && !getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY")) {
        fprintf(stderr, "stipple practice: no display (DISPLAY is not set). Run it on a desktop, under "
                        "xvfb-run, or with SDL_VIDEODRIVER=offscreen; `stipple demo` runs headless.\n");
        return APP_NO_DISPLAY;
    }
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
        fprintf(stderr, "stipple practice: cannot open the display: %s; `stipple demo` runs headless.\n", SDL_GetError());
        return APP_NO_DISPLAY;
    }
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_CORE);
    SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
    SDL_GL_SetAttribute(SDL_GL_DEPTH_SIZE, 24);
    SDL_GL_SetAttribute(SDL_GL_FRAMEBUFFER_SRGB_CAPABLE, 1);
    SDL_Window *w = SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, width, height,
                                     SDL_WINDOW_OPENGL | SDL_WINDOW_SHOWN);
    if (!w) {
        fprintf(stderr, "stipple practice: cannot open a window: %s; `stipple demo` runs headless.\n", SDL_GetError());
        SDL_Quit();
        return APP_NO_DISPLAY;
    }
    SDL_GLContext ctx = SDL_GL_CreateContext(w);
    if (!ctx) {
        /* without an sRGB-capable framebuffer the renderer draws through its own */
        SDL_GL_SetAttribute(SDL_GL_FRAMEBUFFER_SRGB_CAPABLE, 0);
        ctx = SDL_GL_CreateContext(w);
    }
    if (!ctx) {
        fprintf(stderr, "stipple practice: no OpenGL 3.3 core context: %s\n", SDL_GetError());
        SDL_DestroyWindow(w);
        SDL_Quit();
        return APP_NO_DISPLAY;
    }
    if (!gladLoadGL((GLADloadfunc)SDL_GL_GetProcAddress)) {
        fprintf(stderr, "stipple practice: cannot load OpenGL functions\n");
        SDL_GL_DeleteContext(ctx);
        SDL_DestroyWindow(w);
        SDL_Quit();
        return 1;
    }
    SDL_GL_SetSwapInterval(0);   /* fails under Xvfb: harmless */
    g->window = w;
    g->context = ctx;
    SDL_GL_GetDrawableSize(w, &g->width, &g->height);
    return 0;
}

void app_gl_close(app_gl *g)
{
    if (g->context)
        SDL_GL_DeleteContext(g->context);
    if (g->window)
        SDL_DestroyWindow(g->window);
    if (g->window || g->context)
        SDL_Quit();
    memset(g, 0, sizeof *g);
}
