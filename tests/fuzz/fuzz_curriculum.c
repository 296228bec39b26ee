/* fuzz_curriculum.c: libFuzzer target for the curriculum reader. Any input either loads (and
 * then holds what the format promises: an id, at least one exam, prerequisites that come
 * earlier, a rule in range) or fails with a "name:line:column: " message; never crashes,
 * leaks or reads out of bounds. Seeds: tests/fuzz/corpus/fuzz_curriculum/. */
#include "curriculum.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    curriculum c;
    char err[512];
    err[0] = '\0';
    if (curriculum_load_mem((const char *)data, size, "fuzz.curriculum", &c, err, sizeof err) != 0) {
        if (strncmp(err, "fuzz.curriculum:", 16) != 0)
            abort();
        const char *p = err + 16;
        char *end;
        if (strtoul(p, &end, 10) == 0 || *end != ':' || strtoul(end + 1, &end, 10) == 0 || *end != ':')
            abort();
        return 0;
    }
    int exams = 0;
    if (!c.id[0] || c.lesson_count > CURRICULUM_MAX_LESSONS || c.attempts < 1
        || c.attempts > CURRICULUM_MAX_ATTEMPTS || !(c.average_min >= 0 && c.average_min <= 100))
        abort();
    for (size_t i = 0; i < c.lesson_count; i++) {
        exams += c.lessons[i].exam;
        if (curriculum_find(&c, c.lessons[i].id) != (int)i)
            abort();
        for (size_t k = 0; k < c.lessons[i].prereq_count; k++)
            if (c.lessons[i].prereq[k] >= i)
                abort();
    }
    if (!exams)
        abort();
    curriculum_free(&c);
    return 0;
}
