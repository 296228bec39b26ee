/* bench.c: `stipple practice --bench` and `--selftest zoom-mean`.
 * Dot sets are made by the core's own models (needle, pigment) at chart points placed by
 * dart throwing (a natural, non-grid pattern at the lesson's spacing), as
 * sim/cli/cmd_bench.c does for scoring: 50,000 dots = a full scalp at full density. */
#include <SDL.h>
#include <glad/gl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "dotlook.h"
#include "engine.h"
#include "hud.h"
#include "needle.h"
#include "pigment.h"
#include "png_write.h"
#include "renderer.h"
#include "fixture.h"
#include "rng.h"

static const char practice_lesson[] =
    "{\"format\":\"stipple-lesson/1\",\"id\":\"bench-practice\",\"title\":\"Bench: practice skin at full density\","
    "\"version\":1,\"surface\":{\"kind\":\"practice_skin\",\"width_mm\":100,\"height_mm\":70},"
    "\"client\":{\"fitzpatrick\":3,\"hair_colour\":\"dark_brown\"},"
    "\"zones\":[{\"name\":\"all\",\"polygon_mm\":[[5,5],[95,5],[95,65],[5,65]]}],"
    "\"session\":{\"number\":3,\"density_per_cm2\":100},"
    "\"needle\":{\"config\":\"3RL\",\"diameter_mm\":0.25},\"pigment\":{\"target_shade\":6,\"allowed_shades\":[4,10]},"
    "\"weights\":{\"spacing\":0.35,\"depth\":0.3,\"pigment\":0.15,\"quality\":0.2},"
    "\"sources\":[\"model-defaults.md: full density 100/cm2\"]}";

static void chart_view(const surface *s, double u, double v, double field_mm, float aspect, view_state *out)
{
    surface_hit h;
    memset(out, 0, sizeof *out);
    out->fov_y_deg = 30.0f;
    out->aspect = aspect;
    if (!surface_chart_point(s, u, v, &h))
        return;
    view_face(out, h.pos_mm, h.normal, field_mm, -90.0, 89.9);
}

static void frame(app_gl *g, renderer *r, hud *h, const view_state *v, const render_marker *mk, size_t nmk)
{
    render_frame f;
    memset(&f, 0, sizeof f);
    f.view = v;
    f.width = g->width;
    f.height = g->height;
    f.guides = 1;
    f.crisp = 1;
    f.time_us = (int64_t)(app_now_s() * 1e6);
    f.markers = mk;
    f.marker_count = nmk;
    f.background[0] = 28;
    f.background[1] = 31;
    f.background[2] = 36;
    render_draw(r, &f);
    if (h) {
        hud_begin(h, g->width, g->height);
        hud_rect(h, 0, 0, (float)g->width, 66.0f, (hud_rgba){ 12, 14, 18, 200 });
        hud_text(h, HUD_NORMAL, 14, 12, (hud_rgba){ 235, 235, 235, 255 }, "Bench: full scalp at full density");
        hud_textf(h, HUD_SMALL, 14, 34, (hud_rgba){ 170, 175, 180, 255 }, "Machine ON  Needle 3RL 0.25 mm  Shade 6  Dots %d", 50000);
        hud_text(h, HUD_LARGE, (float)g->width - 90.0f, 14.0f, (hud_rgba){ 235, 235, 235, 255 }, "12:34");
        hud_end(h);
    }
}

static double measure_fps(app_gl *g, renderer *r, hud *h, const view_state *v, int frames, double *ms_per_frame)
{
    for (int i = 0; i < 3; i++) {
        frame(g, r, h, v, NULL, 0);
        glFinish();
        SDL_GL_SwapWindow(g->window);
    }
    struct timespec c0, c1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    double t0 = app_now_s();
    for (int i = 0; i < frames; i++) {
        frame(g, r, h, v, NULL, 0);
        glFinish();
        SDL_GL_SwapWindow(g->window);
        SDL_Event e;
        while (SDL_PollEvent(&e)) {
        }
    }
    double dt = app_now_s() - t0;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    *ms_per_frame = dt / frames * 1e3;
    /* CPU time a frame, all threads (llvmpipe's included): steadier than wall time on a
     * shared machine */
    if (getenv("STIPPLE_BENCH_CPU"))
        printf("bench: cpu %.2f ms a frame\n",
               ((double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) * 1e-9) / frames * 1e3);
    return frames / dt;
}

