/* test_head.c: the generated head against published adult anthropometry (measured on the
 * mesh), and its named landmarks against their definitions (each checked by an
 * independent look at the mesh or the chart, not by typed-in positions). */
#include "head_landmarks.h"
#include "lesson.h"
#include "head_shape.h"
#include "surface.h"
#include "vec3.h"
#include "check.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void test_names(void)
{
    for (int i = 0; i < LANDMARK_COUNT; i++) {
        const char *n = landmark_name((head_landmark)i);
        CHECK(landmark_from_name(n) == (head_landmark)i, "landmark name %s round-trips", n);
    }
    CHECK(landmark_from_name("chin") == LANDMARK_COUNT, "unknown name refused");
    CHECK(landmark_from_name(NULL) == LANDMARK_COUNT, "NULL name refused");
    surface *skin = surface_create(SURFACE_PRACTICE_SKIN, 100.0, 100.0);
    landmark_point lm[LANDMARK_COUNT];
    head_measurements m;
    CHECK(skin && !head_landmarks(skin, lm), "the practice skin has no landmarks");
    CHECK(skin && !head_measure(skin, &m), "nor head measurements");
    surface_free(skin);
}

static void within(const char *what, double got, double target)
{
    double e = 100.0 * (got - target) / target;
    printf("%-22s %6.1f mm (target %.0f mm, %+.1f %%)\n", what, got, target, e);
    CHECK(fabs(e) <= 3.0, "%s %.1f mm is not within 3 %% of %.0f mm", what, got, target);
}

static void test_measurements(const surface *s)
{
    head_measurements m;
    CHECK(head_measure(s, &m), "the head is measured");
    within("head length", m.length_mm, HEAD_TARGET_LENGTH_MM);
    within("head breadth", m.breadth_mm, HEAD_TARGET_BREADTH_MM);
    within("head circumference", m.circumference_mm, HEAD_TARGET_CIRCUMFERENCE_MM);
    within("tragion-vertex height", m.tragion_vertex_mm, HEAD_TARGET_TRAGION_VERTEX_MM);
    /* the breadth, independently: the widest horizontal section above the ears, by rays */
    double widest = 0.0;
    for (double y = 30.0; y < 120.0; y += 1.0)
        for (double z = -90.0; z < 60.0; z += 1.0) {
            double o[3] = { 300.0, y, z }, d[3] = { -1.0, 0.0, 0.0 }, o2[3] = { -300.0, y, z }, d2[3] = { 1.0, 0.0, 0.0 };
            surface_hit a, b;
            if (surface_raycast(s, o, d, &a) && surface_raycast(s, o2, d2, &b) && a.region != REGION_EAR
                && b.region != REGION_EAR)
                widest = fmax(widest, a.pos_mm[0] - b.pos_mm[0]);
        }
    printf("widest by rays above y = 30: %.1f mm\n", widest);
    CHECK(fabs(widest - m.breadth_mm) < 1.5, "breadth by rays %.1f vs by the mesh %.1f", widest, m.breadth_mm);
}

