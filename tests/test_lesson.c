/* test_lesson.c: the lesson loader. Good lessons load with every field as written (checked
 * against jansson's own reading of the same file, not retyped numbers), defaults apply,
 * weights normalise, the hash is BLAKE2b of the bytes; every bad lesson in the table fails
 * with the right "name:line:column" (found by searching the bad text for the offending
 * token, never typed) and a key phrase; truncations never crash; zones and the hairline
 * answer simple geometric questions. */
#include "lesson.h"
#include "check.h"

#include <jansson.h>
#include <sodium.h>

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#ifndef STIPPLE_SOURCE_DIR
#define STIPPLE_SOURCE_DIR "."
#endif
#define LESSON_DIR STIPPLE_SOURCE_DIR "/tests/data/lessons/"

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, 2 * cap + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

/* "name:line:col: " of byte offset off in text. */
static void expect_prefix(const char *name, const char *text, size_t off, char *buf, size_t cap)
{
    size_t line = 1, col = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    snprintf(buf, cap, "%s:%zu:%zu: ", name, line, col);
}

static double num(const json_t *o, const char *path)
{
    /* path like "session.density_per_cm2" or "hairline.line_mm.1.0" */
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    const json_t *v = o;
    for (char *tok = strtok(buf, "."); tok && v; tok = strtok(NULL, ".")) {
        if (json_is_array(v))
            v = json_array_get(v, (size_t)atoi(tok));
        else
            v = json_object_get(v, tok);
    }
    return v ? json_number_value(v) : NAN;
}

static const char *str(const json_t *o, const char *a, const char *b)
{
    const json_t *v = json_object_get(o, a);
    if (b)
        v = json_object_get(v, b);
    return json_string_value(v);
}

/* ---- good lessons --------------------------------------------------------------------- */

