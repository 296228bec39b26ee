/* renderer.c: see renderer.h.
 * Passes: skin (+ baked dots + overlay; the mesh's chunks in view, nearest first:
 * render_mesh.c) -> guide lines -> crisp dots -> flag markers, all into an sRGB8 colour
 * texture with depth; then a resolve pass copies it to the window. */
#include "renderer.h"

#include <cglm/cglm.h>
#include <glad/gl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "color.h"
#include "gl_util.h"
#include "renderer_internal.h"

#define HEAD_TEXEL_MM 0.078125      /* 3072 x 4096 texels over u -120..120, v -150..170 */
/* Two ways to draw the dots: the baked texture, or crisp instanced dots (at magnification,
 * where the texture would be blurred). One is chosen per view from the texel/pixel ratio at
 * the farthest skin in view, with hysteresis, and the change is a cross-fade in time
 * (CRISP_FADE_US): a view never pays for both, except during that fade. */
#define CRISP_ON 2.3                /* texel/pixel ratio from which dots are drawn crisp */
#define CRISP_OFF 2.1               /* ... and below which the texture takes over again */
#define CRISP_FADE_US 150000
#define LOD0_UP_TO 0.7              /* mip level at the target up to which level 0 alone is drawn */
#define TRILINEAR_FROM 0.8          /* ... and from which GL's trilinear filter (hysteresis) */

/* ---- setup ------------------------------------------------------------------------- */

static int make_head_prog(renderer *r, int filter, int variant, char *err, size_t errlen)
{
    head_prog *h = &r->hp[filter][variant];
    char defs[96];
    snprintf(defs, sizeof defs, "#define FILTER %d\n%s%s", filter, variant & 1 ? "#define OVERLAY 1\n" : "",
             variant & 2 ? "#define SCARS 1\n" : "");
    h->prog = glu_program("head", defs, err, errlen);
    if (!h->prog)
        return -1;
    GLuint p = h->prog;
    h->mvp = glGetUniformLocation(p, "u_mvp");
    h->skin = glGetUniformLocation(p, "u_skin");
    h->eye = glGetUniformLocation(p, "u_eye");
    h->light = glGetUniformLocation(p, "u_light");
    h->sheen = glGetUniformLocation(p, "u_sheen");
    h->dots = glGetUniformLocation(p, "u_dots");
    h->dots_xform = glGetUniformLocation(p, "u_dots_xform");
    h->tex_weight = glGetUniformLocation(p, "u_tex_weight");
    h->overlay = glGetUniformLocation(p, "u_overlay");
    h->overlay_xform = glGetUniformLocation(p, "u_overlay_xform");
    h->lod0 = glGetUniformLocation(p, "u_lod0");
    h->scars = glGetUniformLocation(p, "u_scars");
    h->scar_xform = glGetUniformLocation(p, "u_scar_xform");
    return 0;
}

static int make_mesh(renderer *r, render_mesh_prepared *prep, char *err, size_t errlen)
{
    render_mesh rm;
    if (prep && prep->surface == r->surface) {   /* made ahead, on a worker thread */
        rm = prep->mesh;
        r->chunks = prep->chunks;
        r->nchunks = prep->nchunks;
        memset(&prep->mesh, 0, sizeof prep->mesh);
        prep->chunks = NULL;
    } else if (render_mesh_make(r->surface, &rm, &r->chunks, &r->nchunks) != 0) {
        snprintf(err, errlen, "out of memory (skin mesh)");
        return -1;
    }
    size_t nc = r->nchunks ? r->nchunks : 1;
    r->range_count = malloc(nc * sizeof *r->range_count);
    r->range_first = malloc(nc * sizeof *r->range_first);
    r->range_offset = malloc(nc * sizeof *r->range_offset);
    r->range_scratch = malloc(nc * RENDER_MESH_SCRATCH_BYTES);
    if (!r->range_count || !r->range_first || !r->range_offset || !r->range_scratch) {
        render_mesh_free(&rm);
        snprintf(err, errlen, "out of memory (skin mesh)");
        return -1;
    }
    size_t nv = rm.nv, nt = rm.nt;
    r->occluder = rm.occluder;
    glGenVertexArrays(1, &r->head_vao);
    glBindVertexArray(r->head_vao);
    glGenBuffers(3, r->head_vbo);
    glBindBuffer(GL_ARRAY_BUFFER, r->head_vbo[0]);
    glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)(nv * 3 * sizeof(float)), rm.pos, GL_STATIC_DRAW);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, 0, NULL);
    glBindBuffer(GL_ARRAY_BUFFER, r->head_vbo[1]);
    glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)(nv * 3 * sizeof(float)), rm.nrm, GL_STATIC_DRAW);
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 3, GL_FLOAT, GL_FALSE, 0, NULL);
    glBindBuffer(GL_ARRAY_BUFFER, r->head_vbo[2]);
    glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)(nv * 2 * sizeof(float)), rm.chart, GL_STATIC_DRAW);
    glEnableVertexAttribArray(2);
    glVertexAttribPointer(2, 2, GL_FLOAT, GL_FALSE, 0, NULL);
    glGenBuffers(1, &r->head_ibo);
    glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, r->head_ibo);
    glBufferData(GL_ELEMENT_ARRAY_BUFFER, (GLsizeiptr)(nt * 3 * sizeof(uint32_t)), rm.idx, GL_STATIC_DRAW);
    glBindVertexArray(0);
    r->head_index_count = (GLsizei)(nt * 3);
    render_mesh_free(&rm);
    for (int k = 0; k < 2; k++)
        if (make_head_prog(r, 0, k, err, errlen) != 0)
            return -1;
    return 0;
}

