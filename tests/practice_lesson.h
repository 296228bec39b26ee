/* practice_lesson.h: the small practice-skin lesson the engine and input tests share: a
 * 100 x 70 mm skin, an 80 x 50 mm zone, session 1 (30 dots/cm2), 3RL 0.25 mm, shade 8. */
#ifndef STIPPLE_TEST_PRACTICE_LESSON_H
#define STIPPLE_TEST_PRACTICE_LESSON_H

#include <string.h>

#include "lesson.h"

static const char practice_lesson_json[] =
    "{\"format\":\"stipple-lesson/1\",\"id\":\"practice-test\",\"title\":\"t\",\"version\":1,"
    "\"surface\":{\"kind\":\"practice_skin\",\"width_mm\":100,\"height_mm\":70},"
    "\"client\":{\"fitzpatrick\":3,\"hair_colour\":\"dark_brown\"},"
    "\"zones\":[{\"name\":\"z\",\"polygon_mm\":[[10,10],[90,10],[90,60],[10,60]]}],"
    "\"session\":{\"number\":1,\"density_per_cm2\":30,\"depth_band_mm\":[0.15,0.45],\"depth_acceptable_mm\":[0.1,0.6]},"
    "\"needle\":{\"config\":\"3RL\",\"diameter_mm\":0.25},\"pigment\":{\"target_shade\":8,\"allowed_shades\":[6,12]},"
    "\"weights\":{\"spacing\":0.35,\"depth\":0.3,\"pigment\":0.15,\"quality\":0.2},\"sources\":[\"test\"]}";

/* 0, or -1 with err (as lesson_load_mem). */
static inline int load_practice_lesson(lesson *out, char *err, size_t errlen)
{
    return lesson_load_mem(practice_lesson_json, strlen(practice_lesson_json), "practice-test", out, err, errlen);
}

#endif
