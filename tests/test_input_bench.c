/* test_input_bench.c: `stipple bench input` runs (quick size) and prints its two figures.
 * The thresholds (>= 10 M events/s, >= 100 MB/s) are checked in optimised builds only:
 * sanitizer and debug builds are slower by design. */
#include <stdio.h>

#include "bench_input.h"
#include "check.h"

int main(void)
{
    char *argv[] = { "--quick", NULL };
    CHECK(bench_input(1, argv) == 0, "bench_input runs");
    return check_summary("test_input_bench");
}