static void shot(app_gl *g, const char *dir, const char *name)
{
    if (!dir)
        return;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    uint8_t *px = malloc((size_t)g->width * (size_t)g->height * 3);
    if (!px)
        return;
    gl_read_back_rgb(g->width, g->height, px);
    char err[256];
    if (png_write_rgb(path, px, g->width, g->height, err, sizeof err) == 0)
        printf("bench: screenshot %s\n", path);
    free(px);
}

#define BENCH_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

int app_bench(const app_options *o)
{
    /* as app_run does for a head lesson: the head surface is built on a worker thread
     * while the window, GL, fonts and shaders are made */
    app_head_prefetch_start();
    app_hud_prefetch_start(BENCH_FONT);
    app_gl g;
    int rc = app_gl_open(&g, o->width, o->height, "Stipple bench");
    if (rc != 0) {
        surface_free(app_head_prefetch_take(NULL));
        app_head_mesh_take(NULL);
        app_hud_prefetch_drop();
        return rc;
    }
    char err[512];
    lesson lh, lp;
    if (fixture_full_scalp_lesson(&lh, err, sizeof err) != 0 ||
        lesson_load_mem(practice_lesson, sizeof practice_lesson - 1, "bench-practice", &lp, err, sizeof err) != 0) {
        fprintf(stderr, "bench: %s\n", err);
        app_hud_prefetch_drop();
        app_gl_close(&g);
        return 1;
    }
    const char *shots = getenv("STIPPLE_BENCH_SHOTS");   /* a folder for the bench's screenshots */
    hud *h = app_hud_take(BENCH_FONT, err, sizeof err);
    /* start-to-first-frame, for a head lesson (the slower start): window, GL, fonts,
     * shaders, the head surface (joined here), its renderer, one frame */
    double t0 = app_now_s();
    int cached = 0;
    surface *sh = app_head_prefetch_take(&cached);
    double t_join = app_now_s() - t0;
    if (!sh)
        sh = surface_create(SURFACE_HEAD, 0, 0);
    t0 = app_now_s();
    renderer *rh = sh && h ? render_create_from(&lh, sh, 0, app_head_mesh_take(sh), err, sizeof err) : NULL;
    double t_create = app_now_s() - t0;
    if (!h || !sh || !rh) {
        fprintf(stderr, "bench: %s\n", err);
        return 1;
    }
    view_state v1;
    engine_default_view(&lh, sh, &v1);
    v1.aspect = (float)g.width / (float)g.height;
    frame(&g, rh, h, &v1, NULL, 0);
    glFinish();
    SDL_GL_SwapWindow(g.window);
    double first = app_now_s() - o->start_s;
    surface *sp = surface_create(SURFACE_PRACTICE_SKIN, lp.skin_width_mm, lp.skin_height_mm);
    renderer *rp = sp ? render_create(&lp, sp, err, sizeof err) : NULL;
    if (!sp || !rp) {
        fprintf(stderr, "bench: %s\n", err);
        return 1;
    }
    view_state vp;
    engine_default_view(&lp, sp, &vp);
    vp.aspect = (float)g.width / (float)g.height;

    size_t nh = 0, np = 0;
    t0 = app_now_s();
    dot *dh = fixture_dots(&lh, sh, 50000, 11, &nh);
    double t_make = app_now_s() - t0;
    dot *dp = fixture_dots(&lp, sp, 7000, 12, &np);
    t0 = app_now_s();
    render_sync_dots(rh, dh, nh, 0);
    double t_bake = app_now_s() - t0;
    render_sync_dots(rp, dp, np, 0);
    printf("bench: %zu dots made on the head in %.2f s; head renderer %.3f s; baked into the chart texture in %.3f s "
           "(%.1f us a dot)\n", nh, t_make, t_create, t_bake, t_bake / (double)nh * 1e6);

    int frames = getenv("STIPPLE_BENCH_FRAMES") ? atoi(getenv("STIPPLE_BENCH_FRAMES")) : 60;
    if (frames < 1)
        frames = 1;
    double ms;
    v1.pitch_deg = 25.0f;
    v1.target_mm[1] += 25.0f;
    v1.aspect = (float)g.width / (float)g.height;
    double f1 = measure_fps(&g, rh, h, &v1, frames, &ms);
    shot(&g, shots, "bench-head-out.png");
    printf("bench: head, %zu dots, zoomed out (field %.0f mm), %dx%d: %.2f ms a frame, %.1f fps\n", nh,
           view_field_height_mm(&v1), g.width, g.height, ms, f1);

    /* magnified views over the zoom range: working magnification (10-20 mm field), the band
     * where the crisp dots fade in over the texture (the costliest: both are drawn), and the
     * texture alone at level 0. STIPPLE_BENCH_ONLY=<field mm> runs one of them (profiling). */
    static const struct { double u, v, field_mm; const char *what; } cases[] = {
        { 0.0, 40.0, 15.0, "working magnification" }, { 30.0, -10.0, 20.0, "working magnification" },
        { 10.0, 0.0, 26.0, "between" },                { -20.0, 20.0, 45.0, "between" },
        { -40.0, 60.0, 70.0, "between" },              { 0.0, 40.0, 105.0, "between" },               { 0.0, 40.0, 150.0, "between" },
    };
    const char *only = getenv("STIPPLE_BENCH_ONLY");
    view_state v3;
    chart_view(sh, cases[1].u, cases[1].v, cases[1].field_mm, v1.aspect, &v3);   /* the latency view */
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        if (only && atof(only) != cases[c].field_mm)
            continue;
        view_state vc;
        chart_view(sh, cases[c].u, cases[c].v, cases[c].field_mm, v1.aspect, &vc);
        double fc = measure_fps(&g, rh, h, &vc, frames, &ms);
        char name[64];
        snprintf(name, sizeof name, "bench-head-field%.0f.png", cases[c].field_mm);
        shot(&g, shots, name);
        printf("bench: head, %zu dots, %s (field %.0f mm, %zu crisp dots drawn): %.2f ms a frame, %.1f fps\n", nh,
               cases[c].what, cases[c].field_mm, render_crisp_count(rh), ms, fc);
    }
    /* the same dots on a head with the client's own stubble and scars: the hairs add to the
     * crisp instances, the scars a texture fetch a pixel */
    lesson lf;
    if (!only || atof(only) < 0.0) {
        renderer *rf = NULL;
        double tf = app_now_s();
        if (fixture_full_scalp_features_lesson(&lf, err, sizeof err) == 0 && (rf = render_create(&lf, sh, err, sizeof err))) {
            tf = app_now_s() - tf;
            printf("bench: head with hair and scars: renderer made in %.3f s (%zu hairs baked, scars rasterised)\n", tf,
                   render_scalp_features(rf)->hair_count);
            render_sync_dots(rf, dh, nh, 0);
            static const struct { double u, v, field_mm; } fcases[] = { { 0.0, -104.0, 15.0 }, { 0.0, -104.0, 70.0 } };
            for (size_t c = 0; c < sizeof fcases / sizeof fcases[0]; c++) {
                view_state vc;
                chart_view(sh, fcases[c].u, fcases[c].v, fcases[c].field_mm, v1.aspect, &vc);
                double fc = measure_fps(&g, rf, h, &vc, frames, &ms);
                char name[64];
                snprintf(name, sizeof name, "bench-scars-field%.0f.png", fcases[c].field_mm);
                shot(&g, shots, name);
                printf("bench: head with hair and scars, %zu dots, over the scars (field %.0f mm, %zu crisp dots and hairs "
                       "drawn): %.2f ms a frame, %.1f fps\n", nh, fcases[c].field_mm, render_crisp_count(rf), ms, fc);
            }
            render_free(rf);
            lesson_free(&lf);
        } else {
            fprintf(stderr, "bench: %s\n", err);
        }
    }
    double f5 = measure_fps(&g, rp, h, &vp, frames, &ms);
    shot(&g, shots, "bench-practice.png");
    printf("bench: practice skin, %zu dots, whole skin: %.2f ms a frame, %.1f fps\n", np, ms, f5);

    /* pen-to-photon: a puncture fed to the engine (machine on, pen down, lift), then the
     * frame that shows it; the event is stamped when it is read, as the app does */
    device_desc dev;
    pen_calibration cal;
    device_desc_virtual(&dev);
    pen_calibration_default(&cal);
    engine *e = engine_create(&lh, sh, &dev, &cal);
    session_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SEV_VIEW;
    ev.u.view = v3;
    engine_feed(e, &ev);
    memset(&ev, 0, sizeof ev);
    ev.kind = SEV_MACHINE;
    ev.u.value = 1;
    engine_feed(e, &ev);
    size_t nd0 = 0;
    render_sync_dots(rh, NULL, 0, 0);
    rng_state rng;
    rng_seed(5, &rng);
    double lat_sum = 0, lat_max = 0;
    int nlat = 20;
    for (int k = 0; k < nlat; k++) {
        int64_t t = (int64_t)(k + 1) * 1000000;
        pen_sample p;
        memset(&p, 0, sizeof p);
        p.x = (int32_t)(rng_range(&rng, 0.3, 0.7) * dev.x.max);
        p.y = (int32_t)(rng_range(&rng, 0.3, 0.7) * dev.y.max);
        p.flags = PEN_IN_PROXIMITY | PEN_TOUCH;
        p.pressure = (int32_t)(0.31 * dev.pressure.max);
        double t_event = app_now_s();
        memset(&ev, 0, sizeof ev);
        ev.kind = SEV_PEN;
        ev.t_us = p.t_us = t;
        ev.u.pen = p;
        engine_feed(e, &ev);
        ev.t_us = ev.u.pen.t_us = t + 80000;
        ev.u.pen.pressure = 0;
        ev.u.pen.flags = PEN_IN_PROXIMITY;
        engine_feed(e, &ev);
        size_t nd;
        const dot *dd = engine_dots(e, &nd);
        render_sync_dots(rh, dd, nd, 0);
        frame(&g, rh, h, &v3, NULL, 0);
        glFinish();
        SDL_GL_SwapWindow(g.window);
        double l = (app_now_s() - t_event) * 1e3;
        lat_sum += l;
        lat_max = fmax(lat_max, l);
        nd0 = nd;
    }
    printf("bench: pen-to-photon (event read -> swap showing its dot, at working magnification, %zu dots): mean %.1f ms, "
           "max %.1f ms (goal <= one frame + 4 ms)\n", nd0, lat_sum / nlat, lat_max);
    printf("bench: start-to-first-frame %.3f s, a head lesson (head surface %s, joined %.3f s after the window, "
           "renderer %.3f s) (goal < 0.5 s)\n", first, cached ? "read from the cache" : "built", t_join, t_create);
    engine_free(e);
    free(dh);
    free(dp);
    render_free(rh);
    render_free(rp);
    surface_free(sh);
    surface_free(sp);
    hud_free(h);
    lesson_free(&lh);
    lesson_free(&lp);
    app_gl_close(&g);
    return 0;
}

