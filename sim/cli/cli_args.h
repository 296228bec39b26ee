/* cli_args.h: the command table and option parsing every `stipple` subcommand shares.
 *
 * A command is one cli_command: its name, positional arguments, a one-line summary, its
 * options and its function. main.c's table lists them; the top-level help, each command's
 * --help, the "did you mean" suggestions and the bash completion all come from that table,
 * so a new command appears everywhere by being listed once.
 *
 * A command parses its options like this (getopt_long underneath, so --lesson=FILE works):
 *
 *     cli_args a;
 *     cli_args_init(&a, cmd, argc, argv);
 *     for (int k; (k = cli_args_next(&a)) != CLI_END;) {
 *         switch (k) {
 *         case 'o': out = a.value; break;
 *         case OPT_JSON: json = 1; break;
 *         default: return cli_args_exit(k);     // -h/--help: 0; a bad option: 2
 *         }
 *     }
 *     // positional arguments: a.pos[0 .. a.npos-1]
 */
#ifndef STIPPLE_CLI_ARGS_H
#define STIPPLE_CLI_ARGS_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

/* Keys of long-only options start here (short ones are their letter). */
#define CLI_LONG 256

typedef struct cli_option {
    int         key;    /* the short letter ('o'), or CLI_LONG + n for a long-only option */
    const char *name;   /* the long name without dashes ("output") */
    const char *arg;    /* the value's name ("FILE"), or NULL for a flag */
    const char *help;   /* one line, plain words */
} cli_option;

typedef struct cli_command cli_command;
struct cli_command {
    const char       *name;     /* one or two words: "grade", "lesson check" */
    const char       *args;     /* positional arguments for the usage line ("SESSION..."), or "" */
    const char       *summary;  /* one line: what it does */
    const cli_option *options;  /* ends with an entry whose name is NULL; -h/--help is implied */
    int (*run)(const cli_command *cmd, int argc, char **argv);   /* argv[0] is the last word of name */
    const char       *details;  /* further lines for --help (examples, notes), or NULL */
};

/* The table (main.c). */
extern const cli_command *const cli_commands[];
extern const size_t cli_command_count;

#define CLI_END  (-1)
#define CLI_HELP (-2)   /* the usage was printed on stdout: exit 0 */
#define CLI_BAD  (-3)   /* one line was printed on stderr: exit 2 */

#define CLI_MAX_OPTIONS 48

typedef struct cli_args {
    const cli_command *cmd;
    int    argc;
    char **argv;
    const char *value;   /* the value of the option just returned, or NULL */
    char **pos;          /* after CLI_END: the positional arguments */
    int    npos;
    /* getopt_long's tables, made from cmd->options */
    struct option longopts[CLI_MAX_OPTIONS + 2];
    char   shortopts[3 * CLI_MAX_OPTIONS + 8];
} cli_args;

void cli_args_init(cli_args *a, const cli_command *cmd, int argc, char **argv);
/* The next option's key, CLI_END when only positional arguments are left, CLI_HELP or
 * CLI_BAD (already reported). */
int  cli_args_next(cli_args *a);
/* The exit status for CLI_HELP (0) and anything else (2). */
int  cli_args_exit(int key);

/* A usage error of the command: "stipple CMD: <message> (stipple CMD --help)" on one line; 2. */
int  cli_usage_error(const cli_command *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* A command's full usage (stdout for --help). */
void cli_print_command_help(FILE *f, const cli_command *cmd);
/* The program's usage: every command, its arguments and options. */
void cli_print_overview(FILE *f);

/* The closest command name to `word` (edit distance), or NULL when none is close. */
const cli_command *cli_nearest_command(const char *word);
/* Edit distance (insertions, deletions, substitutions, swaps of neighbours). */
int  cli_edit_distance(const char *a, const char *b);

/* Value parsers: 0, or -1 after a usage error line on stderr. */
int  cli_value_u64(const cli_command *cmd, const char *opt, const char *s, uint64_t *out);
int  cli_value_double(const cli_command *cmd, const char *opt, const char *s, double lo, double hi, double *out);

/* `stipple completion bash`: the completion script, made from the table. */
void cli_print_bash_completion(FILE *f);

#endif