static void test_full(void)
{
    const char *path = LESSON_DIR "good-full.json";
    size_t len;
    char *text = read_all(path, &len);
    CHECK(text != NULL, "cannot read %s", path);
    if (!text)
        return;
    json_error_t je;
    json_t *j = json_loadb(text, len, 0, &je);
    CHECK(j != NULL, "jansson: %s", je.text);

    lesson l;
    char err[512] = "";
    int rc = lesson_load_file(path, &l, err, sizeof err);
    CHECK(rc == 0, "good-full.json failed: %s", err);
    if (rc != 0 || !j) {
        json_decref(j);
        free(text);
        return;
    }
    CHECK(strcmp(l.path, path) == 0, "path %s", l.path);
    CHECK(strcmp(l.id, str(j, "id", NULL)) == 0, "id %s", l.id);
    CHECK(strcmp(l.title, str(j, "title", NULL)) == 0, "title %s", l.title);
    CHECK(l.version == (int)json_integer_value(json_object_get(j, "version")), "version %d", l.version);
    CHECK(l.description && strcmp(l.description, str(j, "description", NULL)) == 0, "description");
    CHECK(l.surface == SURFACE_PRACTICE_SKIN, "surface %d", (int)l.surface);
    CHECK_NEAR(l.skin_width_mm, num(j, "surface.width_mm"), 0, "width");
    CHECK_NEAR(l.skin_height_mm, num(j, "surface.height_mm"), 0, "height");
    CHECK_NEAR(l.fitzpatrick, num(j, "client.fitzpatrick"), 0, "fitzpatrick");
    CHECK(strcmp(l.hair_colour, str(j, "client", "hair_colour")) == 0, "hair %s", l.hair_colour);

    json_t *zones = json_object_get(j, "zones");
    CHECK(l.zone_count == json_array_size(zones), "zone count %zu", l.zone_count);
    for (size_t i = 0; i < l.zone_count && i < json_array_size(zones); i++) {
        json_t *z = json_array_get(zones, i);
        const lesson_zone *lz = &l.zones[i];
        CHECK(strcmp(lz->name, str(z, "name", NULL)) == 0, "zone %zu name %s", i, lz->name);
        json_t *poly = json_object_get(z, "polygon_mm");
        CHECK(lz->polygon_count == json_array_size(poly), "zone %zu points %zu", i, lz->polygon_count);
        CHECK((lz->polygon != NULL) == (poly != NULL), "zone %zu polygon presence", i);
        for (size_t k = 0; k < lz->polygon_count && k < json_array_size(poly); k++) {
            json_t *pt = json_array_get(poly, k);
            CHECK_NEAR(lz->polygon[k].u_mm, json_number_value(json_array_get(pt, 0)), 0, "zone u");
            CHECK_NEAR(lz->polygon[k].v_mm, json_number_value(json_array_get(pt, 1)), 0, "zone v");
        }
        uint32_t mask = 0;
        json_t *regs = json_object_get(z, "regions");
        for (size_t k = 0; k < json_array_size(regs); k++)
            mask |= 1u << (unsigned)region_from_name(json_string_value(json_array_get(regs, k)));
        CHECK(lz->region_mask == mask, "zone %zu mask %#x want %#x", i, lz->region_mask, mask);
    }

    CHECK(l.has_hairline, "has_hairline");
    CHECK(l.hairline.style == hairline_style_from_name(str(j, "hairline", "style")), "style %d", l.hairline.style);
    CHECK(strcmp(hairline_style_name(l.hairline.style), str(j, "hairline", "style")) == 0, "style name");
    json_t *line = json_object_get(json_object_get(j, "hairline"), "line_mm");
    CHECK(l.hairline.line_count == json_array_size(line), "line count %zu", l.hairline.line_count);
    for (size_t k = 0; k < l.hairline.line_count && k < json_array_size(line); k++) {
        json_t *pt = json_array_get(line, k);
        CHECK_NEAR(l.hairline.line[k].u_mm, json_number_value(json_array_get(pt, 0)), 0, "line u");
        CHECK_NEAR(l.hairline.line[k].v_mm, json_number_value(json_array_get(pt, 1)), 0, "line v");
    }
    CHECK_NEAR(l.hairline.feather_mm, num(j, "hairline.feather_mm"), 0, "feather");
    CHECK_NEAR(l.hairline.front_density_fraction, num(j, "hairline.front_density_fraction"), 0, "fraction");
    CHECK_NEAR(l.hairline.tolerance_mm, num(j, "hairline.tolerance_mm"), 0, "tolerance");

    CHECK_NEAR(l.session_number, num(j, "session.number"), 0, "session number");
    CHECK_NEAR(l.target_density_per_cm2, num(j, "session.density_per_cm2"), 0, "density");
    CHECK_NEAR(l.target_spacing_mm, num(j, "session.spacing_mm"), 0, "spacing");
    CHECK_NEAR(l.depth_band_mm[0], num(j, "session.depth_band_mm.0"), 0, "band min");
    CHECK_NEAR(l.depth_band_mm[1], num(j, "session.depth_band_mm.1"), 0, "band max");
    CHECK_NEAR(l.depth_acceptable_mm[0], num(j, "session.depth_acceptable_mm.0"), 0, "acceptable min");
    CHECK_NEAR(l.depth_acceptable_mm[1], num(j, "session.depth_acceptable_mm.1"), 0, "acceptable max");
    CHECK_NEAR(l.clark_evans_natural[0], num(j, "pattern.clark_evans_natural.0"), 0, "R min");
    CHECK_NEAR(l.clark_evans_natural[1], num(j, "pattern.clark_evans_natural.1"), 0, "R max");

    CHECK(l.needle.config == needle_config_from_name(str(j, "needle", "config")), "needle config %d", l.needle.config);
    CHECK_NEAR(l.needle.diameter_mm, (float)num(j, "needle.diameter_mm"), 0, "needle diameter");
    CHECK_NEAR(l.target_shade, num(j, "pigment.target_shade"), 0, "target shade");
    CHECK_NEAR(l.allowed_shades[0], num(j, "pigment.allowed_shades.0"), 0, "allowed min");
    CHECK_NEAR(l.allowed_shades[1], num(j, "pigment.allowed_shades.1"), 0, "allowed max");
    CHECK(l.has_target_lab, "has_target_lab");
    CHECK_NEAR(l.target_lab.L, num(j, "pigment.target_lab.0"), 0, "L");
    CHECK_NEAR(l.target_lab.a, num(j, "pigment.target_lab.1"), 0, "a");
    CHECK_NEAR(l.target_lab.b, num(j, "pigment.target_lab.2"), 0, "b");

    /* Skin: overrides as written, NaN where not given; layers merge "all" then region. */
    json_t *skin = json_object_get(j, "skin");
    CHECK(l.skin_count == json_array_size(skin), "skin count %zu", l.skin_count);
    static const char *const layer_keys[3] = { "epidermis_mm", "papillary_mm", "total_mm" };
    for (size_t i = 0; i < l.skin_count && i < json_array_size(skin); i++) {
        json_t *o = json_array_get(skin, i);
        const char *rn = str(o, "region", NULL);
        region_id want = strcmp(rn, "all") == 0 ? REGION_NONE : region_from_name(rn);
        CHECK(l.skin[i].region == want, "skin %zu region", i);
        const double got[3] = { l.skin[i].layers.epidermis_mm, l.skin[i].layers.papillary_mm,
                                l.skin[i].layers.total_mm };
        for (int k = 0; k < 3; k++) {
            json_t *v = json_object_get(o, layer_keys[k]);
            if (v)
                CHECK_NEAR(got[k], json_number_value(v), 0, layer_keys[k]);
            else
                CHECK(isnan(got[k]), "skin %zu %s should be NaN (not given)", i, layer_keys[k]);
        }
    }
    skin_layers s, d;
    lesson_layers(&l, REGION_PRACTICE, &s);
    CHECK_NEAR(s.epidermis_mm, num(j, "skin.0.epidermis_mm"), 0, "practice epidermis (from all)");
    CHECK_NEAR(s.papillary_mm, num(j, "skin.1.papillary_mm"), 0, "practice papillary");
    CHECK_NEAR(s.total_mm, num(j, "skin.1.total_mm"), 0, "practice total");
    lesson_layers(&l, REGION_OCCIPITAL, &s);
    skin_default_layers(REGION_OCCIPITAL, &d);
    CHECK_NEAR(s.epidermis_mm, num(j, "skin.0.epidermis_mm"), 0, "occipital epidermis (from all)");
    CHECK_NEAR(s.papillary_mm, d.papillary_mm, 0, "occipital papillary default");
    CHECK_NEAR(s.total_mm, d.total_mm, 0, "occipital total default");

    /* Weights normalised; pass marks as written. */
    double sum = 0.0, wsum = 0.0;
    for (int m = 0; m < METRIC_COUNT; m++)
        sum += json_number_value(json_object_get(json_object_get(j, "weights"), metric_name(m)));
    for (int m = 0; m < METRIC_COUNT; m++) {
        double w = json_number_value(json_object_get(json_object_get(j, "weights"), metric_name(m)));
        CHECK_NEAR(l.weights[m], w / sum, 1e-12, metric_name(m));
        wsum += l.weights[m];
        CHECK_NEAR(l.pass[m], json_number_value(json_object_get(json_object_get(j, "pass"), metric_name(m))), 0,
                   "pass mark");
    }
    CHECK_NEAR(wsum, 1.0, 1e-12, "weights sum");
    CHECK_NEAR(l.pass_total, num(j, "pass.total"), 0, "pass total");

    json_t *src = json_object_get(j, "sources");
    CHECK(l.source_count == json_array_size(src), "source count %zu", l.source_count);
    for (size_t i = 0; i < l.source_count && i < json_array_size(src); i++)
        CHECK(strcmp(l.sources[i], json_string_value(json_array_get(src, i))) == 0, "source %zu", i);

    uint8_t hash[32];
    crypto_generichash(hash, sizeof hash, (const unsigned char *)text, len, NULL, 0);
    CHECK(memcmp(hash, l.content_hash, 32) == 0, "content hash differs from BLAKE2b-256 of the bytes");

    /* lesson_load_mem gives the same lesson under the given name. */
    lesson m;
    rc = lesson_load_mem(text, len, "mem-name", &m, err, sizeof err);
    CHECK(rc == 0, "load_mem: %s", err);
    if (rc == 0) {
        CHECK(strcmp(m.path, "mem-name") == 0, "mem path %s", m.path);
        CHECK(memcmp(m.content_hash, l.content_hash, 32) == 0, "mem hash");
        lesson_free(&m);
        CHECK(m.zones == NULL && m.sources == NULL && m.path == NULL, "lesson_free clears");
    }

    lesson_free(&l);
    lesson_free(&l);    /* cleared: a second free is harmless */
    lesson_free(NULL);
    json_decref(j);
    free(text);
}

