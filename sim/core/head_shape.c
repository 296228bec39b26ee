/* head_shape.c: where the adult head's skin is (see head_shape.h).
 *
 * Each part is star-shaped about its centre: its skin is centre + r(d) d for unit
 * directions d, so it meshes as rings (surface.c) and a ray from outside meets its
 * outermost skin. The parts overlap; the union is the head.
 *
 *   cranium  about HEAD_CRANIUM_CENTRE: a squarish ellipsoid (the horizontal section a
 *            superellipse, as skulls are: an ellipse of the same length and breadth girths
 *            ~4 % less than a real head), front and back, top and bottom semi-axes apart,
 *            capped by a forehead sphere (smooth minimum) so that the forehead is flat and
 *            slopes back. On it, as direction-space bumps (a fraction of the radius):
 *            frontal bossing, the temporal fossae with the temporal ridge along their upper
 *            edge, the parietal eminences, the vertex's rise, the occipital bulge and the
 *            external occipital protuberance (inion), the mastoid processes.
 *   face     about a centre behind the nose: an ellipsoid narrowing towards the jaw, then
 *            skin-space features (3D Gaussians placed at anatomical points, heights in mm
 *            along the radius): brow ridge and glabella, nasion, orbits with closed eyelids
 *            (lid bulge, lash line), nose (bridge to tip, alae), cheekbones and zygomatic
 *            arches, lips with the mouth line, the mentolabial fold and the chin, the angles
 *            of the jaw.
 *   ears     flattened lens-shaped plates on the sides with the helix rim, the scapha, the
 *            antihelix, the concha, the tragus in front of it and a rimless lobe.
 *   neck     a rounded cylinder under the skull, its lower half leaning back (the head
 *            sits forward on the neck), with the sternocleidomastoid muscles running from
 *            behind the ears down and forward to the top of the sternum, and the larynx.
 * Positions are those of an average adult man (figures in head_shape.h); landmarks
 * (head_landmarks.c) are found on this skin, not typed in. */
#include "head_shape.h"
#include "vec3.h"

#include <math.h>
#include <string.h>

#define HS_PI 3.14159265358979323846
#define DEG (HS_PI / 180.0)

/* ---- cranium ---------------------------------------------------------------------------- */
const double HEAD_CRANIUM_CENTRE[3] = { 0.0, 55.0, -4.0 };
#define CR_SIDE        77.0    /* x semi-axis */
#define CR_UP          75.0    /* to the vertex */
#define CR_DOWN       100.0
#define CR_FRONT      112.0    /* the ellipsoid's front; the forehead sphere cuts it */
#define CR_BACK        88.0
#define CR_SQUARE       2.45   /* superellipse exponent of the horizontal section */
#define FH_RADIUS     150.0    /* forehead sphere */
#define FH_SLOPE      (22.0 * DEG)  /* the forehead slopes back this much from vertical */
static const double FH_POINT[3] = { 0.0, 40.0, 95.0 };  /* a point of the forehead */
#define FH_BLEND       14.0    /* smooth-minimum width */

static const double INION_DIR[3] = { 0.0, -0.42, -0.91 };

/* ---- face, ears, neck ----------------------------------------------------------------- */
static const double FACE_C[3] = { 0.0, -15.0, 30.0 };
#define FACE_SIDE      70.0    /* x semi-axis at the cheekbones, narrowing to the jaw */
#define FACE_JAW_SIDE  50.0
#define FACE_UP        75.0
#define FACE_DOWN     118.0
#define FACE_FRONT     70.0
#define FACE_BACK      60.0
#define EAR_X          73.0    /* |x| of the ear's centre */
static const double EAR_C[2] = { -2.0, -12.0 };   /* (y, z) of the ear's centre */
#define EAR_HALF_LEN   31.0    /* ear length ~62 mm */
#define EAR_HALF_WID   17.0
#define EAR_THICK       7.0
#define TRAGUS_LY      (-3.0)  /* the tragus in the ear's plane (mm from its centre) */
#define TRAGUS_LZ      13.0