/* ---- zoom-mean self-test ---------------------------------------------------------------- */

/* Mean linear colour of the pixels inside [x0, x1) x [y0, y1) (top-left origin). */
static void mean_rect(const uint8_t *px, int w, int x0, int y0, int x1, int y1, double out[3])
{
    double s[3] = { 0, 0, 0 };
    size_t n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++, n++)
            for (int c = 0; c < 3; c++)
                s[c] += srgb8_to_linear(px[((size_t)y * (size_t)w + (size_t)x) * 3 + (size_t)c]);
    for (int c = 0; c < 3; c++)
        out[c] = n ? s[c] / (double)n : 0.0;
}

static void render_mean(app_gl *g, renderer *r, const view_state *v, const double rect01[4], double out[3], const char *png)
{
    render_frame f;
    memset(&f, 0, sizeof f);
    f.view = v;
    f.width = g->width;
    f.height = g->height;
    f.crisp = 1;
    /* a second of the fade's clock a view: each one measured settled, not mid cross-fade */
    static int64_t clock_us;
    clock_us += 1000000;
    f.time_us = clock_us;
    render_draw(r, &f);
    uint8_t *px = malloc((size_t)g->width * (size_t)g->height * 3);
    if (!px)
        return;
    gl_read_back_rgb(g->width, g->height, px);
    int x0 = (int)ceil(rect01[0] * g->width), x1 = (int)floor(rect01[2] * g->width);
    int y0 = (int)ceil(rect01[1] * g->height), y1 = (int)floor(rect01[3] * g->height);
    mean_rect(px, g->width, x0, y0, x1, y1, out);
    if (png) {
        char err[256];
        png_write_rgb(png, px, g->width, g->height, err, sizeof err);
    }
    free(px);
    SDL_GL_SwapWindow(g->window);
}