static int in_zone(const renderer *r, double u, double v)
{
    region_id reg = surface_region_at_chart(r->surface, u, v);
    if (reg == REGION_NONE)
        return 0;
    return lesson_zone_contains(r->lesson, u, v, reg);
}

/* ---- guide lines --------------------------------------------------------------------- */

typedef struct line_buf { line_vtx *v; size_t n, cap; } line_buf;

static int chart_to_3d(const renderer *r, double u, double v, float out[3])
{
    surface_hit h;
    if (!surface_chart_point(r->surface, u, v, &h))
        return 0;
    for (int i = 0; i < 3; i++)
        out[i] = (float)(h.pos_mm[i] + h.normal[i] * 0.05);
    return 1;
}

static void add_segment_3d(line_buf *b, const float a[3], const float c[3], const float col[4])
{
    if (b->n + 6 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        line_vtx *nv = realloc(b->v, cap * sizeof *nv);
        if (!nv)
            return;
        b->v = nv;
        b->cap = cap;
    }
    static const float es[6][2] = { { 0, -1 }, { 1, -1 }, { 1, 1 }, { 0, -1 }, { 1, 1 }, { 0, 1 } };
    for (int i = 0; i < 6; i++) {
        line_vtx *v = &b->v[b->n++];
        memcpy(v->a, a, sizeof v->a);
        memcpy(v->b, c, sizeof v->b);
        v->end_side[0] = es[i][0];
        v->end_side[1] = es[i][1];
        memcpy(v->col, col, sizeof v->col);
    }
}

static void add_chart_polyline(const renderer *r, line_buf *b, const chart_point *p, size_t n, int closed,
                               const float col[4])
{
    size_t segs = closed ? n : n - 1;
    for (size_t i = 0; i < segs && n >= 2; i++) {
        const chart_point *a = &p[i], *c = &p[(i + 1) % n];
        double len = hypot(c->u_mm - a->u_mm, c->v_mm - a->v_mm);
        int steps = (int)ceil(len / 0.5);
        if (steps < 1)
            steps = 1;
        float prev[3];
        int have_prev = chart_to_3d(r, a->u_mm, a->v_mm, prev);
        for (int k = 1; k <= steps; k++) {
            double t = (double)k / steps;
            float cur[3];
            int ok = chart_to_3d(r, a->u_mm + t * (c->u_mm - a->u_mm), a->v_mm + t * (c->v_mm - a->v_mm), cur);
            if (ok && have_prev)
                add_segment_3d(b, prev, cur, col);
            if (ok)
                memcpy(prev, cur, sizeof prev);
            have_prev = ok;
        }
    }
}

/* Zone outline: marching squares over the zone mask, crossings found by bisection so the
 * line follows the true (polygon or region) boundary, not the grid. */
static double crossing(const renderer *r, double ua, double va, double ub, double vb, int ina)
{
    double lo = 0.0, hi = 1.0;
    for (int i = 0; i < 12; i++) {
        double mid = 0.5 * (lo + hi);
        int m = in_zone(r, ua + mid * (ub - ua), va + mid * (vb - va));
        if (m == ina)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

static void add_zone_outline(const renderer *r, line_buf *b, const float col[4])
{
    double g = r->lesson->surface == SURFACE_HEAD ? 1.0 : 0.5;
    double u0 = r->map->u0, v0 = r->map->v0;
    int nx = (int)(r->map->w[0] * r->map->texel_mm / g), ny = (int)(r->map->h[0] * r->map->texel_mm / g);
    uint8_t *m = malloc((size_t)(nx + 1) * (size_t)(ny + 1));
    if (!m)
        return;
    for (int y = 0; y <= ny; y++)
        for (int x = 0; x <= nx; x++)
            m[(size_t)y * (size_t)(nx + 1) + (size_t)x] = (uint8_t)in_zone(r, u0 + x * g, v0 + y * g);
    for (int y = 0; y < ny; y++)
        for (int x = 0; x < nx; x++) {
            int c[4] = { m[(size_t)y * (size_t)(nx + 1) + (size_t)x], m[(size_t)y * (size_t)(nx + 1) + (size_t)x + 1],
                         m[(size_t)(y + 1) * (size_t)(nx + 1) + (size_t)x + 1], m[(size_t)(y + 1) * (size_t)(nx + 1) + (size_t)x] };
            if (c[0] == c[1] && c[1] == c[2] && c[2] == c[3])
                continue;
            double cu[4] = { u0 + x * g, u0 + (x + 1) * g, u0 + (x + 1) * g, u0 + x * g };
            double cv[4] = { v0 + y * g, v0 + y * g, v0 + (y + 1) * g, v0 + (y + 1) * g };
            double pu[4], pv[4];
            int np = 0;
            for (int e = 0; e < 4 && np < 4; e++) {
                int a = e, d = (e + 1) % 4;
                if (c[a] == c[d])
                    continue;
                double t = crossing(r, cu[a], cv[a], cu[d], cv[d], c[a]);
                pu[np] = cu[a] + t * (cu[d] - cu[a]);
                pv[np] = cv[a] + t * (cv[d] - cv[a]);
                np++;
            }
            for (int k = 0; k + 1 < np; k += 2) {
                float a3[3], b3[3];
                if (chart_to_3d(r, pu[k], pv[k], a3) && chart_to_3d(r, pu[k + 1], pv[k + 1], b3))
                    add_segment_3d(b, a3, b3, col);
            }
        }
    free(m);
}

static int make_guides(renderer *r, char *err, size_t errlen)
{
    line_buf b = { 0 };
    static const float zone_col[4] = { 0.55f, 0.85f, 1.0f, 0.85f };
    static const float hair_col[4] = { 0.75f, 0.02f, 0.20f, 0.95f };
    add_zone_outline(r, &b, zone_col);
    if (r->lesson->has_hairline && r->lesson->hairline.line_count >= 2)
        add_chart_polyline(r, &b, r->lesson->hairline.line, r->lesson->hairline.line_count, 0, hair_col);
    glGenVertexArrays(1, &r->line_vao);
    glBindVertexArray(r->line_vao);
    glGenBuffers(1, &r->line_vbo);
    glBindBuffer(GL_ARRAY_BUFFER, r->line_vbo);
    glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)(b.n * sizeof(line_vtx)), b.v, GL_STATIC_DRAW);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, sizeof(line_vtx), (void *)offsetof(line_vtx, a));
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 3, GL_FLOAT, GL_FALSE, sizeof(line_vtx), (void *)offsetof(line_vtx, b));
    glEnableVertexAttribArray(2);
    glVertexAttribPointer(2, 2, GL_FLOAT, GL_FALSE, sizeof(line_vtx), (void *)offsetof(line_vtx, end_side));
    glEnableVertexAttribArray(3);
    glVertexAttribPointer(3, 4, GL_FLOAT, GL_FALSE, sizeof(line_vtx), (void *)offsetof(line_vtx, col));
    glBindVertexArray(0);
    r->line_vertex_count = (GLsizei)b.n;
    free(b.v);
    r->line_prog = glu_program("lines", NULL, err, errlen);
    if (!r->line_prog)
        return -1;
    r->lu_mvp = glGetUniformLocation(r->line_prog, "u_mvp");
    r->lu_viewport = glGetUniformLocation(r->line_prog, "u_viewport");
    r->lu_width = glGetUniformLocation(r->line_prog, "u_width_px");
    return 0;
}

