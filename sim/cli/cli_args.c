/* cli_args.c: option parsing, usage texts, suggestions and completion from the command table. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "trainee.h"

/* ---- parsing ------------------------------------------------------------------------- */

void cli_args_init(cli_args *a, const cli_command *cmd, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    a->cmd = cmd;
    a->argc = argc;
    a->argv = argv;
    /* ':' first: a missing value is reported as ':' (not '?'), so it gets its own message */
    size_t s = 0, l = 0;
    a->shortopts[s++] = ':';
    for (const cli_option *o = cmd->options; o && o->name && l < CLI_MAX_OPTIONS; o++, l++) {
        a->longopts[l] = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL, o->key };
        if (o->key > 0 && o->key < CLI_LONG && s + 3 < sizeof a->shortopts) {
            a->shortopts[s++] = (char)o->key;
            if (o->arg)
                a->shortopts[s++] = ':';
        }
    }
    a->longopts[l++] = (struct option){ "help", no_argument, NULL, 'h' };
    a->longopts[l] = (struct option){ NULL, 0, NULL, 0 };
    a->shortopts[s++] = 'h';
    a->shortopts[s] = '\0';
    optind = 0;   /* glibc: start afresh (another command may have parsed before) */
    opterr = 0;   /* our own one-line messages */
}

static const cli_option *option_by_key(const cli_command *cmd, int key)
{
    for (const cli_option *o = cmd->options; o && o->name; o++)
        if (o->key == key)
            return o;
    return NULL;
}

/* "--name" of an option as typed, without "=value". */
static void typed_option(const char *arg, char *buf, size_t cap)
{
    size_t n = strcspn(arg, "=");
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, arg, n);
    buf[n] = '\0';
}

static const cli_option *nearest_option(const cli_command *cmd, const char *typed)
{
    const char *w = typed;
    while (*w == '-')
        w++;
    const cli_option *best = NULL;
    int best_d = 1 << 30;
    for (const cli_option *o = cmd->options; o && o->name; o++) {
        int d = cli_edit_distance(w, o->name);
        if (d < best_d) {
            best_d = d;
            best = o;
        }
    }
    size_t len = strlen(w);
    int limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
    return best && best_d <= limit ? best : NULL;
}

int cli_args_next(cli_args *a)
{
    int idx = -1;
    a->value = NULL;
    int c = getopt_long(a->argc, a->argv, a->shortopts, a->longopts, &idx);
    const char *name = a->cmd->name;
    const char *typed_arg = optind > 0 && optind <= a->argc ? a->argv[optind - 1] : "";
    if (c == -1) {
        a->pos = a->argv + optind;
        a->npos = a->argc - optind;
        return CLI_END;
    }
    if (c == 'h' && !option_by_key(a->cmd, 'h')) {
        cli_print_command_help(stdout, a->cmd);
        return CLI_HELP;
    }
    if (c == ':') {
        const cli_option *o = option_by_key(a->cmd, optopt);
        char typed[64];
        typed_option(typed_arg, typed, sizeof typed);
        fprintf(stderr, "stipple %s: %s needs a value (%s)\n", name, typed[0] == '-' ? typed : "option",
                o && o->arg ? o->arg : "see --help");
        return CLI_BAD;
    }
    if (c == '?') {
        char typed[64];
        typed_option(typed_arg, typed, sizeof typed);
        if (strncmp(typed_arg, "--", 2) == 0) {
            const cli_option *o = optopt ? option_by_key(a->cmd, optopt) : NULL;
            if (o && !o->arg && strchr(typed_arg, '=')) {
                fprintf(stderr, "stipple %s: --%s takes no value\n", name, o->name);
                return CLI_BAD;
            }
            const cli_option *near = nearest_option(a->cmd, typed);
            if (near)
                fprintf(stderr, "stipple %s: unknown option '%s'; did you mean --%s?\n", name, typed, near->name);
            else
                fprintf(stderr, "stipple %s: unknown option '%s' (stipple %s --help lists them)\n", name, typed, name);
        } else {
            fprintf(stderr, "stipple %s: unknown option '-%c' (stipple %s --help lists them)\n", name,
                    optopt > 32 && optopt < 127 ? optopt : '?', name);
        }
        return CLI_BAD;
    }
    a->value = optarg;
    return c;
}

int cli_args_exit(int key)
{
    return key == CLI_HELP ? 0 : 2;
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
    fprintf(stderr, "stipple %s: ", cmd->name);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (stipple %s --help)\n", cmd->name);
    return 2;
}

