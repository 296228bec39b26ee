/* cmd_devices.c: placeholder until the input layer lands. */
#include <stdio.h>

#include "cli.h"

int cmd_devices(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "stipple devices: not built yet\n");
    return 1;
}

int cmd_calibrate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "stipple calibrate: not built yet\n");
    return 1;
}