/* the neck below its middle runs back NECK_LEAN mm a mm down (~11 degrees from upright) */
#define NECK_LEAN       0.20
static const double SCM_TOP[3] = { 50.0, -45.0, -30.0 };     /* at the mastoid (x mirrored) */
static const double SCM_BOTTOM[3] = { 13.0, -168.0, 22.0 };  /* beside the jugular notch */
#define SCM_HEIGHT      3.5    /* mm the muscle stands out */
#define SCM_SIGMA       7.0
static const double LARYNX_C[3] = { 0.0, -125.0, 34.0 };     /* the laryngeal prominence */
#define LARYNX_HEIGHT   3.0

/* ---- mesh edge lengths (mm) ----------------------------------------------------------- */
#define EDGE_CRANIUM   2.0
#define EDGE_FACE      1.6
#define EDGE_EAR       1.2
#define EDGE_NECK      3.0

static double clamp01(double x) { return x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x; }
static double smooth01(double x) { x = clamp01(x); return x * x * (3.0 - 2.0 * x); }

static double smin(double a, double b, double k)
{
    double h = clamp01(0.5 + 0.5 * (b - a) / k);
    return b + (a - b) * h - k * h * (1.0 - h);
}

/* A bump in direction space: 1 at the direction (x, y, z), falling off with angle. */
static double dir_bump(const double d[3], double x, double y, double z, double sigma)
{
    double c[3] = { x, y, z };
    vec3_normalize(c);
    return exp(-(1.0 - vec3_dot(d, c)) / (sigma * sigma));
}

/* An anisotropic Gaussian in skin space: 1 at (cx, cy, cz), sigmas in mm. */
static double g3(const double p[3], double cx, double cy, double cz, double sx, double sy, double sz)
{
    double a = (p[0] - cx) / sx, b = (p[1] - cy) / sy, c = (p[2] - cz) / sz;
    return exp(-0.5 * (a * a + b * b + c * c));
}

void head_dir_from_angles(double theta, double alpha, double d[3])
{
    d[0] = sin(theta) * sin(alpha);
    d[1] = cos(theta);
    d[2] = sin(theta) * cos(alpha);
}

/* ---- the cranium ---------------------------------------------------------------------- */
/* The cranium's radius in direction d, with a share (0..1) of its pull-in under the brows:
 * 0 carries the forehead on smoothly downwards (the surface the face blends into). */
