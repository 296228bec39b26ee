/* dotlook.c: see dotlook.h. */
#include "dotlook.h"

#include <math.h>
#include <string.h>

#include "color.h"

float srgb8_to_linear(unsigned char c)
{
    double x = (double)c / 255.0;
    return (float)(x <= 0.04045 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4));
}

void lab_to_linear(const lab *c, float rgb[3])
{
    uint8_t s[3];
    lab_to_srgb8(c, s);
    for (int i = 0; i < 3; i++)
        rgb[i] = srgb8_to_linear(s[i]);
}

static void normalize3(double v[3])
{
    double n = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    if (n > 1e-12)
        for (int i = 0; i < 3; i++)
            v[i] /= n;
}

/* Local frame: the skin directions of chart +u and +v at the dot, and their lengths. */
static void local_frame(const double chart[2], const double pos[3], const double normal[3], const surface *s,
                        double eu[3], double ev[3], double *su, double *sv)
{
    const double h = 0.25;
    surface_hit a, b;
    double n[3] = { normal[0], normal[1], normal[2] };
    int ok_u = surface_chart_point(s, chart[0] + h, chart[1], &a);
    int ok_v = surface_chart_point(s, chart[0], chart[1] + h, &b);
    if (!ok_u || !ok_v) {
        /* off the chart's domain (face, ear): any tangent frame will do */
        double ref[3] = { 0.0, 1.0, 0.0 };
        if (fabs(n[1]) > 0.9) {
            ref[1] = 0.0;
            ref[0] = 1.0;
        }
        eu[0] = ref[1] * n[2] - ref[2] * n[1];
        eu[1] = ref[2] * n[0] - ref[0] * n[2];
        eu[2] = ref[0] * n[1] - ref[1] * n[0];
        normalize3(eu);
        ev[0] = n[1] * eu[2] - n[2] * eu[1];
        ev[1] = n[2] * eu[0] - n[0] * eu[2];
        ev[2] = n[0] * eu[1] - n[1] * eu[0];
        *su = *sv = 1.0;
        return;
    }
    double du[3], dv[3];
    for (int i = 0; i < 3; i++) {
        du[i] = a.pos_mm[i] - pos[i];
        dv[i] = b.pos_mm[i] - pos[i];
    }
    double lu = sqrt(du[0] * du[0] + du[1] * du[1] + du[2] * du[2]) / h;
    double lv = sqrt(dv[0] * dv[0] + dv[1] * dv[1] + dv[2] * dv[2]) / h;
    *su = lu > 1e-6 ? lu : 1.0;
    *sv = lv > 1e-6 ? lv : 1.0;
    /* project onto the tangent plane */
    double pu = du[0] * n[0] + du[1] * n[1] + du[2] * n[2];
    double pv = dv[0] * n[0] + dv[1] * n[1] + dv[2] * n[2];
    for (int i = 0; i < 3; i++) {
        eu[i] = du[i] - pu * n[i];
        ev[i] = dv[i] - pv * n[i];
    }
    normalize3(eu);
    normalize3(ev);
}

