/* cmd_practice.c: placeholder until the 3D app lands. */
#include <stdio.h>

#include "cli.h"

int cmd_practice(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "stipple practice: the 3D app is not built yet\n");
    return 1;
}
