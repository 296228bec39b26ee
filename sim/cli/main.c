/* main.c: `stipple`, one program with subcommands, dispatched from one table.
 *
 * A new command lives in its own sim/cli/cmd_NAME.c, defines
 *     const cli_command cli_cmd_NAME = { "name", "ARGS", "summary", options, run, details };
 * and is listed with one line in STIPPLE_COMMANDS below. Help, suggestions and bash
 * completion follow from the table. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "score.h"

/* In the order the overview lists them. */
#define STIPPLE_COMMANDS(X) \
    X(lesson_check)         \
    X(simulate)             \
    X(grade)                \
    X(dots)                 \
    X(report)               \
    X(demo)                 \
    X(practice)             \
    X(devices)              \
    X(devices_test)         \
    X(calibrate)            \
    X(sessions)             \
    X(review)               \
    X(annotate)             \
    X(gradebook_trainees)   \
    X(gradebook_stations)   \
    X(gradebook_instructors) \
    X(gradebook_import)     \
    X(gradebook_progress)   \
    X(gradebook_override)   \
    X(gradebook_export)     \
    X(gradebook_bench)      \
    X(certify)              \
    X(head)                 \
    X(verify)               \
    X(station)              \
    X(bench)

#define DECLARE(n) extern const cli_command cli_cmd_##n;
STIPPLE_COMMANDS(DECLARE)
#undef DECLARE

#define LIST(n) &cli_cmd_##n,
const cli_command *const cli_commands[] = { STIPPLE_COMMANDS(LIST) };
#undef LIST
const size_t cli_command_count = sizeof cli_commands / sizeof cli_commands[0];

static int print_version(void)
{
    printf("stipple %s (session format %d, report version %d)\n", STIPPLE_VERSION, SESSION_FORMAT_VERSION,
           SCORE_REPORT_VERSION);
    return 0;
}

/* The command argv names: its one- or two-word name matched; *used is the words it took. */
static const cli_command *find_command(int argc, char **argv, int *used)
{
    const cli_command *one = NULL;
    for (size_t i = 0; i < cli_command_count; i++) {
        const char *name = cli_commands[i]->name;
        size_t n = strcspn(name, " ");
        if (strlen(argv[0]) != n || strncmp(name, argv[0], n) != 0)
            continue;
        if (!name[n])
            one = cli_commands[i];
        else if (argc > 1 && strcmp(name + n + 1, argv[1]) == 0) {
            *used = 2;
            return cli_commands[i];
        }
    }
    *used = 1;
    return one;
}

/* argv[0] is a first word with second words only ("lesson"): say which. 2. */
static int missing_second_word(int argc, char **argv)
{
    const char *typed = argc > 1 ? argv[1] : NULL;
    const char *near = NULL;
    int best = 1 << 30;
    size_t n0 = strlen(argv[0]);
    for (size_t i = 0; i < cli_command_count; i++) {
        const char *name = cli_commands[i]->name;
        if (strncmp(name, argv[0], n0) == 0 && name[n0] == ' ') {
            int d = typed ? cli_edit_distance(typed, name + n0 + 1) : 0;
            if (d < best) {
                best = d;
                near = name;
            }
        }
    }
    if (typed && typed[0] != '-')
        fprintf(stderr, "stipple: '%s %s' is not a command; did you mean '%s'?\n", argv[0], typed, near);
    else
        fprintf(stderr, "stipple: '%s' needs a second word: did you mean '%s'?\n", argv[0], near);
    return 2;
}

static int first_word_known(const char *w)
{
    size_t n = strlen(w);
    for (size_t i = 0; i < cli_command_count; i++)
        if (strncmp(cli_commands[i]->name, w, n) == 0 && cli_commands[i]->name[n] == ' ')
            return 1;
    return 0;
}

static int help(int argc, char **argv)
{
    if (argc < 2) {
        cli_print_overview(stdout);
        return 0;
    }
    int used;
    const cli_command *c = find_command(argc - 1, argv + 1, &used);
    if (!c) {
        fprintf(stderr, "stipple help: '%s' is not a command\n", argv[1]);
        return 2;
    }
    cli_print_command_help(stdout, c);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_print_overview(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
        return help(argc - 1, argv + 1);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version"))
        return print_version();
    if (!strcmp(cmd, "--list-commands")) {   /* for scripts and tests: one name per line */
        for (size_t i = 0; i < cli_command_count; i++)
            printf("%s\n", cli_commands[i]->name);
        return 0;
    }
    if (!strcmp(cmd, "completion")) {
        if (argc == 3 && !strcmp(argv[2], "bash")) {
            cli_print_bash_completion(stdout);
            return 0;
        }
        if (argc == 3 && (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help"))) {
            printf("usage: stipple completion bash\nPrints the bash completion script.\n");
            return 0;
        }
        fprintf(stderr, "stipple completion: say which shell: stipple completion bash\n");
        return 2;
    }
    int used = 1;
    const cli_command *c = find_command(argc - 1, argv + 1, &used);
    if (c)
        return c->run(c, argc - used, argv + used);
    if (first_word_known(cmd))
        return missing_second_word(argc - 1, argv + 1);
    const cli_command *near = cli_nearest_command(cmd);
    if (near)
        fprintf(stderr, "stipple: '%s' is not a command; did you mean '%s'?\n", cmd, near->name);
    else
        fprintf(stderr, "stipple: '%s' is not a command (stipple --help lists them)\n", cmd);
    return 2;
}