/* The practice lesson with the client's stubble over the self-test's region (70 FU/cm2,
 * 0.6 mm, dark brown: lesson 05's). */
static const char hair_lesson[] =
    "{\"format\":\"stipple-lesson/1\",\"id\":\"bench-hair\",\"title\":\"Self-test: stubble\","
    "\"version\":1,\"surface\":{\"kind\":\"practice_skin\",\"width_mm\":100,\"height_mm\":70},"
    "\"client\":{\"fitzpatrick\":3,\"hair_colour\":\"dark_brown\"},"
    "\"zones\":[{\"name\":\"all\",\"polygon_mm\":[[5,5],[95,5],[95,65],[5,65]]}],"
    "\"existing_hair\":{\"polygon_mm\":[[20,15],[80,15],[80,55],[20,55]],\"density_per_cm2\":70,\"length_mm\":0.6,\"seed\":5},"
    "\"session\":{\"number\":3,\"density_per_cm2\":100},"
    "\"needle\":{\"config\":\"3RL\",\"diameter_mm\":0.25},\"pigment\":{\"target_shade\":6,\"allowed_shades\":[4,10]},"
    "\"weights\":{\"spacing\":0.35,\"depth\":0.3,\"pigment\":0.15,\"quality\":0.2},"
    "\"sources\":[\"model-defaults.md: full density 100/cm2\"]}";

