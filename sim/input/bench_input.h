/* bench_input.h: `stipple bench input`: the speed of the pen handler and the evemu parser. */
#ifndef STIPPLE_BENCH_INPUT_H
#define STIPPLE_BENCH_INPUT_H

/* Prints "input: evdev handling N.N M events/s (median of 5)" and
 * "input: evemu parsing N MB/s (median of 5)" on a synthetic recording generated in memory.
 * Options: --quick (a smaller recording). Returns 0, or 1 on allocation failure. */
int bench_input(int argc, char **argv);

#endif