static void test_landmarks(const surface *s)
{
    landmark_point lm[LANDMARK_COUNT];
    CHECK(head_landmarks(s, lm), "landmarks found");
    for (int i = 0; i < LANDMARK_COUNT; i++)
        printf("  %-24s (%6.1f, %6.1f, %6.1f)%s\n", landmark_name((head_landmark)i), lm[i].pos_mm[0],
               lm[i].pos_mm[1], lm[i].pos_mm[2], lm[i].on_chart ? " on the chart" : "");
    const double *g = lm[LANDMARK_GLABELLA].pos_mm, *n = lm[LANDMARK_NASION].pos_mm;
    CHECK(g[1] > n[1] && g[2] > n[2], "the glabella is above and in front of the nasion");
    CHECK(fabs(g[0]) < 1e-9 && fabs(n[0]) < 1e-9, "glabella and nasion on the midline");
    /* the vertex is the top of the mesh (within a mesh edge) */
    const float *P = surface_positions(s);
    double top = -INFINITY;
    for (size_t v = 0; v < surface_vertex_count(s); v++)
        top = fmax(top, (double)P[3 * v + 1]);
    CHECK(fabs(lm[LANDMARK_VERTEX].pos_mm[1] - top) < 0.5, "vertex y %.2f, top of the mesh %.2f",
          lm[LANDMARK_VERTEX].pos_mm[1], top);
    /* tragions: mirror images, at ear-canal height, on the ears */
    const double *tl = lm[LANDMARK_TRAGION_L].pos_mm, *tr = lm[LANDMARK_TRAGION_R].pos_mm;
    CHECK(fabs(tl[0] + tr[0]) < 1e-6 && fabs(tl[1] - tr[1]) < 1e-6 && tl[0] > 60.0, "tragions mirror each other");
    CHECK(fabs(tl[1]) < 10.0, "tragion at ear-canal height (y %.1f)", tl[1]);
    /* the brow crease: 35 mm of skin above the glabella on the chart's midline, forehead */
    CHECK(lm[LANDMARK_BROW_CREASE].on_chart, "brow crease on the chart");
    CHECK(fabs(lm[LANDMARK_GLABELLA].chart_mm[1] - lm[LANDMARK_BROW_CREASE].chart_mm[1] - 35.0) < 1e-9,
          "brow crease 35 chart mm above the glabella");
    CHECK(surface_region_at_chart(s, 0.0, lm[LANDMARK_BROW_CREASE].chart_mm[1]) == REGION_FOREHEAD,
          "the brow crease is on the forehead");
    CHECK(lm[LANDMARK_BROW_CREASE].pos_mm[1] > g[1] + 25.0, "the brow crease is well above the glabella");
    /* the temple peaks: on the natural hairline (forehead just outside, scalp just inside) */
    for (int k = 0; k < 2; k++) {
        const landmark_point *t = &lm[k ? LANDMARK_TEMPLE_R : LANDMARK_TEMPLE_L];
        double rho = hypot(t->chart_mm[0], t->chart_mm[1]), ux = t->chart_mm[0] / rho, vx = t->chart_mm[1] / rho;
        CHECK(surface_region_at_chart(s, t->chart_mm[0] + 2.0 * ux, t->chart_mm[1] + 2.0 * vx) == REGION_FOREHEAD,
              "outside temple peak %d is forehead", k);
        CHECK(region_is_scalp(surface_region_at_chart(s, t->chart_mm[0] - 2.0 * ux, t->chart_mm[1] - 2.0 * vx)),
              "inside temple peak %d is scalp", k);
        CHECK(k ? t->chart_mm[0] < 0.0 : t->chart_mm[0] > 0.0, "temple peak %d on its side", k);
    }
    CHECK(surface_region_at_chart(s, lm[LANDMARK_CROWN_WHORL].chart_mm[0], lm[LANDMARK_CROWN_WHORL].chart_mm[1])
              == REGION_VERTEX, "the crown whorl is in the crown");
    /* back of the head: the opisthocranion is the back of the midline, the inion below it,
     * the nape below that */
    const double *op = lm[LANDMARK_OPISTHOCRANION].pos_mm, *in = lm[LANDMARK_OCCIPITAL_PROTUBERANCE].pos_mm;
    const double *np = lm[LANDMARK_NAPE].pos_mm;
    CHECK(op[2] < in[2] + 0.01 && op[1] > in[1], "the opisthocranion is behind and above the inion");
    CHECK(np[1] < in[1] - 15.0, "the nape (y %.1f) is below the inion (y %.1f)", np[1], in[1]);
    double back = INFINITY;
    for (double y = 0.0; y < 120.0; y += 2.0) {
        double o[3] = { 0.0, y, -300.0 }, d[3] = { 0.0, 0.0, 1.0 };
        surface_hit h;
        if (surface_raycast(s, o, d, &h))
            back = fmin(back, h.pos_mm[2]);
    }
    CHECK(op[2] <= back + 1e-6, "opisthocranion z %.2f vs the back by coarse rays %.2f", op[2], back);
    landmark_point line[7];
    int nl = head_nape_line(s, line, 7);
    CHECK(nl == 7, "the nape line has its 7 points (%d)", nl);
    for (int i = 1; i < nl; i++)
        CHECK(line[i].pos_mm[0] > line[i - 1].pos_mm[0], "the nape line runs right to left");
}

