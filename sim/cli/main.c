/* main.c: `stipple`, one program with subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "score.h"

static void usage(FILE *f)
{
    fprintf(f,
        "stipple %s: scalp micropigmentation training simulator\n"
        "\n"
        "usage:\n"
        "  stipple lesson check FILE...          validate lessons (file:line:column errors)\n"
        "  stipple simulate --lesson FILE --trainee PROFILE --seed N -o OUT\n"
        "                                        write a session made by a virtual trainee\n"
        "  stipple grade SESSION [--json] [--lesson FILE] [--lessons DIR]\n"
        "                                        re-simulate a session and print its graded report\n"
        "  stipple dots SESSION [--lesson FILE]  every dot as CSV\n"
        "  stipple demo [--lesson FILE]          simulate a lesson with the expert and grade it\n"
        "  stipple bench [all|score|resim|size|nn|input] [--quick]\n"
        "                                        measure the core's speed\n"
        "  stipple practice [--lesson FILE] [--input-file FILE [--fast]] [--screenshot-at T:FILE]... [--exit-after T|end] [--bench]\n"
        "                                        the 3D practice app\n"
        "  stipple devices [test FILE [--desc FILE] [--json]]\n"
        "                                        list input devices, or show what Stipple reads from a recording\n"
        "  stipple calibrate [DEVICE | --recording FILE [--desc FILE]]\n"
        "                                        measure a pen's pressure curve (stored per device and stylus)\n"
        "  stipple sessions [--json]             the saved sessions: lesson, date, duration, dots, score\n"
        "  stipple version\n"
        "\n"
        "trainee profiles: expert deep shallow grid clumped sparse dragger wrong-shade hard-hairline\n",
        STIPPLE_VERSION);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "lesson") == 0)
        return cmd_lesson(argc - 1, argv + 1);
    if (strcmp(cmd, "simulate") == 0)
        return cmd_simulate(argc - 1, argv + 1);
    if (strcmp(cmd, "grade") == 0)
        return cmd_grade(argc - 1, argv + 1);
    if (strcmp(cmd, "dots") == 0)
        return cmd_dots(argc - 1, argv + 1);
    if (strcmp(cmd, "demo") == 0)
        return cmd_demo(argc - 1, argv + 1);
    if (strcmp(cmd, "bench") == 0)
        return cmd_bench(argc - 1, argv + 1);
    if (strcmp(cmd, "practice") == 0)
        return cmd_practice(argc - 1, argv + 1);
    if (strcmp(cmd, "devices") == 0)
        return cmd_devices(argc - 1, argv + 1);
    if (strcmp(cmd, "calibrate") == 0)
        return cmd_calibrate(argc - 1, argv + 1);
    if (strcmp(cmd, "sessions") == 0)
        return cmd_sessions(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("stipple %s (session format %d, report version %d)\n", STIPPLE_VERSION,
               SESSION_FORMAT_VERSION, SCORE_REPORT_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "stipple: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