/* ---- instanced programs -------------------------------------------------------------- */

#define INST_FLOATS 19
#define MARK_FLOATS 11

/* A VAO drawing the unit quad (attribute 0) once per instance, the instance's floats
 * (stride floats in all) split into attributes 1.. of the given sizes, from a new buffer. */
static void instanced_vao(GLuint quad_vbo, const int *sizes, int count, int stride, GLuint *vao, GLuint *vbo)
{
    glGenVertexArrays(1, vao);
    glBindVertexArray(*vao);
    glBindBuffer(GL_ARRAY_BUFFER, quad_vbo);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, NULL);
    glGenBuffers(1, vbo);
    glBindBuffer(GL_ARRAY_BUFFER, *vbo);
    size_t off = 0;
    for (int i = 0; i < count; i++) {
        glEnableVertexAttribArray((GLuint)(i + 1));
        glVertexAttribPointer((GLuint)(i + 1), sizes[i], GL_FLOAT, GL_FALSE, (GLsizei)((size_t)stride * sizeof(float)),
                              (void *)(off * sizeof(float)));
        glVertexAttribDivisor((GLuint)(i + 1), 1);
        off += (size_t)sizes[i];
    }
    glBindVertexArray(0);
}

static int make_instanced(renderer *r, char *err, size_t errlen)
{
    static const float quad[8] = { -1, -1, 1, -1, -1, 1, 1, 1 };
    glGenBuffers(1, &r->quad_vbo);
    glBindBuffer(GL_ARRAY_BUFFER, r->quad_vbo);
    glBufferData(GL_ARRAY_BUFFER, sizeof quad, quad, GL_STATIC_DRAW);

    static const int sizes[6] = { 3, 3, 3, 4, 2, 4 };
    instanced_vao(r->quad_vbo, sizes, 6, INST_FLOATS, &r->dot_vao, &r->inst_vbo);
    r->dot_prog = glu_program("dots", NULL, err, errlen);
    r->dot_prog_tail = r->dot_prog ? glu_program("dots", "#define TAIL 1\n", err, errlen) : 0;
    if (!r->dot_prog || !r->dot_prog_tail)
        return -1;
    r->du_mvp = glGetUniformLocation(r->dot_prog, "u_mvp");
    r->du_weight = glGetUniformLocation(r->dot_prog, "u_weight");
    r->dtu_mvp = glGetUniformLocation(r->dot_prog_tail, "u_mvp");
    r->dtu_weight = glGetUniformLocation(r->dot_prog_tail, "u_weight");

    static const int msizes[4] = { 3, 3, 4, 1 };
    instanced_vao(r->quad_vbo, msizes, 4, MARK_FLOATS, &r->mark_vao, &r->mark_vbo);
    r->mark_prog = glu_program("markers", NULL, err, errlen);
    if (!r->mark_prog)
        return -1;
    r->mu_mvp = glGetUniformLocation(r->mark_prog, "u_mvp");
    r->mu_eye = glGetUniformLocation(r->mark_prog, "u_eye");
    r->mu_viewport = glGetUniformLocation(r->mark_prog, "u_viewport");

    r->resolve_prog = glu_program("resolve", NULL, err, errlen);
    if (!r->resolve_prog)
        return -1;
    r->ru_scene = glGetUniformLocation(r->resolve_prog, "u_scene");
    glGenVertexArrays(1, &r->resolve_vao);
    return 0;
}


