/* cmd_report.c: `stipple report SESSION -o report.pdf`: the graded session as a PDF an
 * instructor can hand over (sim/report). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"
#include "report_pdf.h"
#include "report_views.h"
#include "score.h"

int cli_report_pdf(const char *session, const cli_report_options *o)
{
    replayed r;
    if (cli_replay(session, o->lesson_path, o->lessons_dir, &r) != 0)
        return 1;
    int rc = 1;
    score_result sc;
    memset(&sc, 0, sizeof sc);
    char *text = NULL;
    size_t text_len = 0;
    report_view views[REPORT_MAX_VIEWS];
    size_t view_count = 0;
    char why[512] = "";
    FILE *out = NULL;
    if (score_session(&r.lesson, r.surface, r.dots, r.dot_count, &sc) != 0) {
        fprintf(stderr, "stipple: %s: out of memory scoring\n", session);
        goto done;
    }
    report_meta m;
    memset(&m, 0, sizeof m);
    m.session_path = session;
    m.source = r.data.header.source;
    m.duration_us = r.data.end_t_us;
    m.pen_samples = engine_pen_samples(r.engine);
    m.complete = r.data.complete;
    m.warning = r.data.warning[0] ? r.data.warning : NULL;
    m.header = &r.data.header;
    /* grade's own text, so the PDF says what grade says */
    FILE *tf = open_memstream(&text, &text_len);
    if (!tf || report_write_text(tf, &r.lesson, r.dots, &sc, &m) != 0 || fclose(tf) != 0) {
        fprintf(stderr, "stipple: %s: out of memory writing the report\n", session);
        goto done;
    }
    if (o->views) {
        if (report_views_make(&r.lesson, r.surface, r.dots, r.dot_count, &sc, views, &view_count, why, sizeof why) != 0)
            fprintf(stderr, "stipple: %s: warning: no views in the report: %s\n", session, why);
    } else {
        snprintf(why, sizeof why, "left out (--no-views)");
    }
    report_pdf_input in;
    memset(&in, 0, sizeof in);
    in.lesson = &r.lesson;
    in.surface = r.surface;
    in.dots = r.dots;
    in.dot_count = r.dot_count;
    in.score = &sc;
    in.meta = &m;
    in.session = &r.data;
    in.grade_text = text;
    in.views = views;
    in.view_count = view_count;
    in.views_missing = why;
    in.paper = o->paper == REPORT_PAPER_LETTER ? REPORT_PAPER_LETTER : REPORT_PAPER_A4;
    /* the instructor's sidecar: applied when it belongs to this session, else shown with why */
    annotations notes;
    char notes_err[1024];
    int nrc = annotations_load(session, &notes, notes_err, sizeof notes_err);
    if (nrc == ANNOT_OK || nrc == ANNOT_MISMATCH)
        in.notes = &notes;
    if (nrc == ANNOT_MISMATCH)
        in.notes_problem = notes_err;
    if (nrc == ANNOT_CORRUPT || nrc == ANNOT_MISMATCH)
        fprintf(stderr, "stipple: %s: warning: the instructor's notes are not applied: %s\n", session, notes_err);
    out = cli_open_output(o->out_path);
    if (!out) {
        annotations_free(&notes);
        goto done;
    }
    char err[256];
    int wrc = report_pdf_write(out, &in, err, sizeof err);
    annotations_free(&notes);
    if (wrc != 0) {
        fprintf(stderr, "stipple: %s: %s\n", o->out_path, err);
        cli_close_output(out, o->out_path);
        if (strcmp(o->out_path, "-"))
            unlink(o->out_path);   /* half a PDF is no PDF */
        goto done;
    }
    rc = cli_close_output(out, o->out_path) == 0 ? 0 : 1;
done:
    report_views_free(views, view_count);
    free(text);
    score_result_free(&sc);
    cli_replayed_free(&r);
    report_pdf_release_fonts();
    return rc;
}

enum { OPT_PAPER = CLI_LONG, OPT_LESSON, OPT_LESSONS, OPT_NO_VIEWS };

static const cli_option report_options[] = {
    { 'o', "output", "FILE", "the PDF to write (required; - is standard output)" },
    { OPT_PAPER, "paper", "SIZE", "a4 (default) or letter" },
    { OPT_NO_VIEWS, "no-views", NULL, "leave out the rendered views (no OpenGL needed)" },
    { OPT_LESSON, "lesson", "FILE", "the lesson file instead of finding it by id" },
    { OPT_LESSONS, "lessons", "DIR", "the folder of lessons to find the session's lesson in" },
    { 0 }
};

static int run_report(const cli_command *cmd, int argc, char **argv)
{
    cli_report_options o = { NULL, NULL, NULL, REPORT_PAPER_A4, 1 };
    cli_args a;
    cli_args_init(&a, cmd, argc, argv);
    for (int k; (k = cli_args_next(&a)) != CLI_END;) {
        switch (k) {
        case 'o': o.out_path = a.value; break;
        case OPT_LESSON: o.lesson_path = a.value; break;
        case OPT_LESSONS: o.lessons_dir = a.value; break;
        case OPT_NO_VIEWS: o.views = 0; break;
        case OPT_PAPER:
            if (!strcmp(a.value, "a4") || !strcmp(a.value, "A4"))
                o.paper = REPORT_PAPER_A4;
            else if (!strcmp(a.value, "letter") || !strcmp(a.value, "Letter"))
                o.paper = REPORT_PAPER_LETTER;
            else
                return cli_usage_error(cmd, "--paper is a4 or letter, not '%s'", a.value);
            break;
        default: return cli_args_exit(k);
        }
    }
    if (a.npos != 1)
        return cli_usage_error(cmd, a.npos ? "one session at a time" : "name a session file");
    if (!o.out_path)
        return cli_usage_error(cmd, "say where the PDF goes: -o report.pdf (or -o - for standard output)");
    return cli_report_pdf(a.pos[0], &o);
}

const cli_command cli_cmd_report = {
    "report", "SESSION", "the graded session as a PDF: grades, views, density, histograms, time course",
    report_options, run_report,
    "Page 1 says what `grade` says; page 2 shows the work as the practice app draws it (rendered\n"
    "offscreen: no display needed); then density over the zone, spacing and depth histograms, dots\n"
    "per minute and the drift from the first quarter of the session to the last.\n"
    "The same session gives the same bytes.\n"
    "example: stipple report s.stp -o s.pdf --paper letter\n"
};