/* The stubble's share of a view: the mean colour with hair over the same view without. */
static void hair_ratio(app_gl *g, renderer *bare, renderer *hair, const view_state *v, const double rect[4],
                       double ratio[3])
{
    double a[3], b[3];
    render_mean(g, hair, v, rect, a, NULL);
    render_mean(g, bare, v, rect, b, NULL);
    for (int c = 0; c < 3; c++)
        ratio[c] = a[c] / b[c];
}

/* Hairs: the region's mean zoomed out equals the zoomed-in (crisp hairs) one, at every
 * field between. Returns the largest difference, or -1 when the renderer cannot be made. */
static double selftest_hair(app_gl *g, renderer *bare, const surface *s, const view_state *out, const double rect[4],
                            double ru0, double rv0)
{
    char err[512];
    lesson l;
    if (lesson_load_mem(hair_lesson, sizeof hair_lesson - 1, "bench-hair", &l, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1.0;
    }
    renderer *r = render_create(&l, s, err, sizeof err);
    if (!r) {
        fprintf(stderr, "selftest: %s\n", err);
        lesson_free(&l);
        return -1.0;
    }
    render_sync_dots(r, NULL, 0, 0);
    render_sync_dots(bare, NULL, 0, 0);
    double r_out[3], r_in[3] = { 0, 0, 0 };
    hair_ratio(g, bare, r, out, rect, r_out);
    static const double full[4] = { 0.0, 0.0, 1.0, 1.0 };
    for (int ty = 0; ty < 2; ty++)
        for (int tx = 0; tx < 2; tx++) {
            view_state in = *out;
            in.target_mm[0] = (float)(ru0 + 4.0 + 8.0 * tx);
            in.target_mm[1] = (float)(rv0 + 2.5 + 5.0 * ty);
            in.distance_mm = (float)(5.0 / (2.0 * tan(15.0 * 3.14159265358979 / 180.0)));
            double m[3];
            hair_ratio(g, bare, r, &in, full, m);
            for (int c = 0; c < 3; c++)
                r_in[c] += 0.25 * m[c];
        }
    double worst = 0.0;
    for (int c = 0; c < 3; c++)
        worst = fmax(worst, fabs(r_out[c] - r_in[c]));
    printf("zoom-mean: hair: zoomed out / bare skin = %.4f %.4f %.4f; zoomed in (crisp hairs) = %.4f %.4f %.4f "
           "(difference %.4f)\n", r_out[0], r_out[1], r_out[2], r_in[0], r_in[1], r_in[2], worst);
    static const double fields_mm[] = { 20, 40, 120, 200 };
    double p0[3] = { ru0, rv0, 0 }, p1[3] = { ru0 + 16.0, rv0 + 10.0, 0 };
    for (size_t k = 0; k < sizeof fields_mm / sizeof fields_mm[0]; k++) {
        view_state vz = *out;
        vz.distance_mm = (float)(fields_mm[k] / (2.0 * tan(15.0 * 3.14159265358979 / 180.0)));
        double rz[4], x0, y0, x1, y1, m[3];
        view_project(&vz, p0, &x0, &y0);
        view_project(&vz, p1, &x1, &y1);
        rz[0] = fmin(x0, x1);
        rz[1] = fmin(y0, y1);
        rz[2] = fmax(x0, x1);
        rz[3] = fmax(y0, y1);
        hair_ratio(g, bare, r, &vz, rz, m);
        double d = 0.0;
        for (int c = 0; c < 3; c++)
            d = fmax(d, fabs(m[c] - r_in[c]));
        printf("zoom-mean: hair: field %3.0f mm: / bare skin = %.4f %.4f %.4f (difference %.4f)\n", fields_mm[k], m[0],
               m[1], m[2], d);
        worst = fmax(worst, d);
    }
    render_free(r);
    lesson_free(&l);
    return worst;
}

int app_selftest_zoom(const app_options *o)
{
    app_gl g;
    int rc = app_gl_open(&g, o->width, o->height, "Stipple self-test");
    if (rc != 0)
        return rc;
    char err[512];
    lesson l;
    if (lesson_load_mem(practice_lesson, sizeof practice_lesson - 1, "bench-practice", &l, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    surface *s = surface_create(SURFACE_PRACTICE_SKIN, l.skin_width_mm, l.skin_height_mm);
    renderer *r = s ? render_create(&l, s, err, sizeof err) : NULL;
    if (!r) {
        fprintf(stderr, "selftest: %s\n", err);
        return 1;
    }
    size_t n = 0;
    dot *dots = fixture_dots(&l, s, 7000, 21, &n);
    const char *dir = getenv("STIPPLE_SELFTEST_SHOTS");
    char png[1024];
    /* the region: chart [40, 56] x [30, 40] mm, seen face on (the skin is the plane z = 0) */
    double ru0 = 40.0, rv0 = 30.0, ru1 = 56.0, rv1 = 40.0;
    view_state out;
    memset(&out, 0, sizeof out);
    out.fov_y_deg = 30.0f;
    out.aspect = (float)g.width / (float)g.height;
    out.target_mm[0] = 50.0f;
    out.target_mm[1] = 35.0f;
    out.distance_mm = (float)(80.0 / (2.0 * tan(15.0 * 3.14159265358979 / 180.0)));   /* field 80 mm */
    double a[3], b[3], rect[4];
    double p0[3] = { ru0, rv0, 0 }, p1[3] = { ru1, rv1, 0 };
    double x0, y0, x1, y1;
    view_project(&out, p0, &x0, &y0);
    view_project(&out, p1, &x1, &y1);
    rect[0] = fmin(x0, x1);
    rect[1] = fmin(y0, y1);
    rect[2] = fmax(x0, x1);
    rect[3] = fmax(y0, y1);
    double mean_out[3], mean_out_bare[3], mean_in[3] = { 0, 0, 0 }, mean_in_bare[3] = { 0, 0, 0 };
    render_sync_dots(r, dots, 0, 0);
    render_mean(&g, r, &out, rect, mean_out_bare, NULL);
    render_sync_dots(r, dots, n, 0);
    if (dir)
        snprintf(png, sizeof png, "%s/zoom-out.png", dir);
    render_mean(&g, r, &out, rect, mean_out, dir ? png : NULL);
    /* zoomed in: 2 x 2 tiles of 8 x 5 mm (field 5 mm: crisp dots only) */
    static const double full[4] = { 0.0, 0.0, 1.0, 1.0 };
    for (int pass = 0; pass < 2; pass++) {
        render_sync_dots(r, dots, pass ? n : 0, 0);
        for (int ty = 0; ty < 2; ty++)
            for (int tx = 0; tx < 2; tx++) {
                view_state in = out;
                in.target_mm[0] = (float)(ru0 + 4.0 + 8.0 * tx);
                in.target_mm[1] = (float)(rv0 + 2.5 + 5.0 * ty);
                in.distance_mm = (float)(5.0 / (2.0 * tan(15.0 * 3.14159265358979 / 180.0)));
                double m[3];
                if (dir && pass && tx == 0 && ty == 0)
                    snprintf(png, sizeof png, "%s/zoom-in.png", dir);
                render_mean(&g, r, &in, full, m, dir && pass && tx == 0 && ty == 0 ? png : NULL);
                for (int c = 0; c < 3; c++)
                    (pass ? mean_in : mean_in_bare)[c] += 0.25 * m[c];
            }
    }
    size_t crisp = render_crisp_count(r);
    double tex[4];
    dotmap_mean(render_get_dotmap(r), ru0, rv0, ru1, rv1, tex);
    double worst = 0.0;
    for (int c = 0; c < 3; c++) {
        a[c] = mean_out[c] / mean_out_bare[c];
        b[c] = mean_in[c] / mean_in_bare[c];
        worst = fmax(worst, fabs(a[c] - b[c]));
    }
    printf("zoom-mean: %zu dots; region %.0fx%.0f mm; zoomed out (field 80 mm) / bare skin = %.4f %.4f %.4f; "
           "zoomed in (field 5 mm, %zu crisp dots a tile) / bare skin = %.4f %.4f %.4f; texture coverage %.4f; "
           "largest difference %.4f\n",
           n, ru1 - ru0, rv1 - rv0, a[0], a[1], a[2], crisp, b[0], b[1], b[2], tex[3], worst);
    /* every zoom between: across the texture's filters (level 0 magnified and minified,
     * trilinear) the region's mean stays the zoomed-in one: nothing pops as one gives way
     * to another */
    static const double fields_mm[] = { 20, 28, 32, 35, 40, 60, 120, 200 };
    double worst_zoom = 0.0;
    for (size_t k = 0; k < sizeof fields_mm / sizeof fields_mm[0]; k++) {
        view_state vz = out;
        vz.distance_mm = (float)(fields_mm[k] / (2.0 * tan(15.0 * 3.14159265358979 / 180.0)));
        double rz[4], m[3], bare[3];
        view_project(&vz, p0, &x0, &y0);
        view_project(&vz, p1, &x1, &y1);
        rz[0] = fmin(x0, x1);
        rz[1] = fmin(y0, y1);
        rz[2] = fmax(x0, x1);
        rz[3] = fmax(y0, y1);
        render_sync_dots(r, dots, 0, 0);
        render_mean(&g, r, &vz, rz, bare, NULL);
        render_sync_dots(r, dots, n, 0);
        render_mean(&g, r, &vz, rz, m, NULL);
        double d = 0.0;
        for (int c = 0; c < 3; c++)
            d = fmax(d, fabs(m[c] / bare[c] - b[c]));
        printf("zoom-mean: field %3.0f mm: / bare skin = %.4f %.4f %.4f (difference %.4f)\n", fields_mm[k],
               m[0] / bare[0], m[1] / bare[1], m[2] / bare[2], d);
        worst_zoom = fmax(worst_zoom, d);
    }
    worst = fmax(worst, worst_zoom);
    double worst_hair = selftest_hair(&g, r, s, &out, rect, ru0, rv0);
    double tol = 0.01;
    int ok = worst <= tol && crisp > 0 && worst_hair >= 0.0 && worst_hair <= tol;
    printf("zoom-mean: %s (tolerance %.3f of the skin's linear intensity)\n", ok ? "PASS" : "FAIL", tol);
    free(dots);
    render_free(r);
    surface_free(s);
    lesson_free(&l);
    app_gl_close(&g);
    return ok ? 0 : 1;
}