static void test_defaults(void)
{
    const char *path = LESSON_DIR "good-minimal.json";
    lesson l;
    char err[512] = "";
    int rc = lesson_load_file(path, &l, err, sizeof err);
    CHECK(rc == 0, "good-minimal.json failed: %s", err);
    if (rc != 0)
        return;
    CHECK(l.surface == SURFACE_HEAD, "head");
    CHECK(l.description == NULL, "no description");
    CHECK(!l.has_hairline && l.hairline.line == NULL, "no hairline");
    CHECK(!l.has_target_lab, "no target lab");
    CHECK(l.skin_count == 0 && l.skin == NULL, "no skin overrides");
    CHECK_NEAR(l.target_spacing_mm, 10.7 / sqrt(l.target_density_per_cm2), 1e-12, "default spacing");
    CHECK_NEAR(l.depth_band_mm[0], 0.15, 0, "default band min");
    CHECK_NEAR(l.depth_band_mm[1], 0.45, 0, "default band max");
    CHECK_NEAR(l.depth_acceptable_mm[0], 0.10, 0, "default acceptable min");
    CHECK_NEAR(l.depth_acceptable_mm[1], 0.60, 0, "default acceptable max");
    CHECK_NEAR(l.clark_evans_natural[0], 1.20, 0, "default R min");
    CHECK_NEAR(l.clark_evans_natural[1], 1.75, 0, "default R max");
    for (int m = 0; m < METRIC_COUNT; m++)
        CHECK_NEAR(l.pass[m], 60, 0, "default pass mark");
    CHECK_NEAR(l.pass_total, 70, 0, "default total pass mark");
    CHECK_NEAR(l.weights[METRIC_HAIRLINE], 0, 0, "hairline weight absent = 0");
    double sum = 0;
    for (int m = 0; m < METRIC_COUNT; m++)
        sum += l.weights[m];
    CHECK_NEAR(sum, 1.0, 1e-12, "weights sum");
    for (int r = REGION_NONE; r < REGION_COUNT; r++) {
        skin_layers a, b;
        lesson_layers(&l, (region_id)r, &a);
        skin_default_layers((region_id)r, &b);
        CHECK(a.epidermis_mm == b.epidermis_mm && a.papillary_mm == b.papillary_mm && a.total_mm == b.total_mm,
              "region %d layers are the defaults", r);
    }
    lesson_free(&l);
}

/* ---- bad lessons ---------------------------------------------------------------------- */

typedef struct bad_case {
    int         base;      /* 0: good-full.json, 1: good-minimal.json, 2: replace is the whole text */
    const char *find;
    const char *replace;
    const char *after;     /* search for marker after the end of this (NULL: from the start) */
    const char *marker;    /* the error points at its first byte */
    const char *phrase;
} bad_case;

