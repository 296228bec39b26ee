/* fuzz_scalp_features.c: libFuzzer target for what a lesson's existing hair and scars make
 * (scalp_features): for any lesson that loads, making them must end in bounded time and
 * memory, never crash or leak, put every punch in an FUE scar and give depth bands that are
 * [min, max]. Slower a run than the loader's target, so it has its own (seeds: lessons
 * with hair and scars, tests/fuzz/corpus/fuzz_scalp_features/). */
#include "lesson.h"
#include "scalp_features.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lesson l;
    char err[512];
    if (lesson_load_mem((const char *)data, size, "fuzz.json", &l, err, sizeof err) != 0)
        return 0;
    /* the head is built once, a practice skin per input */
    if (l.has_hair || l.scar_count) {
        static surface *head;
        if (l.surface == SURFACE_HEAD && !head)
            head = surface_create(SURFACE_HEAD, 0, 0);
        surface *skin = l.surface == SURFACE_HEAD ? NULL : surface_create(SURFACE_PRACTICE_SKIN, l.skin_width_mm, l.skin_height_mm);
        const surface *on = l.surface == SURFACE_HEAD ? head : skin;
        scalp_features f;
        if (on && scalp_features_make(&l, on, &f) == 0) {
            for (size_t i = 0; i < f.punch_count; i++)
                if (f.punches[i].scar >= l.scar_count || l.scars[f.punches[i].scar].kind != SCAR_FUE)
                    abort();
            const double *band, *acc;
            int k = scalp_depth_bands(&l, &f, 0.0, -100.0, &band, &acc);
            if (k >= (int)l.scar_count || !(band[0] <= band[1]))
                abort();
            scalp_features_free(&f);
        }
        surface_free(skin);
    }
    lesson_free(&l);
    return 0;
}