static renderer *create(const lesson *l, const surface *s, int defer, render_mesh_prepared *prep, char *err, size_t errlen)
{
    renderer *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->lesson = l;
    r->surface = s;
    r->fade_t_us = INT64_MIN;
    lab skin;
    skin_lab_fitzpatrick(l->fitzpatrick, &skin);
    lab_to_linear(&skin, r->skin_lin);
    if (l->surface == SURFACE_HEAD) {
        r->map = dotmap_create(-120.0, -150.0, 3072, 4096, HEAD_TEXEL_MM);
    } else {
        double wmm = l->skin_width_mm, hmm = l->skin_height_mm;
        double texel = fmax(0.025, fmax(wmm, hmm) / 4000.0);
        int w = (int)ceil(wmm / texel) + 4, h = (int)ceil(hmm / texel) + 4;
        r->map = dotmap_create(-2.0 * texel, -2.0 * texel, w, h, texel);
    }
    if (!r->map) {
        snprintf(err, errlen, "out of memory (dot texture)");
        goto fail;
    }
    r->gu0 = r->map->u0;
    r->gv0 = r->map->v0;
    r->gw = (int)ceil(r->map->w[0] * r->map->texel_mm / GRID_CELL_MM);
    r->gh = (int)ceil(r->map->h[0] * r->map->texel_mm / GRID_CELL_MM);
    r->cells = calloc((size_t)r->gw * (size_t)r->gh, sizeof *r->cells);
    if (!r->cells) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (scalp_features_make(l, s, &r->feat) != 0 || render_make_scars(r) != 0 ||
        (!defer && render_make_hairs(r) != 0)) {
        snprintf(err, errlen, "out of memory (hair, scars)");
        goto fail;
    }
    if (defer)
        r->hairs_pending = 1;
    else
        render_add_hairs(r);
    if (make_mesh(r, prep, err, errlen) != 0 || make_guides(r, err, errlen) != 0 ||
        make_instanced(r, err, errlen) != 0)
        goto fail;
    /* draw straight into the window when its framebuffer can blend in linear light */
    GLint enc = 0;
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glGetFramebufferAttachmentParameteriv(GL_FRAMEBUFFER, GL_BACK_LEFT, GL_FRAMEBUFFER_ATTACHMENT_COLOR_ENCODING, &enc);
    r->direct = enc == GL_SRGB && !getenv("STIPPLE_RENDER_FBO");
    glGetError();
    /* a 1x1 empty overlay until one is set */
    static const uint8_t none[4] = { 0, 0, 0, 0 };
    render_set_overlay(r, none, 1, 1, 0.0, 0.0, 1.0);
    /* the dot texture (up to 67 MB: ~60 ms to allocate on llvmpipe) is made at the first
     * frame that has dots, or at the second frame: until then an empty 1x1 one stands in */
    glGenTextures(1, &r->empty_tex);
    glBindTexture(GL_TEXTURE_2D, r->empty_tex);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, 1, 1, 0, GL_RGBA, GL_UNSIGNED_BYTE, none);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    /* FILTER 1 samples level 0 alone: a sampler without a mip filter tells llvmpipe so, and
     * it then filters the 8-bit texels in its cheaper path (same result, ~5 ms CPU a frame
     * less where the skin fills the screen) */
    glGenSamplers(1, &r->lin_sampler);
    glSamplerParameteri(r->lin_sampler, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glSamplerParameteri(r->lin_sampler, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glSamplerParameteri(r->lin_sampler, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_BORDER);
    glSamplerParameteri(r->lin_sampler, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_BORDER);
    {
        float border[4] = { 0, 0, 0, 0 };
        glSamplerParameterfv(r->lin_sampler, GL_TEXTURE_BORDER_COLOR, border);
    }
    return r;
fail:
    render_free(r);
    return NULL;
}

renderer *render_create(const lesson *l, const surface *s, char *err, size_t errlen)
{
    return create(l, s, 0, NULL, err, errlen);
}

renderer *render_create_deferred(const lesson *l, const surface *s, char *err, size_t errlen)
{
    return create(l, s, 1, NULL, err, errlen);
}

renderer *render_create_from(const lesson *l, const surface *s, int deferred, render_mesh_prepared *mesh, char *err,
                             size_t errlen)
{
    renderer *r = create(l, s, deferred, mesh, err, errlen);
    render_mesh_prepared_free(mesh);
    return r;
}

int render_bake_pending(renderer *r)
{
    if (!r->hairs_pending)
        return 0;
    r->hairs_pending = 0;
    if (render_make_hairs(r) != 0)
        return -1;
    render_add_hairs(r);
    return 1;
}

void render_free(renderer *r)
{
    if (!r)
        return;
    dotmap_free(r->map);
    if (r->cells)
        for (int i = 0; i < r->gw * r->gh; i++)
            free(r->cells[i].idx);
    free(r->cells);
    free(r->looks);
    free(r->hairs);
    scalp_features_free(&r->feat);
    free(r->inst);
    free(r->chunks);
    free(r->range_count);
    free(r->range_first);
    free(r->range_offset);
    free(r->range_scratch);
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 4; k++)
            if (r->hp[i][k].prog)
                glDeleteProgram(r->hp[i][k].prog);
    GLuint progs[5] = { r->dot_prog, r->dot_prog_tail, r->line_prog, r->mark_prog, r->resolve_prog };
    for (int i = 0; i < 5; i++)
        if (progs[i])
            glDeleteProgram(progs[i]);
    GLuint bufs[8] = { r->head_vbo[0], r->head_vbo[1], r->head_vbo[2], r->head_ibo, r->quad_vbo, r->inst_vbo, r->line_vbo, r->mark_vbo };
    for (int i = 0; i < 8; i++)
        if (bufs[i])
            glDeleteBuffers(1, &bufs[i]);
    GLuint vaos[5] = { r->head_vao, r->dot_vao, r->line_vao, r->mark_vao, r->resolve_vao };
    for (int i = 0; i < 5; i++)
        if (vaos[i])
            glDeleteVertexArrays(1, &vaos[i]);
    GLuint texs[4] = { r->overlay_tex, r->color_tex, r->empty_tex, r->scar_tex };
    for (int i = 0; i < 4; i++)
        if (texs[i])
            glDeleteTextures(1, &texs[i]);
    if (r->lin_sampler)
        glDeleteSamplers(1, &r->lin_sampler);
    if (r->depth_rb)
        glDeleteRenderbuffers(1, &r->depth_rb);
    if (r->fbo)
        glDeleteFramebuffers(1, &r->fbo);
    free(r);
}