static const bad_case bad_cases[] = {
    /* existing hair and scars, added to the minimal head lesson before its sources */
#define BEFORE_SOURCES "\"sources\": ["
    { 1, BEFORE_SOURCES, "\"scars\": [ { \"kind\": \"keloid\", \"path_mm\": [[0, -100], [10, -100]] } ], " BEFORE_SOURCES,
      NULL, "\"keloid\"", "unknown scar kind \"keloid\" (expected \"strip\" or \"fue\")" },
    { 1, BEFORE_SOURCES, "\"scars\": [ { \"kind\": \"fue\", \"polygon_mm\": [[0, -100], [10, -100], [5, -90]] } ], " BEFORE_SOURCES,
      "\"scars\": [", "{", "missing required key \"count\" in \"scars[0]\"" },
    { 1, BEFORE_SOURCES, "\"scars\": [ { \"kind\": \"strip\", \"path_mm\": [[0, -100]] } ], " BEFORE_SOURCES,
      NULL, "[[0, -100]]", "\"scars[0].path_mm\" must be an array of 2 to 4096 points" },
    { 1, BEFORE_SOURCES, "\"scars\": [ { \"kind\": \"strip\", \"path_mm\": [[0, -100], [9, -99]], \"depth_band_mm\": [0.1, 0.5], "
      "\"depth_acceptable_mm\": [0.12, 0.4] } ], " BEFORE_SOURCES,
      NULL, "[0.1, 0.5]", "the scar's depth band [0.1, 0.5] must lie inside its acceptable depths [0.12, 0.4]" },
    { 1, BEFORE_SOURCES, "\"scars\": [ { \"kind\": \"fue\", \"polygon_mm\": [[0, -100], [10, -100], [5, -90]], \"count\": 10, "
      "\"widht_mm\": 2 } ], " BEFORE_SOURCES,
      NULL, "\"widht_mm\"", "unknown key \"widht_mm\" in \"scars[0]\"" },
    { 1, BEFORE_SOURCES, "\"existing_hair\": { \"density_per_cm2\": 30 }, " BEFORE_SOURCES,
      "\"existing_hair\": ", "{", "\"existing_hair\" needs \"polygon_mm\", \"regions\" or both" },
    { 1, BEFORE_SOURCES, "\"existing_hair\": { \"regions\": [\"vertex\"], \"density_per_cm2\": 0.5 }, " BEFORE_SOURCES,
      "\"density_per_cm2\": 30", "0.5", "\"existing_hair.density_per_cm2\" must be from 1 to 150 (got 0.5)" },
    { 1, BEFORE_SOURCES, "\"existing_hair\": { \"regions\": [\"vertex\"], \"density_per_cm2\": 40, \"colour\": \"purple\" }, " BEFORE_SOURCES,
      NULL, "\"purple\"", "unknown hair colour \"purple\"" },
    { 1, BEFORE_SOURCES, "\"existing_hair\": { \"regions\": [\"vertx\"], \"density_per_cm2\": 40 }, " BEFORE_SOURCES,
      NULL, "\"vertx\"", "unknown region \"vertx\" (did you mean \"vertex\"?)" },
    { 1, BEFORE_SOURCES, "\"scars\": [ { \"kind\": \"fue\", \"polygon_mm\": [[0, -100], [10, -100], [20, -100]], \"count\": 5 } ], "
      BEFORE_SOURCES, NULL, "[[0, -100], [10", "\"scars[0].polygon_mm\" has zero area" },
    { 1, BEFORE_SOURCES, "\"scars\": [ ], " BEFORE_SOURCES, NULL, "[ ]", "\"scars\" must be an array of 1 to 64 scars (got 0" },
    { 1, BEFORE_SOURCES, "\"scars\": [ \"strip\" ], " BEFORE_SOURCES, NULL, "\"strip\"", "\"scars[0]\" must be an object" },
    { 1, BEFORE_SOURCES, "\"scars\": [ { \"kind\": \"fue\", \"polygon_mm\": [[0, -100], [10, -100], [5, -90]], \"count\": 15000 }, "
      "{ \"kind\": \"fue\", \"polygon_mm\": [[0, -80], [10, -80], [5, -70]], \"count\": 6000 } ], " BEFORE_SOURCES,
      "\"count\": 15000 }, ", "{", "the FUE scars have 21000 punches in all; at most 20000" },
#undef BEFORE_SOURCES
    { 0, "\"title\":", "\"titel\":", NULL, "\"titel\"", "unknown key \"titel\" (did you mean \"title\"?)" },
    { 0, "\"feather_mm\"", "\"feathr_mm\"", NULL, "\"feathr_mm\"",
      "unknown key \"feathr_mm\" in \"hairline\" (did you mean \"feather_mm\"?)" },
    { 0, "\"region\": \"all\", \"epidermis_mm\"", "\"region\": \"all\", \"epidermis_m\"", NULL, "\"epidermis_m\"",
      "in \"skin[0]\" (did you mean \"epidermis_mm\"?)" },
    { 0, "\"stipple-lesson/1\"", "\"stipple-lesson/2\"", NULL, "\"stipple-lesson/2\"", "unsupported format" },
    { 0, "\"test-full-2\"", "\"Test Full\"", NULL, "\"Test Full\"", "\"id\" must be 1 to 63 characters" },
    { 1, "  \"title\": \"Only the required keys, on the head\",\n", "", NULL, "{", "missing required key \"title\"" },
    { 1, "\"version\": 1", "\"version\": 0", "\"version\"", "0", "\"version\" must be an integer from 1" },
    { 0, "\"fitzpatrick\": 4", "\"fitzpatrick\": 7", "\"fitzpatrick\"", "7",
      "\"client.fitzpatrick\" must be an integer from 1 to 6 (got 7)" },
    { 0, "\"fitzpatrick\": 4", "\"fitzpatrick\": \"4\"", NULL, "\"4\"", "(got the string \"4\")" },
    { 0, "\"dark_brown\"", "\"dark_browm\"", NULL, "\"dark_browm\"",
      "unknown hair colour \"dark_browm\" (did you mean \"dark_brown\"?)" },
    { 0, "\"practice_skin\"", "\"practise_skin\"", NULL, "\"practise_skin\"", "(did you mean \"practice_skin\"?)" },
    { 1, "{ \"kind\": \"head\" }", "{ \"kind\": \"head\", \"width_mm\": 100 }", NULL, "\"width_mm\"",
      "only for a practice_skin" },
    { 0, "\"width_mm\": 120", "\"width_mm\": 5", "\"width_mm\"", "5", "\"surface.width_mm\" must be from 10 to 1000" },
    { 1, "[ { \"name\": \"front\", \"regions\": [\"frontal\", \"mid_scalp\"] } ]", "[ ]", NULL, "[ ]",
      "\"zones\" must be an array of 1 to 64 zones (got 0 elements)" },
    { 1, "{ \"name\": \"front\", \"regions\": [\"frontal\", \"mid_scalp\"] }", "{ \"name\": \"front\" }", "\"zones\"", "{",
      "needs \"polygon_mm\", \"regions\" or both" },
    { 0, "\"name\": \"whole\"", "\"name\": \"drill\"", "[10, 60]]", "\"drill\"", "zone name \"drill\" is used twice" },
    { 0, "[90, 10], [90, 60]", "[90, 10], [130, 60]", NULL, "[130", "lies outside the 120 x 80 mm practice skin" },
    { 0, "[[0, 70.5], [120, 70.5], [60, 80]]", "[[0, 70.5], [120, 70.5]]", NULL, "[[0, 70.5]",
      "\"zones[2].polygon_mm\" must be an array of 3 to 4096 points" },
    { 0, "[[0, 70.5], [120, 70.5], [60, 80]]", "[[0, 70.5], [120, 70.5], [60, 70.5]]", NULL, "[[0, 70.5]",
      "has zero area" },
    { 0, "[90, 10], [90, 60]", "[90, 10], [90, \"60\"]", NULL, "\"60\"", "\"zones[0].polygon_mm[2][1]\" must be a number" },
    { 1, "\"mid_scalp\"", "\"mid_scalpp\"", NULL, "\"mid_scalpp\"",
      "unknown region \"mid_scalpp\" (did you mean \"mid_scalp\"?)" },
    { 0, "\"regions\": [\"practice\"] },", "\"regions\": [\"frontal\"] },", NULL, "\"frontal\"",
      "the practice skin has only \"practice\"" },
    { 1, "\"frontal\", \"mid_scalp\"", "\"frontal\", \"practice\"", NULL, "\"practice\"", "is not on the head" },
    { 0, "[90, 60], [110, 58]", "[90, 60], [85, 58]", NULL, "[85, 58]", "must increase strictly" },
    { 0, "\"style\": \"soft\"", "\"style\": \"sfot\"", NULL, "\"sfot\"",
      "unknown hairline style \"sfot\" (expected natural, soft, edge_up, widows_peak or mature) (did you mean \"soft\"?)" },
    { 0, "\"front_density_fraction\": 0.25", "\"front_density_fraction\": 1.5", NULL, "1.5",
      "\"hairline.front_density_fraction\" must be from 0 to 1 (got 1.5)" },
    { 0, "\"number\": 2", "\"number\": 4", "\"number\"", "4",
      "\"session.number\" must be an integer from 1 to 3 (got 4)" },
    { 0, "\"density_per_cm2\": 70", "\"density_per_cm2\": 200", NULL, "200",
      "\"session.density_per_cm2\" must be from 5 to 150 (got 200)" },
    { 1, "\"density_per_cm2\": 30", "\"density\": 30", NULL, "\"density\"",
      "unknown key \"density\" in \"session\"" },
    { 0, "[0.18, 0.42]", "[0.42, 0.18]", NULL, "[0.42, 0.18]",
      "\"session.depth_band_mm\" must be [min, max] with min < max (got [0.42, 0.18])" },
    { 0, "[0.18, 0.42]", "[0.10, 0.42]", NULL, "[0.10, 0.42]", "must lie inside \"session.depth_acceptable_mm\"" },
    { 0, "[0.12, 0.55]", "[0.12, 2.5]", "[0.12, ", "2.5", "\"session.depth_acceptable_mm[1]\" must be from 0 to 2 (got 2.5)" },
    { 0, "[0.12, 0.55]", "[0.12]", NULL, "[0.12]", "must be [min, max] (got 1 element)" },
    { 0, "\"diameter_mm\": 0.2", "\"diameter_mm\": 0.35", NULL, "0.35",
      "\"needle.diameter_mm\" must be from 0.18 to 0.3 (got 0.35)" },
    { 0, "\"config\": \"1RL\"", "\"config\": \"2RL\"", NULL, "\"2RL\"", "unknown needle config \"2RL\"" },
    { 0, "\"target_shade\": 10", "\"target_shade\": 20", "\"allowed_shades\"", "[",
      "must be [min, max] with min <= target_shade (20) <= max" },
    { 0, "\"target_shade\": 10", "\"target_shade\": 10.5", NULL, "10.5",
      "\"pigment.target_shade\" must be an integer from 0 to 30 (got 10.5)" },
    { 0, "[38.5, 1.25, -2]", "[138.5, 1.25, -2]", NULL, "138.5", "\"pigment.target_lab[0]\" must be from 0 to 100" },
    { 0, "[1.25, 1.7]", "[1.25, 2.5]", "[1.25, ", "2.5", "\"pattern.clark_evans_natural[1]\" must be from 0 to 2.15" },
    { 0, "\"total_mm\": 1.6", "\"total_mm\": 0.5", "\"skin\"", "{ \"region\": \"practice\"",
      "skin layers in \"practice\" must satisfy epidermis < papillary < total" },
    { 0, "\"region\": \"all\"", "\"region\": \"al\"", NULL, "\"al\"", "unknown region \"al\" (a region name or \"all\") (did you mean \"all\"?)" },
    { 0, "\"region\": \"practice\"", "\"region\": \"all\"", "\"epidermis_mm\": 0.09 },", "\"all\"", "region \"all\" already has a skin override" },
    { 1, "\"quality\": 0.20 }", "\"quality\": 0.20, \"hairline\": 0.5 }", NULL, "0.5",
      "\"weights.hairline\" must be 0 when the lesson has no \"hairline\"" },
    { 1, "{ \"spacing\": 0.35, \"depth\": 0.30, \"pigment\": 0.15, \"quality\": 0.20 }", "{ \"spacing\": 0 }",
      "\"weights\"", "{", "\"weights\" must not all be 0" },
    { 0, "\"pigment\": 1,", "\"pigment\": -1,", NULL, "-1", "\"weights.pigment\" must be from 0 to 1000 (got -1)" },
    { 0, "\"total\": 72", "\"total\": 101", NULL, "101", "\"pass.total\" must be from 0 to 100 (got 101)" },
    { 1, "[\"model-defaults.md: Density and spacing\"]", "[\"  \"]", NULL, "\"  \"", "\"sources[0]\" must not be empty" },
    { 1, "[\"model-defaults.md: Density and spacing\"]", "[]", NULL, "[]", "\"sources\" must be an array of 1 to 64" },
    { 1, "0.20 },\n  \"sources\": [\"model-defaults.md: Density and spacing\"]", "0.20 }", NULL, "{",
      "missing required key \"sources\"" },
    { 1, "\"session\": { \"number\": 1,", "\"session\": { \"numbr\": 1,", NULL, "\"numbr\"", "unknown key \"numbr\"" },
    { 1, "\"session\": { \"number\": 1, \"density_per_cm2\": 30 }", "\"session\": { \"density_per_cm2\": 30 }", "\"session\"", "{",
      "missing required key \"number\" in \"session\"" },
    /* the locator must decode escaped keys */
    { 1, "\"session\": { \"number\": 1", "\"sess\\u0069on\": { \"number\": 9", "\"number\": ", "9", "\"session.number\" must be" },
    { 1, "\"client\": { \"fitzpatrick\": 2, \"hair_colour\": \"brown\" }", "\"client\": [2, \"brown\"]", NULL, "[2,", "\"client\" must be an object (got an array)" },
    /* syntax errors, from jansson, pointing at the bad token */
    { 1, "\"version\": 1,", "\"version\": 1, \"version\": 2,", "\"version\": 1, ", "\"version\"", "duplicate object key" },
    { 1, "\"mid_scalp\"] } ]", "\"mid_scalp\"], } ]", "\"mid_scalp\"],", "}", "expected" },
    { 1, "\"number\": 1,", "\"number\": tru,", NULL, "tru", "invalid token" },
    { 1, "\"Only the required keys", "\"Only the \xc3 keys", NULL, "\xc3", "invalid UTF-8 (byte 0xc3)" },
    { 1, "\"Only the required keys", "\"Only the \xed\xa0\x80 keys", NULL, "\xed", "invalid UTF-8" },
    { 2, NULL, "[1, 2]", NULL, "[", "the top level must be an object" },
    { 2, NULL, "\n\n   \"just a string\"", NULL, "\"", "expected" },
    { 2, NULL, "", NULL, "", "near end of file" },
};

