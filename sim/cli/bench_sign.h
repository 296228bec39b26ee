/* bench_sign.h: `stipple bench sign` (also part of `resim`/`size`/`all`): what signing
 * costs. Given a session's events (in time order, ending at end_us):
 *   sign:   bytes per pen sample of the signed session (target <= 8); the writer's CPU time
 *           signed and unsigned (signing's share of recording, target < 5 %);
 *   verify: verifying a 4-hour session made of these events back to back (target < 0.2 s).
 * Medians of several runs. A fresh key in memory; nothing is written to the key folder. */
#ifndef STIPPLE_BENCH_SIGN_H
#define STIPPLE_BENCH_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "session.h"

int bench_signing(const session_header *h, const session_event *ev, size_t n, int64_t end_us, int quick);

/* Signing's share of the whole practice app's CPU while it records: the app (this program,
 * `practice`) plays a virtual expert's spacing drill in real time as the pen and records it
 * signed, as at a station, for `seconds` of session; its CPU time (every thread, from
 * the child rusage) less a run that starts and stops at once is the recording's CPU. The signing part
 * is what signing adds to writing that very session (signed less unsigned writer time,
 * medians). Without a display it says so and returns 0. lessons_dir: where the drill is. */
int bench_signing_app(const char *lessons_dir, double seconds);

#endif