void render_set_overlay(renderer *r, const uint8_t *rgba, int w, int h, double u0, double v0, double cell_mm)
{
    if (!r->overlay_tex) {
        glGenTextures(1, &r->overlay_tex);
        glBindTexture(GL_TEXTURE_2D, r->overlay_tex);
        glu_texture_clamp_clear(GL_LINEAR, GL_LINEAR);
    }
    glBindTexture(GL_TEXTURE_2D, r->overlay_tex);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    if (w != r->ow || h != r->oh)
        glTexImage2D(GL_TEXTURE_2D, 0, GL_SRGB8_ALPHA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    else
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    r->ow = w;
    r->oh = h;
    r->ou0 = u0;
    r->ov0 = v0;
    r->ocell = cell_mm;
}

/* ---- drawing ------------------------------------------------------------------------- */

static void ensure_target(renderer *r, int w, int h)
{
    if (r->fbo && r->fw == w && r->fh == h)
        return;
    if (!r->fbo) {
        glGenFramebuffers(1, &r->fbo);
        glGenTextures(1, &r->color_tex);
        glGenRenderbuffers(1, &r->depth_rb);
    }
    glBindTexture(GL_TEXTURE_2D, r->color_tex);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_SRGB8_ALPHA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, NULL);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glBindRenderbuffer(GL_RENDERBUFFER, r->depth_rb);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_DEPTH_COMPONENT24, w, h);
    glBindFramebuffer(GL_FRAMEBUFFER, r->fbo);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, r->color_tex, 0);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, r->depth_rb);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    r->fw = w;
    r->fh = h;
}

static void push_instance(renderer *r, const dot_look *L)
{
    if (r->inst_count == r->inst_cap) {
        size_t cap = r->inst_cap ? r->inst_cap * 2 : 4096;
        float *ni = realloc(r->inst, cap * INST_FLOATS * sizeof *ni);
        if (!ni)
            return;
        r->inst = ni;
        r->inst_cap = cap;
    }
    float *o = r->inst + r->inst_count * INST_FLOATS;
    memcpy(o, L->pos, 3 * sizeof(float));
    memcpy(o + 3, L->eu, 3 * sizeof(float));
    memcpy(o + 6, L->ev, 3 * sizeof(float));
    o[9] = L->radius_mm;
    o[10] = L->softness;
    o[11] = L->elongation;
    o[12] = L->angle;
    o[13] = L->tail[0];
    o[14] = L->tail[1];
    memcpy(o + 15, L->rgb, 3 * sizeof(float));
    o[18] = L->opacity;
    r->inst_count++;
}

/* The crisp-dot weight for this frame: the ratio of texel to pixel at the farthest skin
 * seen (a 7x7 grid of rays; on a convex patch the farthest point is at the grid's edge;
 * 10 % margin) picks the goal; the weight moves towards it over CRISP_FADE_US of the
 * frame clock. Then, if the weight is above 0, the dots in the chart cells the view sees. */
static double fade_toward(double mix, int goal, double step)
{
    return goal ? fmin(1.0, mix + step) : fmax(0.0, mix - step);
}

