/* renderer_internal.h: the renderer's state, shared by its files: renderer.c (set-up, the
 * mesh, guides, drawing a frame) and render_dots.c (the dots, the client's hair and scars
 * baked into the dot texture, and the grid of them for the crisp dots). */
#ifndef STIPPLE_RENDERER_INTERNAL_H
#define STIPPLE_RENDERER_INTERNAL_H

#include <glad/gl.h>
#include <stddef.h>
#include <stdint.h>

#include "dotlook.h"
#include "dotmap.h"
#include "render_mesh.h"
#include "renderer.h"
#include "scalp_features.h"

#define GRID_CELL_MM 4.0
/* Grid entries: a dot's index, or a hair's with HAIR_BIT set. */
#define HAIR_BIT 0x80000000u

typedef struct cell { uint32_t *idx; uint32_t n, cap; } cell;

typedef struct head_prog {
    GLuint prog;
    GLint  mvp, skin, eye, light, sheen, dots, dots_xform, tex_weight, overlay, overlay_xform, lod0, scars, scar_xform;
} head_prog;

typedef struct line_vtx { float a[3], b[3], end_side[2], col[4]; } line_vtx;

struct renderer {
    const lesson  *lesson;
    const surface *surface;
    float skin_lin[3];

    /* mesh */
    GLuint head_vao, head_vbo[3], head_ibo;
    GLsizei head_index_count;
    mesh_chunk *chunks;          /* render_mesh.h: drawn when in view */
    size_t      nchunks;
    int         hairs_pending;   /* render_create_deferred: hairs and scars not baked yet */
    mesh_occluder occluder;      /* render_mesh.h: hides the chunks behind the cranium */
    GLsizei    *range_count;     /* this frame's ranges of them (nchunks each) */
    uint32_t   *range_first;
    const void **range_offset;
    void       *range_scratch;
    head_prog hp[4][4];          /* [filter: trilinear, level 0, mixed, none][variant: bit 0 the
                                  * overlay, bit 1 scars]; compiled when first needed */

    /* baked dots */
    dotmap   *map;
    dot_look *looks;
    size_t    nlooks, caplooks;
    int       healed;
    int       keep_base;         /* render_keep_base: the texture's base kept at the first dot */
    /* chart grid of dot indices, for the crisp dots in view */
    double gu0, gv0;
    int    gw, gh;
    cell  *cells;

    /* the client's own hair (drawn as dots are: baked and crisp) and scars (a texture) */
    scalp_features feat;
    dot_look *hairs;
    size_t    nhairs;
    GLuint    scar_tex;          /* for crisp views; the dot texture has the scars under its dots */
    double    scar_xform[4];     /* chart origin (u0, v0), 1 / size (mm) */
    double    scar_box[4];       /* chart mm */
    float     scar_rgb[3];       /* linear */

    /* crisp dots */
    GLuint dot_prog, dot_prog_tail, dot_vao, quad_vbo, inst_vbo;   /* dots without, with a tail */
    GLint  du_mvp, du_weight, dtu_mvp, dtu_weight;
    float *inst;
    size_t inst_cap, inst_count;
    int    crisp_goal;       /* the way the view asks for (1 crisp, 0 texture) */
    double crisp_mix;        /* the crisp dots' weight now (the texture's is 1 - it) */
    int    lod0_goal;        /* the texture's filter the view asks for (1 level 0, 0 trilinear) */
    double lod0_mix;         /* level 0's weight now (trilinear's is 1 - it) */
    double fade_step;        /* this frame's step of both cross-fades */
    int64_t fade_t_us;       /* the clock at the last frame; INT64_MIN before the first */

    /* overlay */
    GLuint overlay_tex;
    double ou0, ov0, ocell;
    int    ow, oh;

    /* guides */
    GLuint line_prog, line_vao, line_vbo;
    GLint  lu_mvp, lu_viewport, lu_width;
    GLsizei line_vertex_count;

    /* markers */
    GLuint mark_prog, mark_vao, mark_vbo;
    GLint  mu_mvp, mu_eye, mu_viewport;

    /* offscreen target */
    GLuint fbo, color_tex, depth_rb;
    int    fw, fh;
    GLuint resolve_prog, resolve_vao;
    GLint  ru_scene;
    int    direct;          /* drawing into the window's sRGB-capable framebuffer */
    GLuint empty_tex;       /* stands in for the dot texture before it is made */
    GLuint lin_sampler;     /* level 0, bilinear, no mip filter (for FILTER 1) */
    int    frames;
};

static inline const dot_look *look_at(const renderer *r, uint32_t idx)
{
    return idx & HAIR_BIT ? &r->hairs[idx & ~HAIR_BIT] : &r->looks[idx];
}

/* render_dots.c */
int  render_make_hairs(renderer *r);   /* the client's hairs as dot looks; 0 or -1 */
int  render_make_scars(renderer *r);   /* the scar texture (crisp views); 0 or -1 */
void render_add_hairs(renderer *r);    /* scars and hairs into the dot texture and the grid */

#endif