/* A head lesson whose zone and hairline are placed by landmarks. */
static const char LM_LESSON[] =
    "{\n"
    "  \"format\": \"stipple-lesson/1\", \"id\": \"lm\", \"title\": \"landmarks\", \"version\": 1,\n"
    "  \"surface\": {\"kind\": \"head\"},\n"
    "  \"client\": {\"fitzpatrick\": 2, \"hair_colour\": \"brown\"},\n"
    "  \"zones\": [{\"name\": \"front\", \"polygon_mm\": [{\"landmark\": \"temple_r\"}, "
    "{\"landmark\": \"brow_crease\", \"offset_mm\": [0, -17]}, {\"landmark\": \"temple_l\"}, "
    "{\"landmark\": \"crown_whorl\", \"offset_mm\": [0, 60]}]}],\n"
    "  \"hairline\": {\"style\": \"natural\", \"line_mm\": [{\"landmark\": \"temple_r\"}, "
    "{\"landmark\": \"brow_crease\", \"offset_mm\": [0, -17]}, {\"landmark\": \"temple_l\"}]},\n"
    "  \"session\": {\"number\": 1, \"density_per_cm2\": 30},\n"
    "  \"needle\": {\"config\": \"1RL\", \"diameter_mm\": 0.20},\n"
    "  \"pigment\": {\"target_shade\": 10, \"allowed_shades\": [8, 14]},\n"
    "  \"weights\": {\"spacing\": 0.3, \"depth\": 0.3, \"pigment\": 0.1, \"hairline\": 0.2, \"quality\": 0.1},\n"
    "  \"pass\": {\"spacing\": 60, \"depth\": 60, \"pigment\": 60, \"hairline\": 60, \"quality\": 60, \"total\": 70},\n"
    "  \"sources\": [\"test\"]\n"
    "}\n";