static void gather_crisp(renderer *r, const view_state *v, int width, int height, const mat4 mvp)
{
    r->inst_count = 0;
    double eye[3], right[3], up[3], fwd[3];
    view_basis(v, eye, right, up, fwd);
    double th = tan(0.5 * (double)v->fov_y_deg * 3.14159265358979 / 180.0);
    double px_per_mm_at_1 = (double)height / (2.0 * th);   /* pixels per mm at distance 1 mm */
    double texel = r->map->texel_mm;
    double umin = 1e30, umax = -1e30, vmin = 1e30, vmax = -1e30;
    double far_mm = 0.0;        /* the farthest skin seen, along the view direction */
    /* nothing can qualify when even the target is too far */
    if (texel * px_per_mm_at_1 / (double)v->distance_mm >= 0.8 * CRISP_OFF) {
        view_state vv = *v;
        vv.aspect = (float)width / (float)height;
        for (int j = 0; j < 7; j++)
            for (int i = 0; i < 7; i++) {
                double o[3], d[3];
                view_ray(&vv, i / 6.0, j / 6.0, o, d);
                surface_hit h;
                if (!surface_raycast(r->surface, o, d, &h))
                    continue;
                far_mm = fmax(far_mm, (h.pos_mm[0] - eye[0]) * fwd[0] + (h.pos_mm[1] - eye[1]) * fwd[1] +
                                          (h.pos_mm[2] - eye[2]) * fwd[2]);
                umin = fmin(umin, h.chart_mm[0]);
                umax = fmax(umax, h.chart_mm[0]);
                vmin = fmin(vmin, h.chart_mm[1]);
                vmax = fmax(vmax, h.chart_mm[1]);
            }
    }
    double ratio_far = far_mm > 0.0 ? texel * px_per_mm_at_1 / (1.1 * far_mm) : 0.0;
    if (ratio_far >= CRISP_ON)
        r->crisp_goal = 1;
    else if (ratio_far < CRISP_OFF)
        r->crisp_goal = 0;
    /* nothing to gather (too far, or no skin in view): the texture at once, or the dots
     * would fade out with it and back in */
    r->crisp_mix = umin > umax ? 0.0 : fade_toward(r->crisp_mix, r->crisp_goal, r->fade_step);
    if (r->crisp_mix <= 0.0 || umin > umax)
        return;
    double pad = 0.25 * fmax(umax - umin, vmax - vmin) + 2.0;
    int cx0 = (int)floor((umin - pad - r->gu0) / GRID_CELL_MM), cx1 = (int)floor((umax + pad - r->gu0) / GRID_CELL_MM);
    int cy0 = (int)floor((vmin - pad - r->gv0) / GRID_CELL_MM), cy1 = (int)floor((vmax + pad - r->gv0) / GRID_CELL_MM);
    cx0 = cx0 < 0 ? 0 : cx0;
    cy0 = cy0 < 0 ? 0 : cy0;
    cx1 = cx1 >= r->gw ? r->gw - 1 : cx1;
    cy1 = cy1 >= r->gh ? r->gh - 1 : cy1;
    /* the dots, then the client's hairs over them (a hair lies above the ink) */
    for (int hairs = 0; hairs < (r->nhairs ? 2 : 1); hairs++) {
        for (int cy = cy0; cy <= cy1; cy++)
            for (int cx = cx0; cx <= cx1; cx++) {
                const cell *c = &r->cells[cy * r->gw + cx];
                for (uint32_t k = 0; k < c->n; k++) {
                    if (!(c->idx[k] & HAIR_BIT) != !hairs)
                        continue;
                    const dot_look *L = look_at(r, c->idx[k]);
                    if (!L->visible)
                        continue;
                    vec4 p = { L->pos[0], L->pos[1], L->pos[2], 1.0f }, q;
                    glm_mat4_mulv((vec4 *)mvp, p, q);
                    if (q[3] <= 0.0f)
                        continue;
                    float ext = 1.0f + 2.0f * dot_look_extent_mm(L) * (float)px_per_mm_at_1 / q[3] / (float)height;
                    if (fabsf(q[0]) > q[3] * ext || fabsf(q[1]) > q[3] * ext)
                        continue;
                    push_instance(r, L);
                }
            }
    }
}