static double cranium_radius_pulled(const double d[3], double pulled)
{
    double dx = d[0], dy = d[1], dz = d[2];
    double b = dy >= 0.0 ? CR_UP : CR_DOWN;
    double c = dz >= 0.0 ? CR_FRONT : CR_BACK;
    double hx = fabs(dx) / CR_SIDE, hz = fabs(dz) / c;
    double hs = (hx > 0.0 || hz > 0.0) ? pow(pow(hx, CR_SQUARE) + pow(hz, CR_SQUARE), 1.0 / CR_SQUARE) : 0.0;
    double r = 1.0 / sqrt(hs * hs + (dy / b) * (dy / b));
    /* the forehead sphere: centre FH_POINT - FH_RADIUS n, n tilted back by FH_SLOPE */
    double n[3] = { 0.0, sin(FH_SLOPE), cos(FH_SLOPE) }, f[3], cf[3];
    vec3_muladds(FH_POINT, n, -FH_RADIUS, f);
    vec3_sub(HEAD_CRANIUM_CENTRE, f, cf);
    double bb = vec3_dot(d, cf), cc = vec3_dot(cf, cf) - FH_RADIUS * FH_RADIUS;
    double disc = bb * bb - cc;
    if (disc > 0.0) {
        double tf = -bb + sqrt(disc);
        if (tf > 0.0)
            r = smin(r, tf, FH_BLEND);
    }
    double k = 1.0;
    /* frontal bossing: two soft eminences above the brows */
    k += 0.012 * (dir_bump(d, 0.30, 0.45, 0.84, 0.22) + dir_bump(d, -0.30, 0.45, 0.84, 0.22));
    /* temporal fossae (the temporalis sits in a hollow), with the temporal ridge: a faint
     * line along the fossa's upper edge, from above the outer brow up and back */
    for (int side = -1; side <= 1; side += 2) {
        k -= 0.045 * dir_bump(d, 0.80 * side, 0.02, 0.60, 0.30);
        double ax[3] = { 0.92 * side, -0.30, 0.25 };
        vec3_normalize(ax);
        double w = (vec3_dot(d, ax) - cos(62.0 * DEG)) / 0.035;
        double along = dir_bump(d, 0.55 * side, 0.55, 0.45, 0.55);   /* fades out behind */
        k += 0.006 * exp(-w * w) * along;
        /* parietal eminences: the widest point of the skull, high and behind the ears */
        k += 0.014 * dir_bump(d, 0.72 * side, 0.55, -0.40, 0.30);
        /* mastoid processes, behind and below the ear canals */
        k += 0.050 * dir_bump(d, 0.62 * side, -0.76, -0.20, 0.12);
    }
    /* below the brows the skull's front gives way to the face (the face part's brow ridge,
     * orbits and cheeks): pulled in so that it does not cover them */
    double below = smooth01((-dy - 0.34) / 0.22) * smooth01((dz - 0.35) / 0.35);
    k -= 0.40 * below * pulled;
    k += 0.025 * dir_bump(d, 0.0, 0.85, -0.50, 0.45);   /* the crown's rise to the vertex */
    k += 0.050 * dir_bump(d, 0.0, -0.05, -1.0, 0.40);   /* the occipital bulge */
    k += 0.012 * dir_bump(d, INION_DIR[0], INION_DIR[1], INION_DIR[2], 0.10);  /* external occipital protuberance */
    return r * k;
}

static double cranium_radius(const double d[3]) { return cranium_radius_pulled(d, 1.0); }

/* ---- the face -------------------------------------------------------------------------- */
/* Height (mm, along the radius) of the face's features at base-skin point p. */
static double face_features(const double p[3])
{
    double x = p[0], y = p[1], ax = fabs(x), h = 0.0;
    /* brow ridge: an arc over each orbit, meeting at the glabella */
    double brow_y = 21.0 - 0.0025 * (ax - 22.0) * (ax - 22.0);
    double bw = (y - brow_y) / (y > brow_y ? 10.0 : 4.5);   /* soft above, into the forehead */
    h += 7.0 * exp(-0.5 * bw * bw) * exp(-0.5 * pow(ax / 46.0, 6.0));
    h += 1.0 * g3(p, 0.0, 19.0, p[2], 9.0, 5.0, 1e9);             /* glabella */
    h -= 3.5 * g3(p, 0.0, 11.0, p[2], 8.0, 4.0, 1e9);             /* nasion: the bridge's root */
    /* orbits: a hollow under the brow, the closed upper lid bulging over the eyeball, the
     * lash line a fine crease, the lower lid and the cheek below */
    h -= 4.0 * g3(p, 31.0 * (x >= 0 ? 1 : -1), 9.0, p[2], 14.0, 8.0, 1e9);
    double lid = g3(p, 31.0 * (x >= 0 ? 1 : -1), 5.0, p[2], 11.0, 6.5, 1e9);
    h += 3.0 * lid;
    double lash = (y - 2.0 + 0.004 * (ax - 31.0) * (ax - 31.0)) / 0.9;
    h -= 1.2 * exp(-0.5 * lash * lash) * exp(-0.5 * pow((ax - 31.0) / 11.0, 4.0));
    /* nose: from the nasion (y 14) down to the tip (y -30), the alae either side */
    double t = (14.0 - y) / 44.0;
    if (t > -0.2) {
        double ht = t <= 1.0 ? 2.5 + 17.5 * pow(clamp01(t), 1.35)
                             : 20.0 * (1.0 - smooth01((t - 1.0) / 0.24));
        double wd = 5.0 + 5.5 * clamp01(t);
        double top = smooth01((t + 0.2) / 0.25);
        h += ht * top * exp(-0.5 * (x / wd) * (x / wd));
    }
    h += 4.5 * (g3(p, 14.0, -34.0, p[2], 5.5, 5.0, 1e9) + g3(p, -14.0, -34.0, p[2], 5.5, 5.0, 1e9));
    /* cheekbones and the zygomatic arches running back to the ears */
    for (int side = -1; side <= 1; side += 2) {
        h += 5.0 * g3(p, 48.0 * side, -12.0, 55.0, 13.0, 9.0, 18.0);
        h += 3.0 * g3(p, 62.0 * side, -6.0, 28.0, 9.0, 5.0, 18.0);
        h += 6.0 * g3(p, 50.0 * side, -78.0, 8.0, 9.0, 10.0, 14.0);   /* angle of the jaw */
    }
    /* lips: upper and lower, the mouth line between, the philtrum above */
    double mouth = exp(-0.5 * pow(x / 24.0, 4.0));
    h += 6.5 * g3(p, 0.0, -53.0, p[2], 20.0, 4.5, 1e9) * mouth;
    h += 6.0 * g3(p, 0.0, -67.0, p[2], 18.0, 5.0, 1e9) * mouth;
    h -= 2.5 * g3(p, 0.0, -60.0 - 0.002 * x * x, p[2], 1e9, 1.1, 1e9) * mouth;
    h -= 1.0 * g3(p, 0.0, -47.0, p[2], 3.0, 4.0, 1e9);            /* philtrum */
    h -= 2.5 * g3(p, 0.0, -78.0, p[2], 14.0, 3.0, 1e9);           /* mentolabial fold */
    h += 9.0 * g3(p, 0.0, -94.0, p[2], 15.0, 8.0, 1e9);           /* chin */
    return h;
}