static void test_lesson_landmarks(void)
{
    lesson l;
    char err[512] = "";
    int rc = lesson_load_mem(LM_LESSON, strlen(LM_LESSON), "lm.json", &l, err, sizeof err);
    CHECK(rc == 0, "a lesson placed by landmarks loads (%s)", err);
    if (rc != 0)
        return;
    double tr[2], cr[2], tl[2], cw[2];
    CHECK(head_landmark_chart(LANDMARK_TEMPLE_R, tr) && head_landmark_chart(LANDMARK_BROW_CREASE, cr)
          && head_landmark_chart(LANDMARK_TEMPLE_L, tl) && head_landmark_chart(LANDMARK_CROWN_WHORL, cw),
          "the standard head's landmarks");
    const chart_point *z = l.zones[0].polygon;
    CHECK(l.zones[0].polygon_count == 4, "four zone points");
    CHECK(z[0].u_mm == tr[0] && z[0].v_mm == tr[1], "zone point 0 at the right temple peak");
    CHECK(z[1].u_mm == cr[0] && z[1].v_mm == cr[1] - 17.0, "zone point 1 17 mm above the brow crease");
    CHECK(z[2].u_mm == tl[0] && z[2].v_mm == tl[1], "zone point 2 at the left temple peak");
    CHECK(z[3].u_mm == cw[0] && z[3].v_mm == cw[1] + 60.0, "zone point 3 60 mm in front of the crown whorl");
    CHECK(l.has_hairline && l.hairline.line_count == 3 && l.hairline.line[1].u_mm == 0.0,
          "the hairline's midpoint on the midline (a widow's peak would be there)");
    /* and the same landmark found on a freshly made head */
    surface *s = surface_create(SURFACE_HEAD, 0.0, 0.0);
    landmark_point lm[LANDMARK_COUNT];
    CHECK(s && head_landmarks(s, lm), "a fresh head's landmarks");
    /* the table lessons use is what a fresh head gives (else: print the table to paste) */
    int stale = 0;
    for (int i = 0; s && i < LANDMARK_COUNT; i++) {
        double t[2];
        CHECK(head_landmark_chart((head_landmark)i, t), "table entry %d", i);
        if (fabs(t[0] - lm[i].chart_mm[0]) > 1e-6 || fabs(t[1] - lm[i].chart_mm[1]) > 1e-6)
            stale++;
    }
    CHECK(stale == 0, "%d landmarks moved: update STD_CHART in sim/core/head_landmarks.c to:", stale);
    for (int i = 0; stale && i < LANDMARK_COUNT; i++)
        printf("    { %.17g, %.17g },   /* %s */\n", lm[i].chart_mm[0], lm[i].chart_mm[1], landmark_name((head_landmark)i));
    surface_free(s);
    lesson_free(&l);

    /* bad references: file:line:column at the reference */
    /* want "at": the error points into the changed text; "": only the file is checked */
    struct { const char *from, *to, *want; } bad[] = {
        { "\"landmark\": \"brow_crease\"", "\"landmark\": \"chin\"", "at" },
        { "\"landmark\": \"temple_l\"}]}", "\"landmark\": \"temple_l\", \"offset_mm\": [1]}]}", "at" },
        { "\"landmark\": \"temple_r\"}, {", "\"landmark\": \"temple_r\", \"near\": 1}, {", "at" },
        { "\"kind\": \"head\"", "\"kind\": \"practice_skin\", \"width_mm\": 100, \"height_mm\": 100", "" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char text[4096];
        const char *at = strstr(LM_LESSON, bad[k].from);
        CHECK(at != NULL, "bad case %zu applies", k);
        if (!at)
            continue;
        size_t pre = (size_t)(at - LM_LESSON);
        snprintf(text, sizeof text, "%.*s%s%s", (int)pre, LM_LESSON, bad[k].to, at + strlen(bad[k].from));
        err[0] = '\0';
        rc = lesson_load_mem(text, strlen(text), "lm.json", &l, err, sizeof err);
        printf("bad landmark reference %zu: %s\n", k, err);
        CHECK(rc != 0, "bad case %zu refused", k);
        if (rc == 0)
            lesson_free(&l);
        /* the error's line and column fall inside the text that was changed */
        size_t line = 1, col0 = 1;
        for (size_t i = 0; i < pre; i++) {
            if (text[i] == '\n') { line++; col0 = 1; } else col0++;
        }
        size_t el = 0, ec = 0;
        int got = sscanf(err, "lm.json:%zu:%zu:", &el, &ec);
        if (bad[k].want[0])
            CHECK(got == 2 && el == line && ec >= col0 && ec <= col0 + strlen(bad[k].to),
                  "bad case %zu error at line %zu, columns %zu-%zu: %s", k, line, col0, col0 + strlen(bad[k].to), err);
        else
            CHECK(strncmp(err, "lm.json:", 8) == 0, "bad case %zu names the file: %s", k, err);
    }
}

int main(void)
{
    test_lesson_landmarks();
    test_names();
    surface *s = surface_create(SURFACE_HEAD, 0.0, 0.0);
    CHECK(s != NULL, "head created");
    if (s) {
        test_measurements(s);
        test_landmarks(s);
        surface_free(s);
    }
    return check_summary("test_head");
}