void dot_look_make(const dot *d, const surface *s, int healed, dot_look *out)
{
    memset(out, 0, sizeof *out);
    double eu[3], ev[3], su, sv;
    local_frame(d->chart_mm, d->pos_mm, d->normal, s, eu, ev, &su, &sv);
    out->u = (float)d->chart_mm[0];
    out->v = (float)d->chart_mm[1];
    for (int i = 0; i < 3; i++) {
        out->pos[i] = (float)d->pos_mm[i];
        out->eu[i] = (float)eu[i];
        out->ev[i] = (float)ev[i];
    }
    out->su = (float)su;
    out->sv = (float)sv;
    out->elongation = d->elongation > 1.0 ? (float)d->elongation : 1.0f;
    /* the tilt's direction is not recorded: a fixed pseudo-random angle per dot */
    uint64_t hsh = (uint64_t)d->t_us * 0x9E3779B97F4A7C15ull;
    out->angle = (float)((double)(hsh >> 40) / (double)(1u << 24) * 6.283185307179586);
    /* tail: the drag direction in the local frame */
    double tl = d->drag_mm > 0.05 ? d->drag_mm : 0.0;
    if (tl > 0.0) {
        double tx = d->drag_dir[0] * eu[0] + d->drag_dir[1] * eu[1] + d->drag_dir[2] * eu[2];
        double ty = d->drag_dir[0] * ev[0] + d->drag_dir[1] * ev[1] + d->drag_dir[2] * ev[2];
        out->tail[0] = (float)(tx * tl);
        out->tail[1] = (float)(ty * tl);
    }
    out->opacity = 1.0f;
    out->visible = 1;
    if (!healed) {
        out->radius_mm = (float)(0.5 * d->diameter_fresh_mm);
        out->softness = 0.35f;            /* fresh ink wicks: soft edges */
        lab_to_linear(&d->lab_fresh, out->rgb);
    } else {
        if ((d->flags & DOT_SHED) || d->diameter_healed_mm <= 0.0) {
            out->visible = 0;
            out->opacity = 0.0f;
        }
        out->radius_mm = (float)(0.5 * d->diameter_healed_mm);
        out->softness = (d->flags & DOT_BLOWOUT) ? 0.6f : 0.2f;
        out->tail[0] *= 0.8f;
        out->tail[1] *= 0.8f;
        lab_to_linear(&d->lab_healed, out->rgb);
    }
    if (out->radius_mm < 0.02f)
        out->radius_mm = 0.02f;
}

int dot_look_make_hair(const scalp_hair *h, const float rgb[3], const surface *s, dot_look *out)
{
    memset(out, 0, sizeof *out);
    /* The hair's direction and length are on the skin; the chart stretches the skin
     * differently along u and v (su, sv skin mm a chart mm at the follicle), so the
     * direction turns and the centre (half the hair out) moves by the stretch. */
    surface_hit f, hit;
    double foll[2] = { h->u_mm, h->v_mm };
    if (!surface_chart_point(s, foll[0], foll[1], &f))
        return -1;
    double eu[3], ev[3], su, sv;
    local_frame(foll, f.pos_mm, f.normal, s, eu, ev, &su, &sv);
    double du = su * cos((double)h->dir_rad), dv = sv * sin((double)h->dir_rad);
    double n = sqrt(du * du + dv * dv), half = 0.5 * (double)h->length_mm;
    double chart[2] = { foll[0] + half * du / (n * su), foll[1] + half * dv / (n * sv) };
    if (!surface_chart_point(s, chart[0], chart[1], &hit))
        return -1;
    out->u = (float)chart[0];
    out->v = (float)chart[1];
    for (int i = 0; i < 3; i++) {
        out->pos[i] = (float)hit.pos_mm[i];
        out->eu[i] = (float)eu[i];        /* the follicle's frame: the hair is a millimetre long */
        out->ev[i] = (float)ev[i];
    }
    out->su = (float)su;
    out->sv = (float)sv;
    out->radius_mm = 0.5f * h->width_mm;
    out->elongation = fmaxf(1.0f, (float)half / out->radius_mm);
    out->angle = (float)atan2(dv, du);
    out->softness = 0.3f;     /* a shaft is round: its edges shade off */
    memcpy(out->rgb, rgb, sizeof out->rgb);
    out->opacity = 0.95f;
    out->visible = 1;
    /* 2 x 2 a texel: tens of thousands of hairs bake in a fifth of a second at start, and
     * their area still averages right in the mipmaps; up close they are drawn crisp */
    out->bake_samples = 2;
    return 0;
}

/* ---- the shadow of a shaved head ---------------------------------------------------------
 * What makes a shaved head with dark hair read grey-blue at conversational distance is not
 * the stubble above the skin (a 0.6 mm stubble covers about 5 % of it) but the shafts
 * under it: each hair runs down its follicle at the angle it leaves the skin, and the top
 * millimetre or so of it shows through the epidermis, softened and made bluer by the skin
 * it is seen through. Modelled as a soft, faint ellipse behind the exit point (the
 * follicle slants back under the hair), baked and drawn crisp like the hair itself (so the
 * zoom-mean self-test covers it). Choices, not measurements: 1 mm of shaft seen, about
 * 0.2 mm wide after scattering, 35 % as dark as the hair itself at its middle. */