static char *make_text(const bad_case *bc, const char *const base[2], size_t *len)
{
    if (bc->base == 2) {
        *len = strlen(bc->replace);
        return strdup(bc->replace);
    }
    const char *b = base[bc->base];
    const char *at = strstr(b, bc->find);
    if (!at)
        return NULL;
    size_t pre = (size_t)(at - b), fl = strlen(bc->find), rl = strlen(bc->replace), bl = strlen(b);
    char *t = malloc(bl - fl + rl + 1);
    if (!t)
        return NULL;
    memcpy(t, b, pre);
    memcpy(t + pre, bc->replace, rl);
    memcpy(t + pre + rl, at + fl, bl - pre - fl + 1);
    *len = bl - fl + rl;
    return t;
}

static void test_bad(void)
{
    size_t len0, len1;
    char *full = read_all(LESSON_DIR "good-full.json", &len0);
    char *mini = read_all(LESSON_DIR "good-minimal.json", &len1);
    CHECK(full && mini, "cannot read the good lessons");
    if (!full || !mini) {
        free(full);
        free(mini);
        return;
    }
    const char *const base[2] = { full, mini };
    size_t n = sizeof bad_cases / sizeof bad_cases[0];
    CHECK(n >= 20, "only %zu bad cases", n);
    for (size_t i = 0; i < n; i++) {
        const bad_case *bc = &bad_cases[i];
        size_t len;
        char *text = make_text(bc, base, &len);
        CHECK(text != NULL, "case %zu: find string not in base: %s", i, bc->find);
        if (!text)
            continue;
        const char *from = bc->after ? strstr(text, bc->after) : text;
        if (from && bc->after)
            from += strlen(bc->after);
        const char *mk = from ? strstr(from, bc->marker) : NULL;
        CHECK(mk != NULL, "case %zu: marker %s not found", i, bc->marker);
        if (!mk) {
            free(text);
            continue;
        }
        char name[32], want[96], err[512] = "";
        snprintf(name, sizeof name, "bad-%zu.json", i);
        expect_prefix(name, text, (size_t)(mk - text), want, sizeof want);
        lesson l;
        memset(&l, 0xA5, sizeof l);
        lesson before = l;
        int rc = lesson_load_mem(text, len, name, &l, err, sizeof err);
        if (getenv("STIPPLE_TEST_VERBOSE"))
            printf("%s\n", err);
        CHECK(rc == -1, "case %zu (%s) loaded", i, bc->phrase);
        CHECK(strncmp(err, want, strlen(want)) == 0, "case %zu: got \"%s\", want prefix \"%s\"", i, err, want);
        CHECK(strstr(err, bc->phrase) != NULL, "case %zu: got \"%s\", want phrase \"%s\"", i, err, bc->phrase);
        CHECK(memcmp(&l, &before, sizeof l) == 0, "case %zu: out-parameter touched on failure", i);
        if (rc == 0)
            lesson_free(&l);
        free(text);
    }

    /* Bad lessons kept as files: the name in messages is the path given. */
    static const struct { const char *file, *marker, *phrase; } files[] = {
        { "bad-typo.json", "\"hair_color\"", "unknown key \"hair_color\" in \"client\" (did you mean \"hair_colour\"?)" },
        { "bad-band.json", "[0.45, 0.15]", "\"session.depth_band_mm\" must be [min, max] with min < max (got [0.45, 0.15])" },
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512], want[700], err[512] = "";
        snprintf(path, sizeof path, "%s%s", LESSON_DIR, files[i].file);
        size_t len;
        char *text = read_all(path, &len);
        CHECK(text != NULL, "cannot read %s", path);
        const char *mk = text ? strstr(text, files[i].marker) : NULL;
        CHECK(mk != NULL, "%s: marker not found", files[i].file);
        if (mk) {
            expect_prefix(path, text, (size_t)(mk - text), want, sizeof want);
            lesson l;
            CHECK(lesson_load_file(path, &l, err, sizeof err) == -1, "%s loaded", files[i].file);
            CHECK(strncmp(err, want, strlen(want)) == 0, "got \"%s\", want prefix \"%s\"", err, want);
            CHECK(strstr(err, files[i].phrase) != NULL, "got \"%s\", want \"%s\"", err, files[i].phrase);
        }
        free(text);
    }

    /* A NUL byte, too large, a missing file. */
    {
        char *t = strdup(mini);
        char *title = t ? strstr(t, "required") : NULL;
        if (title) {
            *title = '\0';
            char want[96], err[512] = "";
            lesson l;
            expect_prefix("nul.json", t, (size_t)(title - t), want, sizeof want);
            CHECK(lesson_load_mem(t, len1, "nul.json", &l, err, sizeof err) == -1, "NUL accepted");
            CHECK(strncmp(err, want, strlen(want)) == 0 && strstr(err, "NUL byte"), "got \"%s\"", err);
        }
        free(t);
    }
    {
        size_t big = 1024 * 1024 + 1;
        char *t = malloc(big);
        if (t) {
            memset(t, ' ', big);
            memcpy(t, mini, len1);
            char err[512] = "";
            lesson l;
            CHECK(lesson_load_mem(t, big, "big.json", &l, err, sizeof err) == -1, "2 MiB accepted");
            CHECK(strncmp(err, "big.json:1:1: file is too large", 31) == 0, "got \"%s\"", err);
            /* exactly 1 MiB (padding after the object) is fine */
            CHECK(lesson_load_mem(t, big - 1, "ok.json", &l, err, sizeof err) == 0, "1 MiB refused: %s", err);
            lesson_free(&l);
            free(t);
        }
    }
    {
        char err[512] = "";
        lesson l;
        CHECK(lesson_load_file(LESSON_DIR "no-such-lesson.json", &l, err, sizeof err) == -1, "missing file loaded");
        /* a file that cannot be opened has no line and column to name */
        CHECK(strstr(err, "no-such-lesson.json: cannot open") != NULL, "got \"%s\"", err);
        /* no error buffer is fine */
        CHECK(lesson_load_mem("[]", 2, "x", &l, NULL, 0) == -1, "no err buffer");
    }
    free(full);
    free(mini);
}

