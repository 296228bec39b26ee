/* cmd_head.c: `stipple head`: the generated head's measurements (against their published
 * targets) and its named landmarks, as text or JSON. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "head_landmarks.h"
#include "head_shape.h"

static json_t *point_json(const landmark_point *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "pos_mm", json_pack("[f,f,f]", p->pos_mm[0], p->pos_mm[1], p->pos_mm[2]));
    if (p->on_chart)
        json_object_set_new(o, "chart_mm", json_pack("[f,f]", p->chart_mm[0], p->chart_mm[1]));
    else
        json_object_set_new(o, "chart_mm", json_null());
    return o;
}

static json_t *measure_json(double value, double target)
{
    return json_pack("{s:f,s:f,s:f}", "mm", value, "target_mm", target,
                     "error_percent", 100.0 * (value - target) / target);
}

enum { OPT_JSON = CLI_LONG };

static const cli_option head_options[] = {
    { OPT_JSON, "json", NULL, "one JSON object, for scripts" },
    { 0 }
};

static int run_head(const cli_command *cmd, int argc, char **argv)
{
    int json = 0;
    cli_args a;
    cli_args_init(&a, cmd, argc, argv);
    for (int k; (k = cli_args_next(&a)) != CLI_END;) {
        switch (k) {
        case OPT_JSON: json = 1; break;
        default: return cli_args_exit(k);
        }
    }
    if (a.npos > 0)
        return cli_usage_error(cmd, "unexpected argument '%s'", a.pos[0]);
    surface *s = surface_create(SURFACE_HEAD, 0.0, 0.0);
    landmark_point lm[LANDMARK_COUNT], nape[9];
    head_measurements m;
    int nn = 0;
    if (!s || !head_landmarks(s, lm) || !head_measure(s, &m) || (nn = head_nape_line(s, nape, 9)) < 2) {
        fprintf(stderr, "stipple: head: could not build the head or find its landmarks\n");
        surface_free(s);
        return 1;
    }
    if (json) {
        json_t *root = json_object(), *meas = json_object(), *marks = json_object(), *line = json_array();
        json_object_set_new(meas, "length", measure_json(m.length_mm, HEAD_TARGET_LENGTH_MM));
        json_object_set_new(meas, "breadth", measure_json(m.breadth_mm, HEAD_TARGET_BREADTH_MM));
        json_object_set_new(meas, "circumference", measure_json(m.circumference_mm, HEAD_TARGET_CIRCUMFERENCE_MM));
        json_object_set_new(meas, "tragion_vertex", measure_json(m.tragion_vertex_mm, HEAD_TARGET_TRAGION_VERTEX_MM));
        for (int i = 0; i < LANDMARK_COUNT; i++)
            json_object_set_new(marks, landmark_name((head_landmark)i), point_json(&lm[i]));
        for (int i = 0; i < nn; i++)
            json_array_append_new(line, point_json(&nape[i]));
        json_object_set_new(root, "format", json_string("stipple-head/1"));
        json_object_set_new(root, "triangles", json_integer((json_int_t)surface_triangle_count(s)));
        json_object_set_new(root, "measurements", meas);
        json_object_set_new(root, "landmarks", marks);
        json_object_set_new(root, "nape_line", line);
        json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
        fputc('\n', stdout);
        json_decref(root);
    } else {
        printf("head: %zu triangles\n", surface_triangle_count(s));
        printf("measurements (mm, target in brackets; sources in sim/core/head_shape.h):\n");
        printf("  head length (glabella-opisthocranion)  %6.1f  (%.0f)\n", m.length_mm, HEAD_TARGET_LENGTH_MM);
        printf("  head breadth (greatest, above ears)    %6.1f  (%.0f)\n", m.breadth_mm, HEAD_TARGET_BREADTH_MM);
        printf("  head circumference                     %6.1f  (%.0f)\n", m.circumference_mm, HEAD_TARGET_CIRCUMFERENCE_MM);
        printf("  tragion to vertex height               %6.1f  (%.0f)\n", m.tragion_vertex_mm, HEAD_TARGET_TRAGION_VERTEX_MM);
        printf("landmarks (position x, y, z mm; chart u, v mm where on the chart):\n");
        for (int i = 0; i < LANDMARK_COUNT; i++) {
            printf("  %-24s %7.1f %7.1f %7.1f", landmark_name((head_landmark)i), lm[i].pos_mm[0], lm[i].pos_mm[1],
                   lm[i].pos_mm[2]);
            if (lm[i].on_chart)
                printf("   chart %7.1f %7.1f", lm[i].chart_mm[0], lm[i].chart_mm[1]);
            printf("\n");
        }
    }
    surface_free(s);
    return 0;
}

const cli_command cli_cmd_head = {
    "head", "", "the practice head: its measurements and named landmarks", head_options, run_head,
    "Measurements (head length, breadth, circumference, tragion to vertex height) are shown beside\n"
    "the published adult figures they are made to (sources in sim/core/head_shape.h). Landmark\n"
    "positions are in mm in the head frame (+y up, +z forward, +x the subject's left), with chart\n"
    "coordinates (what lessons use) where the landmark is on the scalp chart.\n"
};