static double face_base_radius(const double d[3])
{
    double dy = d[1];
    double a = FACE_SIDE;
    if (dy < 0.0)
        a = FACE_SIDE - (FACE_SIDE - FACE_JAW_SIDE) * dy * dy;
    double b = dy >= 0.0 ? FACE_UP : FACE_DOWN;
    double c = d[2] >= 0.0 ? FACE_FRONT : FACE_BACK;
    return 1.0 / sqrt((d[0] / a) * (d[0] / a) + (dy / b) * (dy / b) + (d[2] / c) * (d[2] / c));
}

static double face_own_radius(const double d[3])
{
    double r = face_base_radius(d), p[3];
    vec3_muladds(FACE_C, d, r, p);
    /* features only on the front: the back of the face part is inside the head */
    double front = smooth01((d[2] + 0.1) / 0.5);
    return r + face_features(p) * front;
}

/* How far (mm) the point p lies outside the cranium with the given share of its pull-in
 * under the brows, measured along the cranium's ray through p (negative inside). */
static double forehead_excess(const double p[3], double pulled)
{
    double v[3];
    vec3_sub(p, HEAD_CRANIUM_CENTRE, v);
    double n = vec3_norm(v);
    if (!(n > 1e-9))
        return -CR_UP;
    vec3_scale(v, 1.0 / n, v);
    return n - cranium_radius_pulled(v, pulled);
}

/* The face meets the cranium in a fillet, not a crease. Along the face's ray d, rf is the
 * face's own skin and tc the place where the ray leaves the cranium. With
 * g = tc - FILLET_INSET - rf (how far the cranium stands out of the face):
 *   g <= -FILLET_K          the face's own skin (the brow ridge, the nose: in front);
 *   |g| < FILLET_K          a smooth maximum of the two (C1): the fillet, at most K/4
 *                           proud of both where they cross;
 *   g >= FILLET_K           the face follows the cranium FILLET_INSET under its skin (so
 *                           the two meshes never share a depth and never z-fight), sinking
 *                           back quadratically (still C1) to its own skin further inside.
 * The inset is small (0.03 mm: a hundred times the depth buffer's step at the closest
 * view, several times the meshes' chord error) because the face hands over to the cranium
 * where its fillet's tail dips under it, at an angle that grows as sqrt(inset / K).
 * Which cranium: under the brows the cranium is pulled in, and a face ray that rises
 * there meets that shelf from below, so the crossing would jump from ray to ray. Face
 * points at the brows and below (y < 16 mm) blend with the cranium without its pull-in
 * (the forehead carried on smoothly downwards: convex, one crossing), points above 28 mm
 * with the cranium as it is (so that the face hands over to it with the same slope), a
 * smooth mix between. The blend's weight fades out between the brow ridge and the orbits
 * (face points at y FILLET_Y0..FILLET_Y1, where the face's own features take over), except
 * on the sides (|x| FILLET_X0..FILLET_X1 and out), where the face meets the cranium's side
 * wall in front of the ears at every height. */
