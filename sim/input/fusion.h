/* fusion.h: two sources as one pen: position, tilt, distance, proximity and buttons from a
 * tablet, force (pressure) and needle depth from an instrumented pen.
 *
 * The rule (deterministic, integer time):
 * - Both sources must share one time base (live sources opened with the same start_us;
 *   recordings whose first events coincide).
 * - Events of the two are merged by time; at equal times the tablet's come first.
 * - Every pen sample of either source yields one fused sample at that sample's time: the
 *   latest tablet state (sample-and-hold) with pressure = the latest force of the pen
 *   (0 before its first sample or while it is unplugged). PEN_TOUCH = tablet touch or force
 *   above the force axis's minimum. So a force change between two tablet reports is seen at
 *   its own time, and a move between two force reports likewise.
 * - Other events (SEV_MACHINE from the pen's trigger, SEV_SYN_DROPPED, SEV_PAUSE/RESUME)
 *   pass through in time order.
 * - The fused description is the tablet's with the pen's pressure (force) axis; the class
 *   is DEVICE_CLASS_INSTRUMENTED_PEN; the calibration is the pen's.
 * - Status: INPUT_UNPLUGGED when either is unplugged, INPUT_END when both ended, else OK. */
#ifndef STIPPLE_FUSION_H
#define STIPPLE_FUSION_H

#include "input_source.h"

/* Takes ownership of both sources (closed with the fused one, also on failure). */
input_source *fusion_source_open(input_source *tablet, input_source *pen, char *err, size_t errlen);

#endif