#define SHADOW_LEN_MM     1.0
#define SHADOW_RADIUS_MM  0.09f
#define SHADOW_OPACITY    0.35f

void dot_look_make_hair_shadow(const dot_look *hair, dot_look *out)
{
    /* from the hair's own look, no new chart points (they are what a hair costs to make):
     * the hair's centre is half its length out from the follicle along its direction;
     * the shadow's is half the shadow's length back. In the chart that is exact; in 3D
     * (where crisp marks are placed) it is along the tangent plane, within a few
     * micrometres of the skin over this millimetre. */
    *out = *hair;
    double ca = cos((double)hair->angle), sa = sin((double)hair->angle);   /* skin mm along u, v */
    double back = (double)hair->elongation * (double)hair->radius_mm + 0.5 * SHADOW_LEN_MM;
    out->u = (float)((double)hair->u - back * ca / (double)hair->su);
    out->v = (float)((double)hair->v - back * sa / (double)hair->sv);
    for (int i = 0; i < 3; i++)
        out->pos[i] = (float)((double)hair->pos[i] - back * (ca * (double)hair->eu[i] + sa * (double)hair->ev[i]));
    out->radius_mm = SHADOW_RADIUS_MM;
    out->elongation = fmaxf(1.0f, (float)(0.5 * SHADOW_LEN_MM) / SHADOW_RADIUS_MM);
    out->softness = 0.6f;     /* blurred by the skin over it */
    /* seen through skin: the red part of the hair's colour is scattered away the most */
    static const float tint[3] = { 0.85f, 0.95f, 1.10f };
    for (int i = 0; i < 3; i++)
        out->rgb[i] = fminf(1.0f, hair->rgb[i] * tint[i]);
    out->opacity = SHADOW_OPACITY;
    out->bake_samples = 1;    /* soft and faint: one sample a texel averages it right */
}

static float smoothstepf(float e0, float e1, float x)
{
    float t = (x - e0) / (e1 - e0);
    t = t < 0.0f ? 0.0f : t > 1.0f ? 1.0f : t;
    return t * t * (3.0f - 2.0f * t);
}

void dot_profile_make(const dot_look *L, dot_profile *out)
{
    out->R = L->radius_mm;
    out->s = L->softness;
    out->e = L->elongation;
    out->c = cosf(L->angle);
    out->sn = sinf(L->angle);
    out->tail[0] = L->tail[0];
    out->tail[1] = L->tail[1];
    out->tl2 = L->tail[0] * L->tail[0] + L->tail[1] * L->tail[1];
    out->opacity = L->opacity;
}

float dot_profile_alpha(const dot_profile *p, float x, float y)
{
    float R = p->R, s = p->s, e = p->e;
    float c = p->c, sn = p->sn;
    float qx = (x * c + y * sn) / e, qy = -x * sn + y * c;
    float a = 1.0f - smoothstepf(R * (1.0f - s), R * (1.0f + s), sqrtf(qx * qx + qy * qy));
    float tl2 = p->tl2;
    if (tl2 > 1e-8f) {
        float h = (x * p->tail[0] + y * p->tail[1]) / tl2;
        h = h < 0.0f ? 0.0f : h > 1.0f ? 1.0f : h;
        float dx = x - p->tail[0] * h, dy = y - p->tail[1] * h;
        float Rt = 0.5f * R;
        float at = 0.75f * (1.0f - 0.5f * h) * (1.0f - smoothstepf(Rt * (1.0f - s), Rt * (1.0f + s), sqrtf(dx * dx + dy * dy)));
        if (at > a)
            a = at;
    }
    return a * p->opacity;
}

float dot_look_alpha(const dot_look *L, float x, float y)
{
    dot_profile p;
    dot_profile_make(L, &p);
    return dot_profile_alpha(&p, x, y);
}

float dot_look_extent_mm(const dot_look *L)
{
    float e = L->elongation > 1.0f ? L->elongation : 1.0f;
    return L->radius_mm * (1.0f + L->softness) * e + sqrtf(L->tail[0] * L->tail[0] + L->tail[1] * L->tail[1]);
}