#define FILLET_K       8.0
#define FILLET_INSET   0.03
#define FILLET_STEP    4.0
#define FILLET_Y0     12.0
#define FILLET_Y1     24.0
#define FILLET_X0     44.0
#define FILLET_X1     60.0
#define FILLET_PULL_Y0 16.0
#define FILLET_PULL_Y1 28.0

static double face_radius(const double d[3])
{
    double rf = face_own_radius(d), p[3];
    vec3_muladds(FACE_C, d, rf, p);
    double side = smooth01((fabs(p[0]) - FILLET_X0) / (FILLET_X1 - FILLET_X0));
    double pulled = smooth01((p[1] - FILLET_PULL_Y0) / (FILLET_PULL_Y1 - FILLET_PULL_Y0));
    double w = fmax(side, smooth01((p[1] - FILLET_Y0) / (FILLET_Y1 - FILLET_Y0)));
    if (w <= 0.0 || d[2] < -0.3)
        return rf;
    double f0 = forehead_excess(p, pulled);
    if (f0 > 2.0 * FILLET_K || f0 < -4.0 * FILLET_K)
        return rf;                     /* far from the cranium's skin */
    /* bracket the crossing: f rises outwards along the ray */
    double ta = rf, fa = f0, tb = rf, fb = f0;
    double step = f0 < 0.0 ? FILLET_STEP : -FILLET_STEP;
    int found = 0;
    for (int i = 0; i < 30; i++) {
        tb = ta + step;
        if (tb <= 0.0)
            break;
        vec3_muladds(FACE_C, d, tb, p);
        fb = forehead_excess(p, pulled);
        if ((fa < 0.0) != (fb < 0.0)) { found = 1; break; }
        ta = tb;
        fa = fb;
    }
    if (!found)
        return rf;
    double lo = fa < 0.0 ? ta : tb, hi = fa < 0.0 ? tb : ta;   /* f(lo) < 0 <= f(hi) */
    double flo = fa < 0.0 ? fa : fb, fhi = fa < 0.0 ? fb : fa;
    /* the crossing to a micrometre by regula falsi with the Illinois step (an end kept twice
     * has its value halved): ~6 cranium evaluations where bisection took 22, and each costs
     * exp() and pow() calls; a guess outside the bracket falls back to its middle */
    int kept = 0;
    for (int i = 0; i < 40 && hi - lo > 1e-6; i++) {
        double t = hi - fhi * (hi - lo) / (fhi - flo);
        if (!(t > lo && t < hi))
            t = 0.5 * (lo + hi);
        vec3_muladds(FACE_C, d, t, p);
        double ft = forehead_excess(p, pulled);
        if (ft < 0.0) {
            lo = t;
            flo = ft;
            if (kept < 0)
                fhi *= 0.5;
            kept = -1;
        } else {
            hi = t;
            fhi = ft;
            if (kept > 0)
                flo *= 0.5;
            kept = 1;
        }
        if (fabs(ft) < 1e-9)
            lo = hi = t;
    }
    double tc = 0.5 * (lo + hi) - FILLET_INSET;
    double g = tc - rf, r;
    if (g <= -FILLET_K)
        return rf;
    if (g < FILLET_K) {
        double h = (FILLET_K - fabs(g)) / FILLET_K;
        r = fmax(rf, tc) + 0.25 * FILLET_K * h * h;
    } else {
        r = fmax(rf, tc - (g - FILLET_K) * (g - FILLET_K) / FILLET_K);
    }
    return rf + w * (r - rf);
}