void render_draw(renderer *r, const render_frame *f)
{
    const view_state *v = f->view;
    int w = f->width, h = f->height;
    if (r->map->tex || r->map->any_dirty || r->frames > 0)
        dotmap_flush(r->map);
    r->frames++;
    ensure_target(r, w, h);

    double eye[3], right[3], up[3], fwd[3];
    view_basis(v, eye, right, up, fwd);
    vec3 e = { (float)eye[0], (float)eye[1], (float)eye[2] };
    vec3 t = { v->target_mm[0], v->target_mm[1], v->target_mm[2] };
    vec3 u = { (float)up[0], (float)up[1], (float)up[2] };
    mat4 view, proj, mvp;
    glm_lookat(e, t, u, view);
    float dist = v->distance_mm > 0.5f ? v->distance_mm : 0.5f;
    float znear = fmaxf(0.2f, fminf(0.25f * dist, dist - 260.0f));
    float zfar = dist + 450.0f;
    float fov = v->fov_y_deg > 1.0f && v->fov_y_deg < 170.0f ? v->fov_y_deg : 30.0f;
    glm_perspective(fov * 3.14159265f / 180.0f, (float)w / (float)h, znear, zfar, proj);
    glm_mat4_mul(proj, view, mvp);
    float light[3];
    for (int i = 0; i < 3; i++)
        light[i] = (float)(-fwd[i] * 0.75 + up[i] * 0.55 - right[i] * 0.35);
    float ln = sqrtf(light[0] * light[0] + light[1] * light[1] + light[2] * light[2]);
    for (int i = 0; i < 3; i++)
        light[i] /= ln;

    /* texel/pixel = k_ratio / distance (mm), k_ratio = texel_mm * pixels a mm at 1 mm */
    double k_ratio = r->map->texel_mm * (double)h / (2.0 * tan(0.5 * (double)fov * 3.14159265358979 / 180.0));
    r->fade_step = r->fade_t_us == INT64_MIN || f->time_us < r->fade_t_us || f->settle
                       ? 1.0 : (double)(f->time_us - r->fade_t_us) / CRISP_FADE_US;
    r->fade_t_us = f->time_us;
    if (f->crisp)
        gather_crisp(r, v, w, h, mvp);
    else {
        r->inst_count = 0;
        r->crisp_goal = 0;
        r->crisp_mix = 0.0;
    }

    /* The skin pass writes sRGB bytes itself (its shader encodes: cheaper on llvmpipe than
     * the framebuffer doing it for every pixel); the blended passes after it (dots, lines,
     * markers) let the framebuffer decode, blend in linear light and encode. */
    glBindFramebuffer(GL_FRAMEBUFFER, r->direct ? 0 : r->fbo);
    glViewport(0, 0, w, h);
    glDisable(GL_FRAMEBUFFER_SRGB);
    glClearColor((float)f->background[0] / 255.0f, (float)f->background[1] / 255.0f, (float)f->background[2] / 255.0f, 1.0f);
    glClearDepth(1.0);
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);   /* whole: llvmpipe's fast clear */
    int clip_y0 = f->covered_bottom_px > 0 ? f->covered_bottom_px : 0;
    int clip_y1 = f->covered_top_px > 0 ? h - f->covered_top_px : h;
    if (clip_y1 > clip_y0 && (clip_y0 > 0 || clip_y1 < h)) {
        glEnable(GL_SCISSOR_TEST);
        glScissor(0, clip_y0, w, clip_y1 - clip_y0);
    }
    glEnable(GL_DEPTH_TEST);
    glDepthFunc(GL_LEQUAL);
    glEnable(GL_CULL_FACE);    /* the skin is closed (head) or seen from its front (practice skin) */
    glCullFace(GL_BACK);
    glFrontFace(GL_CCW);
    glDisable(GL_BLEND);

    /* skin */
    /* The dot texture's filter (head.frag's FILTER): GL's trilinear filter costs llvmpipe
     * ~5-10 ms a frame more than one scalar level where the skin fills the screen, and the
     * two mixed (FILTER 2) costs both. So where the texel/pixel ratio at the target is
     * >= 2^-LOD0_UP_TO (texels under 1.6 a pixel: no shimmer) level 0 alone is sampled;
     * from 2^-TRILINEAR_FROM trilinear, as when zoomed out (where the silhouette needs the
     * per-pixel level); a change between them is a cross-fade in time, as for crisp dots. */
    double lod_target = log2((double)dist / k_ratio);
    if (lod_target <= LOD0_UP_TO)
        r->lod0_goal = 1;
    else if (lod_target >= TRILINEAR_FROM)
        r->lod0_goal = 0;
    r->lod0_mix = fade_toward(r->lod0_mix, r->lod0_goal, r->fade_step);
    float lod0 = (float)r->lod0_mix;
    int filter = lod0 >= 1.0f ? 1 : lod0 <= 0.0f ? 0 : 2;
    if (getenv("STIPPLE_TRILINEAR"))
        filter = 0;
    if (r->crisp_mix >= 1.0)
        filter = 3;       /* no fetch: the crisp dots alone */
    /* the scars are in the dot texture; views that do not fetch it all (crisp, or fading
     * to crisp) fetch the scar texture instead */
    int ovl = (f->overlay ? 1 : 0) | (r->scar_tex && r->crisp_mix > 0.0 ? 2 : 0);
    if (!r->hp[filter][ovl].prog) {
        char perr[256];
        if (make_head_prog(r, filter, ovl, perr, sizeof perr) != 0) {
            fprintf(stderr, "render: %s\n", perr);
            r->hp[filter][ovl].prog = 0;
            filter = 0;
            ovl &= 1;     /* the programs made with the mesh */
        }
    }
    const head_prog *hp = &r->hp[filter][ovl];
    glUseProgram(hp->prog);
    glUniformMatrix4fv(hp->mvp, 1, GL_FALSE, (const float *)mvp);
    glUniform3fv(hp->skin, 1, r->skin_lin);
    glUniform3fv(hp->eye, 1, e);
    glUniform3fv(hp->light, 1, light);
    /* a shaved scalp's soft sheen; none on the practice skin (a matte pad) */
    glUniform1f(hp->sheen, r->lesson->surface == SURFACE_HEAD ? 0.07f : 0.0f);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, r->map->tex ? r->map->tex : r->empty_tex);
    glUniform1i(hp->dots, 0);
    double sw = r->map->w[0] * r->map->texel_mm, sh = r->map->h[0] * r->map->texel_mm;
    glUniform4f(hp->dots_xform, (float)r->map->u0, (float)r->map->v0, (float)(1.0 / sw), (float)(1.0 / sh));
    glUniform1f(hp->tex_weight, (float)(1.0 - r->crisp_mix));
    glUniform1f(hp->lod0, lod0);
    glActiveTexture(GL_TEXTURE1);
    glBindTexture(GL_TEXTURE_2D, r->overlay_tex);
    glUniform1i(hp->overlay, 1);
    glUniform4f(hp->overlay_xform, (float)r->ou0, (float)r->ov0, (float)(1.0 / (r->ow * r->ocell)), (float)(1.0 / (r->oh * r->ocell)));
    if (r->scar_tex) {
        glActiveTexture(GL_TEXTURE2);
        glBindTexture(GL_TEXTURE_2D, r->scar_tex);
        glUniform1i(hp->scars, 2);
        glUniform4f(hp->scar_xform, (float)r->scar_xform[0], (float)r->scar_xform[1], (float)r->scar_xform[2],
                    (float)r->scar_xform[3]);
        /* only where crisp dots are drawn, so magnified: level 0 alone, llvmpipe's cheap path */
        glBindSampler(2, r->lin_sampler);
    }
    glBindVertexArray(r->head_vao);
    glBindSampler(0, filter == 1 && r->map->tex ? r->lin_sampler : 0);
    /* only the chunks of the mesh in view and facing it (render_mesh.h) */
    size_t nranges = render_mesh_visible(r->chunks, r->nchunks, &r->occluder, (const float *)mvp, eye, r->range_count, r->range_first,
                                          r->range_scratch);
    for (size_t i = 0; i < nranges; i++)
        r->range_offset[i] = (const void *)((size_t)r->range_first[i] * sizeof(uint32_t));
    if (nranges)
        glMultiDrawElements(GL_TRIANGLES, r->range_count, GL_UNSIGNED_INT, r->range_offset, (GLsizei)nranges);
    glBindSampler(0, 0);
    glBindSampler(2, 0);
    glActiveTexture(GL_TEXTURE0);

    glEnable(GL_FRAMEBUFFER_SRGB);
    glEnable(GL_BLEND);
    glBlendFunc(GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
    glDepthMask(GL_FALSE);
    glDisable(GL_CULL_FACE);

    /* crisp dots (before the guides, which are drawn on top of the ink): those without a
     * tail first, by a program without the tail's terms (llvmpipe runs both sides of a
     * branch), then those with one */
    if (r->inst_count) {
        size_t nplain = 0;
        for (size_t i = 0; i < r->inst_count; i++) {
            float *o = r->inst + i * INST_FLOATS;
            if (o[13] * o[13] + o[14] * o[14] > 1e-8f)
                continue;
            if (i != nplain) {
                float tmp[INST_FLOATS];
                float *q = r->inst + nplain * INST_FLOATS;
                memcpy(tmp, q, sizeof tmp);
                memcpy(q, o, sizeof tmp);
                memcpy(o, tmp, sizeof tmp);
            }
            nplain++;
        }
        glBindVertexArray(r->dot_vao);
        glBindBuffer(GL_ARRAY_BUFFER, r->inst_vbo);
        glEnable(GL_POLYGON_OFFSET_FILL);
        glPolygonOffset(-1.0f, -4.0f);
        for (int pass = 0; pass < 2; pass++) {
            size_t first = pass ? nplain : 0, n = pass ? r->inst_count - nplain : nplain;
            if (!n)
                continue;
            glUseProgram(pass ? r->dot_prog_tail : r->dot_prog);
            glUniformMatrix4fv(pass ? r->dtu_mvp : r->du_mvp, 1, GL_FALSE, (const float *)mvp);
            glUniform1f(pass ? r->dtu_weight : r->du_weight, (float)r->crisp_mix);
            glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)(n * INST_FLOATS * sizeof(float)), r->inst + first * INST_FLOATS,
                         GL_STREAM_DRAW);
            glDrawArraysInstanced(GL_TRIANGLE_STRIP, 0, 4, (GLsizei)n);
        }
        glDisable(GL_POLYGON_OFFSET_FILL);
    }

    if (f->guides && r->line_vertex_count) {
        glUseProgram(r->line_prog);
        glUniformMatrix4fv(r->lu_mvp, 1, GL_FALSE, (const float *)mvp);
        glUniform2f(r->lu_viewport, (float)w, (float)h);
        glUniform1f(r->lu_width, 2.0f);
        glBindVertexArray(r->line_vao);
        glDrawArrays(GL_TRIANGLES, 0, r->line_vertex_count);
    }

    if (f->marker_count) {
        float *m = malloc(f->marker_count * MARK_FLOATS * sizeof *m);
        if (m) {
            for (size_t i = 0; i < f->marker_count; i++) {
                const render_marker *k = &f->markers[i];
                float *o = m + i * MARK_FLOATS;
                memcpy(o, k->pos, 3 * sizeof(float));
                memcpy(o + 3, k->nrm, 3 * sizeof(float));
                for (int c = 0; c < 3; c++)
                    o[6 + c] = srgb8_to_linear(k->rgba[c]);
                o[9] = (float)k->rgba[3] / 255.0f;
                o[10] = k->size_px;
            }
            glUseProgram(r->mark_prog);
            glUniformMatrix4fv(r->mu_mvp, 1, GL_FALSE, (const float *)mvp);
            glUniform3fv(r->mu_eye, 1, e);
            glUniform2f(r->mu_viewport, (float)w, (float)h);
            glBindVertexArray(r->mark_vao);
            glBindBuffer(GL_ARRAY_BUFFER, r->mark_vbo);
            glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)(f->marker_count * MARK_FLOATS * sizeof(float)), m, GL_STREAM_DRAW);
            glDrawArraysInstanced(GL_TRIANGLE_STRIP, 0, 4, (GLsizei)f->marker_count);
            free(m);
        }
    }
    glDepthMask(GL_TRUE);
    glDisable(GL_BLEND);
    glDisable(GL_DEPTH_TEST);
    glDisable(GL_FRAMEBUFFER_SRGB);
    if (r->direct) {
        glDisable(GL_SCISSOR_TEST);
        return;
    }

    /* resolve to the window (framebuffers that cannot blend in linear light) */
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glViewport(0, 0, w, h);
    glUseProgram(r->resolve_prog);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, r->color_tex);
    glUniform1i(r->ru_scene, 0);
    glBindVertexArray(r->resolve_vao);
    glDrawArrays(GL_TRIANGLES, 0, 3);
    glBindVertexArray(0);
    glDisable(GL_SCISSOR_TEST);
}

size_t render_crisp_count(const renderer *r) { return r->inst_count; }
const dotmap *render_get_dotmap(const renderer *r) { return r->map; }
double render_texel_mm(const renderer *r) { return r->map->texel_mm; }
const scalp_features *render_scalp_features(const renderer *r) { return &r->feat; }