/* Every prefix of the good lesson that cuts into the JSON fails cleanly. */
static void test_truncated(void)
{
    size_t len;
    char *text = read_all(LESSON_DIR "good-full.json", &len);
    CHECK(text != NULL, "cannot read good-full.json");
    if (!text)
        return;
    const char *close = strrchr(text, '}');
    size_t end = close ? (size_t)(close - text) + 1 : len;
    size_t failed = 0;
    for (size_t k = 0; k < end; k++) {
        char *t = malloc(k ? k : 1);   /* exact size so ASan sees any overread */
        if (!t)
            break;
        memcpy(t, text, k);
        lesson l;
        char err[512] = "";
        int rc = lesson_load_mem(t, k, "cut.json", &l, err, sizeof err);
        if (rc == 0) {
            lesson_free(&l);
            failed++;
        } else if (strncmp(err, "cut.json:", 9) != 0 || strlen(err) < 14) {
            failed++;
        }
        free(t);
    }
    CHECK(failed == 0, "%zu of %zu truncations loaded or gave no proper message", failed, end);
    lesson l;
    char err[512] = "";
    CHECK(lesson_load_mem(text, end, "cut.json", &l, err, sizeof err) == 0, "up to the last brace: %s", err);
    lesson_free(&l);
    free(text);
}