/* ---- the ears ---------------------------------------------------------------------------- */
/* Outward height (mm) of the ear's relief at ear-plane point (ly, lz) (mm from its centre;
 * lz forward). */
static double ear_relief(double ly, double lz)
{
    double e = sqrt((ly / EAR_HALF_LEN) * (ly / EAR_HALF_LEN) + (lz / EAR_HALF_WID) * (lz / EAR_HALF_WID));
    double lobe = smooth01((-ly - 14.0) / 8.0);          /* 1 in the lobe: no rim there */
    double rim = 1.0 - lobe;
    double h = 0.0;
    h += 4.0 * rim * exp(-0.5 * pow((e - 0.90) / 0.07, 2.0));    /* helix */
    h -= 2.0 * rim * exp(-0.5 * pow((e - 0.74) / 0.05, 2.0));    /* scapha */
    h += 2.5 * rim * exp(-0.5 * pow((e - 0.56) / 0.07, 2.0)) * smooth01((-lz + 8.0) / 8.0); /* antihelix */
    /* concha: the bowl in front of the antihelix, above the lobe */
    double cy = (ly + 4.0) / 9.0, cz = (lz - 3.0) / 7.0;
    h -= 5.0 * exp(-0.5 * (cy * cy + cz * cz));
    /* tragus: the small flap in front of the concha, over the ear canal */
    double ty = (ly - TRAGUS_LY) / 4.0, tz = (lz - TRAGUS_LZ) / 3.0;
    h += 3.5 * exp(-0.5 * (ty * ty + tz * tz));
    return h;
}

static double ear_radius(const part *p, const double d[3])
{
    double r = 1.0 / sqrt((d[0] / p->ax[0]) * (d[0] / p->ax[0]) + (d[1] / p->ax[1]) * (d[1] / p->ax[1])
                          + (d[2] / p->ax[2]) * (d[2] / p->ax[2]));
    double out = p->c[0] >= 0.0 ? d[0] : -d[0];         /* towards the ear's outer face */
    if (out <= 0.0)
        return r;
    double ly = r * d[1], lz = r * d[2];
    return r + ear_relief(ly, lz) * pow(out, 1.5);
}

/* ---- the neck ---------------------------------------------------------------------------- */
/* Distance (mm) from p to the segment a-b. */
static double segment_distance3(const double p[3], const double a[3], const double b[3])
{
    double ab[3], ap[3], q[3];
    vec3_sub(b, a, ab);
    vec3_sub(p, a, ap);
    double t = vec3_dot(ap, ab) / vec3_dot(ab, ab);
    t = clamp01(t);
    vec3_muladds(a, ab, t, q);
    return vec3_distance(p, q);
}

static double neck_radius(const part *p, const double d[3])
{
    /* the rounded cylinder, its lower half sheared back; how much is a smooth function of
     * the direction (none above ~15 degrees up, all below ~15 down), so on each ray from
     * the centre the shear is linear and the part stays star-shaped */
    double lean = NECK_LEAN * smooth01((0.25 - d[1]) / 0.5);
    double s0 = d[0] / p->ax[0], s1 = d[1] / p->ax[1];
    double s2 = (d[2] - lean * d[1]) / p->ax[2];
    double q = pow(s0 * s0 + s2 * s2, 0.5 * p->n) + pow(fabs(s1), p->n);
    double r = pow(q, -1.0 / p->n);
    double at[3];
    vec3_muladds(p->c, d, r, at);
    double h = 0.0;
    for (int side = -1; side <= 1; side += 2) {    /* both muscles: smooth across the midline */
        double top[3] = { side * SCM_TOP[0], SCM_TOP[1], SCM_TOP[2] };
        double bottom[3] = { side * SCM_BOTTOM[0], SCM_BOTTOM[1], SCM_BOTTOM[2] };
        double m = segment_distance3(at, top, bottom) / SCM_SIGMA;
        h += SCM_HEIGHT * exp(-0.5 * m * m);
    }
    h += LARYNX_HEIGHT * g3(at, LARYNX_C[0], LARYNX_C[1], LARYNX_C[2], 8.0, 11.0, 9.0);
    return r + h;
}

