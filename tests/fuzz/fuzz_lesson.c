/* fuzz_lesson.c: libFuzzer target for the lesson loader. Any input must either load (and
 * then answer every query and free cleanly) or fail with a "name:line:column: " message;
 * never crash, leak or read out of bounds. (What a lesson's hair and scars make is fuzzed
 * by fuzz_scalp_features.) Seeds: tests/fuzz/corpus/fuzz_lesson/. */
#include "lesson.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lesson l;
    char err[512];
    err[0] = '\0';
    if (lesson_load_mem((const char *)data, size, "fuzz.json", &l, err, sizeof err) != 0) {
        /* Every error names the file and a position. */
        if (strncmp(err, "fuzz.json:", 10) != 0)
            abort();
        return 0;
    }
    skin_layers s;
    for (int r = REGION_NONE; r < REGION_COUNT; r++) {
        lesson_layers(&l, (region_id)r, &s);
        if (!(s.epidermis_mm < s.papillary_mm && s.papillary_mm < s.total_mm))
            abort();
    }
    double sum = 0.0;
    for (int m = 0; m < METRIC_COUNT; m++)
        sum += l.weights[m];
    if (sum < 0.999999 || sum > 1.000001)
        abort();
    for (size_t i = 0; i < l.zone_count; i++)
        for (size_t k = 0; k < l.zones[i].polygon_count; k++)
            (void)lesson_zone_contains(&l, l.zones[i].polygon[k].u_mm + 0.5, l.zones[i].polygon[k].v_mm + 0.5,
                                       REGION_FRONTAL);
    (void)lesson_hairline_offset_mm(&l, 12.5, 40.0);
    for (size_t i = 0; i < l.scar_count; i++) {
        const lesson_scar *sc = &l.scars[i];
        if (sc->kind == SCAR_STRIP && !(lesson_strip_distance_mm(sc, sc->points[0].u_mm, sc->points[0].v_mm) == 0.0))
            abort();
        (void)lesson_polygon_contains(sc->points, sc->point_count, 0.0, -100.0);
        if (!(sc->depth_band_mm[0] >= sc->depth_acceptable_mm[0] && sc->depth_band_mm[1] <= sc->depth_acceptable_mm[1]))
            abort();
    }
    if (l.has_hair && (l.hair.density_per_cm2 < 1.0 || l.hair.density_per_cm2 > 150.0))
        abort();
    lesson_free(&l);
    return 0;
}