/* ---- geometry ------------------------------------------------------------------------- */

static const char geo_practice[] =
    "{\"format\": \"stipple-lesson/1\", \"id\": \"geo\", \"title\": \"geo\", \"version\": 1,\n"
    " \"surface\": {\"kind\": \"practice_skin\", \"width_mm\": 100, \"height_mm\": 70},\n"
    " \"client\": {\"fitzpatrick\": 3, \"hair_colour\": \"black\"},\n"
    " \"zones\": [{\"name\": \"square\", \"polygon_mm\": [[60, 10], [90, 10], [90, 60], [60, 60]]},\n"
    "           {\"name\": \"ell\", \"polygon_mm\": [[0, 0], [40, 0], [40, 10], [10, 10], [10, 40], [0, 40]]}],\n"
    " \"hairline\": {\"style\": \"natural\", \"line_mm\": [[0, 10], [10, 20], [20, 20]]},\n"
    " \"session\": {\"number\": 1, \"density_per_cm2\": 30},\n"
    " \"needle\": {\"config\": \"3RL\", \"diameter_mm\": 0.25},\n"
    " \"pigment\": {\"target_shade\": 8, \"allowed_shades\": [6, 12]},\n"
    " \"weights\": {\"spacing\": 1, \"hairline\": 1},\n"
    " \"sources\": [\"test\"]}\n";

static const char geo_head[] =
    "{\"format\": \"stipple-lesson/1\", \"id\": \"geo-head\", \"title\": \"geo\", \"version\": 1,\n"
    " \"surface\": {\"kind\": \"head\"},\n"
    " \"client\": {\"fitzpatrick\": 3, \"hair_colour\": \"black\"},\n"
    " \"zones\": [{\"name\": \"front\", \"regions\": [\"frontal\"]},\n"
    "           {\"name\": \"crown-patch\", \"regions\": [\"vertex\"], \"polygon_mm\": [[-10, -10], [10, -10], [0, 10]]}],\n"
    " \"session\": {\"number\": 1, \"density_per_cm2\": 30},\n"
    " \"needle\": {\"config\": \"3RL\", \"diameter_mm\": 0.25},\n"
    " \"pigment\": {\"target_shade\": 8, \"allowed_shades\": [6, 12]},\n"
    " \"weights\": {\"depth\": 1},\n"
    " \"sources\": [\"test\"]}\n";