/* ======================================================================================== */
double part_radius(const part *p, const double d[3])
{
    switch (p->type) {
    case PART_FACE:
        return face_radius(d);
    case PART_EAR:
        return ear_radius(p, d);
    case PART_NECK:
        return neck_radius(p, d);
    case PART_CRANIUM:
    default:
        return cranium_radius(d);
    }
}

void part_point(const part *p, const double d[3], double out[3])
{
    vec3_muladds(p->c, d, part_radius(p, d), out);
}

/* Outward unit normal of a star-shaped part at direction d (finite differences). */
void part_normal(const part *p, const double d[3], double nrm[3])
{
    double e1[3], e2[3];
    double ref[3] = { 1.0, 0.0, 0.0 };
    if (fabs(d[0]) > 0.8) { ref[0] = 0.0; ref[1] = 1.0; }
    vec3_cross(d, ref, e1);
    vec3_normalize(e1);
    vec3_cross(d, e1, e2);
    const double eps = 1e-4;
    double pts[4][3];
    for (int i = 0; i < 4; i++) {
        double dd[3];
        const double *e = (i < 2) ? e1 : e2;
        vec3_muladds(d, e, (i % 2) ? -eps : eps, dd);
        vec3_normalize(dd);
        part_point(p, dd, pts[i]);
    }
    double t1[3], t2[3];
    vec3_sub(pts[0], pts[1], t1);
    vec3_sub(pts[2], pts[3], t2);
    vec3_cross(t1, t2, nrm);
    vec3_normalize(nrm);
    if (vec3_dot(nrm, d) < 0.0)
        vec3_scale(nrm, -1.0, nrm);
}

part head_cranium_part(void)
{
    part p;
    memset(&p, 0, sizeof p);
    p.type = PART_CRANIUM;
    vec3_copy(HEAD_CRANIUM_CENTRE, p.c);
    p.region = REGION_NONE;   /* from the chart */
    p.edge = EDGE_CRANIUM;
    return p;
}

void head_parts(part out[HEAD_PART_COUNT])
{
    memset(out, 0, sizeof(part) * HEAD_PART_COUNT);
    out[0] = head_cranium_part();
    out[1].type = PART_FACE;
    vec3_copy(FACE_C, out[1].c);
    out[1].region = REGION_FACE;
    out[1].edge = EDGE_FACE;
    for (int e = 0; e < 2; e++) {
        part *p = &out[2 + e];
        p->type = PART_EAR;
        vec3_set(e == 0 ? EAR_X : -EAR_X, EAR_C[0], EAR_C[1], p->c);
        vec3_set(EAR_THICK, EAR_HALF_LEN, EAR_HALF_WID, p->ax);
        p->region = REGION_EAR;
        p->edge = EDGE_EAR;
    }
    out[4].type = PART_NECK;
    vec3_set(0.0, -100.0, -16.0, out[4].c);
    vec3_set(54.0, 85.0, 56.0, out[4].ax);
    out[4].n = 8.0;
    out[4].region = REGION_NECK;
    out[4].edge = EDGE_NECK;
}

void head_inion_direction(double d[3])
{
    vec3_copy(INION_DIR, d);
    vec3_normalize(d);
}

void head_tragion_ray(int left, double origin_mm[3], double dir[3])
{
    /* the tragion is at the top of the tragus, where it meets the helix's root */
    double side = left ? 1.0 : -1.0;
    vec3_set(side * (EAR_X + 60.0), EAR_C[0] + TRAGUS_LY + 4.0, EAR_C[1] + TRAGUS_LZ, origin_mm);
    vec3_set(-side, 0.0, 0.0, dir);
}