int cli_value_u64(const cli_command *cmd, const char *opt, const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-') {
        cli_usage_error(cmd, "%s takes a whole number of 0 or more, not '%s'", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_value_double(const cli_command *cmd, const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi)) {
        cli_usage_error(cmd, "%s takes a number from %g to %g, not '%s'", opt, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

/* ---- usage texts ----------------------------------------------------------------------- */

/* "-o, --output FILE" or "    --json" */
static void option_label(const cli_option *o, char *buf, size_t cap)
{
    if (o->key > 0 && o->key < CLI_LONG)
        snprintf(buf, cap, "-%c, --%s%s%s", o->key, o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    else
        snprintf(buf, cap, "    --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

void cli_print_command_help(FILE *f, const cli_command *cmd)
{
    fprintf(f, "usage: stipple %s%s%s%s\n", cmd->name, cmd->options && cmd->options[0].name ? " [OPTIONS]" : "",
            cmd->args && cmd->args[0] ? " " : "", cmd->args ? cmd->args : "");
    fprintf(f, "%s\n", cmd->summary);
    fprintf(f, "\noptions:\n");
    int width = 14;
    char label[160];
    for (const cli_option *o = cmd->options; o && o->name; o++) {
        option_label(o, label, sizeof label);
        if ((int)strlen(label) > width)
            width = (int)strlen(label);
    }
    if (width > 34)
        width = 34;
    for (const cli_option *o = cmd->options; o && o->name; o++) {
        option_label(o, label, sizeof label);
        if ((int)strlen(label) > width)
            fprintf(f, "  %s\n  %-*s  %s\n", label, width, "", o->help);
        else
            fprintf(f, "  %-*s  %s\n", width, label, o->help);
    }
    fprintf(f, "  %-*s  %s\n", width, "-h, --help", "show this help");
    if (cmd->details)
        fprintf(f, "\n%s", cmd->details);
}

/* Appends one "[--name VALUE]" token, wrapping the line at 80 columns. */
static void overview_token(FILE *f, const char *tok, int *col)
{
    int len = (int)strlen(tok);
    if (*col + 1 + len > 80) {
        fprintf(f, "\n%7s", "");
        *col = 7;
    }
    fprintf(f, " %s", tok);
    *col += 1 + len;
}

void cli_print_overview(FILE *f)
{
    fprintf(f,
            "stipple %s: a training simulator for scalp micropigmentation\n"
            "\n"
            "usage: stipple COMMAND [OPTIONS] [ARGUMENTS]    (stipple COMMAND --help for one command)\n"
            "\n"
            "commands:\n",
            STIPPLE_VERSION);
    for (size_t i = 0; i < cli_command_count; i++) {
        const cli_command *c = cli_commands[i];
        fprintf(f, "  %-16s %s\n", c->name, c->summary);
        int col = 7;
        fprintf(f, "%7s", "");
        char tok[200];
        int any = 0;
        if (c->args && c->args[0]) {
            overview_token(f, c->args, &col);
            any = 1;
        }
        for (const cli_option *o = c->options; o && o->name; o++) {
            if (o->key > 0 && o->key < CLI_LONG)
                snprintf(tok, sizeof tok, "[-%c%s%s]", o->key, o->arg ? " " : "", o->arg ? o->arg : "");
            else
                snprintf(tok, sizeof tok, "[--%s%s%s]", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
            overview_token(f, tok, &col);
            any = 1;
        }
        if (!any)
            overview_token(f, "(no options)", &col);
        fprintf(f, "\n");
    }
    fprintf(f, "\n  help [COMMAND]   this overview, or one command's usage\n"
               "  version          the program's, session format's and report's versions\n"
               "  completion bash  the bash completion script (source it, or install it in\n"
               "                   /usr/share/bash-completion/completions/stipple)\n"
               "\ntrainee profiles:");
    for (int p = 0; p < TRAINEE_COUNT; p++)
        fprintf(f, " %s", trainee_profile_name(p));
    fprintf(f, "\n");
}

/* ---- suggestions ------------------------------------------------------------------------- */

int cli_edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return 1 << 20;
    int d[65][65];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;   /* two neighbours swapped: one slip of the fingers */
            d[i][j] = v;
        }
    return d[n][m];
}

const cli_command *cli_nearest_command(const char *word)
{
    const cli_command *best = NULL;
    int best_d = 1 << 30;
    size_t wl = strlen(word);
    for (size_t i = 0; i < cli_command_count; i++) {
        /* compare with the first word of the name ("lesson" for "lesson check") */
        char first[64];
        const char *name = cli_commands[i]->name;
        size_t n = strcspn(name, " ");
        if (n >= sizeof first)
            n = sizeof first - 1;
        memcpy(first, name, n);
        first[n] = '\0';
        int d = cli_edit_distance(word, first);
        if (wl >= 3 && strncmp(first, word, wl) == 0)
            d = 0;   /* a typed prefix ("gra") */
        if (d < best_d) {
            best_d = d;
            best = cli_commands[i];
        }
    }
    int limit = wl <= 4 ? 1 : wl <= 8 ? 2 : 3;
    return best && best_d <= limit ? best : NULL;
}

/* ---- bash completion ----------------------------------------------------------------------- */

static void first_word(const char *name, char *buf, size_t cap)
{
    size_t n = strcspn(name, " ");
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, name, n);
    buf[n] = '\0';
}

void cli_print_bash_completion(FILE *f)
{
    fprintf(f, "# bash completion for stipple. Made by `stipple completion bash` from the command table;\n"
               "# tests/test_cli.sh checks that this file matches it (regenerate, do not edit).\n"
               "_stipple() {\n"
               "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
               "    local first=\"help version completion");
    char w[64], prevw[64] = "";
    for (size_t i = 0; i < cli_command_count; i++) {
        first_word(cli_commands[i]->name, w, sizeof w);
        if (strcmp(w, prevw) != 0)
            fprintf(f, " %s", w);
        snprintf(prevw, sizeof prevw, "%s", w);
    }
    fprintf(f, "\"\n"
               "    if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
               "        COMPREPLY=($(compgen -W \"$first\" -- \"$cur\"))\n"
               "        return\n"
               "    fi\n"
               "    local key=${COMP_WORDS[1]} subs=\"\"\n"
               "    case \"$key\" in\n");
    /* commands with a second word ("lesson check", "devices test") */
    for (size_t i = 0; i < cli_command_count; i++) {
        const char *name = cli_commands[i]->name;
        const char *sp = strchr(name, ' ');
        if (!sp)
            continue;
        first_word(name, w, sizeof w);
        fprintf(f, "    %s) subs=\"$subs %s\" ;;\n", w, sp + 1);
    }
    fprintf(f, "    esac\n"
               "    if [ -n \"$subs\" ]; then\n"
               "        if [ \"$COMP_CWORD\" -eq 2 ] && [[ $cur != -* ]]; then\n"
               "            COMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n"
               "            [ ${#COMPREPLY[@]} -gt 0 ] && return\n"
               "        elif [[ \" $subs \" == *\" ${COMP_WORDS[2]} \"* ]]; then\n"
               "            key=\"$key ${COMP_WORDS[2]}\"\n"
               "        fi\n"
               "    fi\n"
               "    local opts=\"--help\" files=\"\" dirs=\"\" profiles=\"\"\n"
               "    case \"$key\" in\n");
    for (size_t i = 0; i < cli_command_count; i++) {
        const cli_command *c = cli_commands[i];
        fprintf(f, "    \"%s\")\n        opts=\"$opts", c->name);
        for (const cli_option *o = c->options; o && o->name; o++)
            fprintf(f, " --%s", o->name);
        fprintf(f, "\"\n        files=\"");
        for (const cli_option *o = c->options; o && o->name; o++)
            if (o->arg && strcmp(o->arg, "DIR") != 0 && strcmp(o->arg, "PROFILE") != 0)
            {
                fprintf(f, " --%s", o->name);
                if (o->key > 0 && o->key < CLI_LONG)
                    fprintf(f, " -%c", o->key);
            }
        fprintf(f, "\"\n        dirs=\"");
        for (const cli_option *o = c->options; o && o->name; o++)
            if (o->arg && strcmp(o->arg, "DIR") == 0)
                fprintf(f, " --%s", o->name);
        fprintf(f, "\"\n        profiles=\"");
        for (const cli_option *o = c->options; o && o->name; o++)
            if (o->arg && strcmp(o->arg, "PROFILE") == 0)
                fprintf(f, " --%s", o->name);
        fprintf(f, "\" ;;\n");
    }
    fprintf(f, "    esac\n"
               "    if [ -n \"$profiles\" ] && [[ \" $profiles \" == *\" $prev \"* ]]; then\n"
               "        COMPREPLY=($(compgen -W \"");
    for (int p = 0; p < TRAINEE_COUNT; p++)
        fprintf(f, "%s%s", p ? " " : "", trainee_profile_name(p));
    fprintf(f, "\" -- \"$cur\"))\n"
               "    elif [ -n \"$dirs\" ] && [[ \" $dirs \" == *\" $prev \"* ]]; then\n"
               "        COMPREPLY=($(compgen -d -- \"$cur\"))\n"
               "    elif [[ \" $files \" == *\" $prev \"* ]]; then\n"
               "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
               "    elif [[ $cur == -* ]]; then\n"
               "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
               "    else\n"
               "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
               "    fi\n"
               "}\n"
               "complete -o filenames -F _stipple stipple\n");
}