static void test_geometry(void)
{
    lesson l;
    char err[512] = "";
    int rc = lesson_load_mem(geo_practice, sizeof geo_practice - 1, "geo.json", &l, err, sizeof err);
    CHECK(rc == 0, "geo: %s", err);
    if (rc == 0) {
        CHECK(lesson_zone_contains(&l, 75, 30, REGION_PRACTICE), "square centre");
        CHECK(!lesson_zone_contains(&l, 95, 30, REGION_PRACTICE), "right of the square");
        CHECK(!lesson_zone_contains(&l, 75, 65, REGION_PRACTICE), "above the square");
        CHECK(lesson_zone_contains(&l, 5, 5, REGION_PRACTICE), "ell corner");
        CHECK(lesson_zone_contains(&l, 30, 5, REGION_PRACTICE), "ell foot");
        CHECK(lesson_zone_contains(&l, 5, 30, REGION_PRACTICE), "ell upright");
        CHECK(!lesson_zone_contains(&l, 20, 20, REGION_PRACTICE), "ell notch (concave)");
        CHECK(!lesson_zone_contains(&l, 50, 30, REGION_PRACTICE), "between zones");
        CHECK(lesson_zone_contains(&l, 75, 30, REGION_NONE), "polygon-only zones ignore the region");
        CHECK_NEAR(l.weights[METRIC_SPACING], 0.5, 1e-12, "two equal weights");
        CHECK_NEAR(l.hairline.feather_mm, 25, 0, "default feather");
        CHECK_NEAR(l.hairline.front_density_fraction, 0.3, 0, "default front fraction");
        CHECK_NEAR(l.hairline.tolerance_mm, 0.5, 0, "default tolerance");
        CHECK_NEAR(lesson_hairline_offset_mm(&l, 5, 15), 0, 1e-12, "on the line");
        CHECK_NEAR(lesson_hairline_offset_mm(&l, 5, 18), 3, 1e-12, "in front (+v)");
        CHECK_NEAR(lesson_hairline_offset_mm(&l, 2.5, 10), -2.5, 1e-12, "behind (-v)");
        CHECK_NEAR(lesson_hairline_offset_mm(&l, 15, 25), 5, 1e-12, "flat segment");
        CHECK_NEAR(lesson_hairline_offset_mm(&l, 10, 20), 0, 1e-12, "at a vertex");
        CHECK_NEAR(lesson_hairline_offset_mm(&l, -5, 10), 0, 1e-12, "before the start: clamped");
        CHECK_NEAR(lesson_hairline_offset_mm(&l, 30, 17), -3, 1e-12, "past the end: clamped");
        lesson_free(&l);
    }
    rc = lesson_load_mem(geo_head, sizeof geo_head - 1, "geo-head.json", &l, err, sizeof err);
    CHECK(rc == 0, "geo-head: %s", err);
    if (rc == 0) {
        CHECK(lesson_zone_contains(&l, 123, -45, REGION_FRONTAL), "frontal anywhere");
        CHECK(!lesson_zone_contains(&l, 0, 0, REGION_OCCIPITAL), "occipital nowhere");
        CHECK(lesson_zone_contains(&l, 0, 0, REGION_VERTEX), "vertex inside the patch");
        CHECK(!lesson_zone_contains(&l, 0, 20, REGION_VERTEX), "vertex outside the patch");
        CHECK(!lesson_zone_contains(&l, 0, 0, REGION_MID_SCALP), "patch is vertex only");
        CHECK(!lesson_zone_contains(&l, 0, 0, REGION_NONE), "no region");
        CHECK_NEAR(lesson_hairline_offset_mm(&l, 0, 5), 0, 0, "no hairline: 0");
        lesson_free(&l);
    }
    CHECK(!lesson_zone_contains(NULL, 0, 0, REGION_FRONTAL), "NULL lesson");
}

static void test_names(void)
{
    for (int s = HAIRLINE_NATURAL; s <= HAIRLINE_MATURE; s++)
        CHECK(hairline_style_from_name(hairline_style_name(s)) == s, "style %d round trip", s);
    CHECK(strcmp(hairline_style_name(HAIRLINE_WIDOWS_PEAK), "widows_peak") == 0, "widows_peak");
    CHECK(strcmp(hairline_style_name(HAIRLINE_EDGE_UP), "edge_up") == 0, "edge_up");
    CHECK(hairline_style_from_name("bogus") == HAIRLINE_NONE, "unknown style");
    CHECK(hairline_style_from_name(NULL) == HAIRLINE_NONE, "NULL style");
    CHECK(strcmp(hairline_style_name(99), "?") == 0, "out of range style");
    static const char *const want[METRIC_COUNT] = { "spacing", "depth", "pigment", "hairline", "quality" };
    for (int m = 0; m < METRIC_COUNT; m++)
        CHECK(strcmp(metric_name(m), want[m]) == 0, "metric %d", m);
    CHECK(strcmp(metric_name(METRIC_COUNT), "?") == 0, "out of range metric");
}

/* Every lesson shipped in lessons/ loads (nothing to do while there are none). */
static void test_shipped(void)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/lessons", STIPPLE_SOURCE_DIR);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        char path[1024], err[512] = "";
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        lesson l;
        int rc = lesson_load_file(path, &l, err, sizeof err);
        CHECK(rc == 0, "%s", err);
        if (rc == 0)
            lesson_free(&l);
    }
    closedir(d);
}

int main(void)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "libsodium init failed\n");
        return 1;
    }
    test_full();
    test_defaults();
    test_bad();
    test_truncated();
    test_geometry();
    test_names();
    test_shipped();
    return check_summary("test_lesson");
}
