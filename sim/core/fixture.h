/* fixture.h: ready-made lessons and dots for benchmarks. */
#ifndef STIPPLE_FIXTURE_H
#define STIPPLE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "dot.h"
#include "lesson.h"
#include "surface.h"

/* A head lesson whose zone is every scalp region at full density (100 dots/cm2): the
 * ~50,000 dots of full coverage (model-defaults.md). 0, or -1 with err. */
int fixture_full_scalp_lesson(lesson *out, char *err, size_t errlen);
/* The same with existing hair over the back and sides and scars on the occiput (the
 * renderer's costliest lesson). */
int fixture_full_scalp_features_lesson(lesson *out, char *err, size_t errlen);

/* Up to `want` dots over the lesson's zone, none nearer than 0.6 x the target spacing,
 * with the lesson's needle and shade at depths around 0.3 mm. malloc'd (free it); NULL on
 * allocation failure. *count gets how many were placed. */
dot *fixture_dots(const lesson *l, const surface *s, size_t want, uint64_t seed, size_t *count);

#endif
