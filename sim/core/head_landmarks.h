/* head_landmarks.h: named landmarks of the generated head, found on its skin from the way
 * the head is built (head_shape.c) and from its chart's regions (surface.c), never typed
 * in; and the head's anthropometric measurements, taken on the mesh.
 *
 * Lessons place zones and hairlines relative to landmarks by name (lessons/README.md). */
#ifndef STIPPLE_HEAD_LANDMARKS_H
#define STIPPLE_HEAD_LANDMARKS_H

#include "surface.h"

typedef enum head_landmark {
    LANDMARK_GLABELLA = 0,      /* most forward point between the brows, on the midline */
    LANDMARK_NASION,            /* the deepest point of the nose's root, below the glabella */
    LANDMARK_BROW_CREASE,       /* the raised-brow crease on the midline (see below) */
    LANDMARK_TEMPLE_L,          /* frontotemporal points: the temple peaks of the hairline */
    LANDMARK_TEMPLE_R,
    LANDMARK_VERTEX,            /* highest point of the head */
    LANDMARK_CROWN_WHORL,       /* the centre of the crown */
    LANDMARK_OCCIPITAL_PROTUBERANCE, /* the inion */
    LANDMARK_OPISTHOCRANION,    /* the most posterior point on the midline */
    LANDMARK_TRAGION_L,
    LANDMARK_TRAGION_R,
    LANDMARK_NAPE,              /* the nape line's midpoint: where the skull meets the neck */
    LANDMARK_COUNT
} head_landmark;

typedef struct landmark_point {
    double pos_mm[3];           /* on the skin, head frame */
    double chart_mm[2];         /* chart of the cranium point in its direction */
    int on_chart;               /* 1 when chart_mm is on the chart (lessons may use it) */
} landmark_point;

/* Snake-case names: "glabella", "nasion", "brow_crease", "temple_l", "temple_r", "vertex",
 * "crown_whorl", "occipital_protuberance", "opisthocranion", "tragion_l", "tragion_r",
 * "nape". */
const char   *landmark_name(head_landmark lm);
head_landmark landmark_from_name(const char *name);   /* LANDMARK_COUNT when unknown */

/* All landmarks of a head surface; 0 (and nothing written) for the practice skin or when
 * one cannot be found. The raised-brow crease is a choice: on the midline, 35 mm of skin
 * above the glabella (the top forehead line of raised brows sits about two thirds of the
 * way up a 50-60 mm forehead). */
int head_landmarks(const surface *s, landmark_point out[LANDMARK_COUNT]);

/* The nape line: n points (n >= 2) across the back of the neck, from the subject's right
 * to left, where the skull meets the neck. Returns the number written. */
int head_nape_line(const surface *s, landmark_point *out, int n);

/* The chart point (mm) of a landmark of the standard head (the one surface_create makes),
 * for lessons: from a table kept equal to what head_landmarks() finds (tests/test_head.c
 * checks it), so loading a lesson never builds a head. For landmarks off the scalp
 * (glabella, nasion, tragions, the inion, the nape) it is the chart point of the cranium in
 * their direction, outside the chart's domain. 0 when lm is unknown. */
int head_landmark_chart(head_landmark lm, double chart_mm[2]);

typedef struct head_measurements {
    double length_mm;           /* glabella to opisthocranion */
    double breadth_mm;          /* greatest breadth above the ears (ears left out) */
    double circumference_mm;    /* tape round the head over glabella and opisthocranion */
    double tragion_vertex_mm;   /* height of the vertex above the tragions */
} head_measurements;

/* Measures the head's mesh. 0 for the practice skin. */
int head_measure(const surface *s, head_measurements *out);

#endif
